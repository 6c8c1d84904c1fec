import { type Task, TaskState } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { connectPostgres, type Database } from '@switchboard/db';
import { A2A_LABEL, A2A_PUBLIC, type A2aTaskUpdate, A2aTaskUpdateRpc } from '@switchboard/protocol';
import { type AgentClient, connect } from '@switchboard/sdk';
import { agentPrincipal, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type A2aMesh, createA2aMesh, sendParams, storedUpdateIds } from './test-mesh.ts';

// The SDK's automatic `working` report names `ifState: 'submitted'`: the peer applies it only
// while the task is still submitted. The gap it closes: a router message re-run in another
// process after a crash fires its report after the first run asked for input; the re-run's own
// `input-required` is a duplicate there (same update id), so a `working` that landed would stay.
// A real gateway, router and A2A peer, an SDK agent and the official A2A client; the re-run's
// updates go to `<ns>.v1.a2a.task.update` as the agent, as the gateway forwards its frames.

const AGENT_ID = 'precondition-agent';

let mesh: A2aMesh;
let database: Database;
let agent: AgentClient;
let client: Client;
/** Per task: the router message ids its handler runs got, and how to end a waiting handler. */
const delivered = new Map<string, string[]>();
const release = new Map<string, () => void>();

const stateOf = async (taskId: string, through = client) =>
  (await through.getTask({ tenant: '', id: taskId, historyLength: undefined })).status?.state;

/** The task's row as the store keeps it (its last change is the undelivered sweep's clock). */
async function rowOf(taskId: string) {
  const [row] = await database.sql<{ state: string; agent_id: string | null; updated_at: Date }[]>`
    SELECT state, agent_id, updated_at FROM a2a.tasks WHERE id = ${taskId}`;
  return row;
}

/** The automatic report of router message `messageId`, as the SDK sends it. */
const automaticReport = (taskId: string, messageId: string) => ({
  taskId,
  updateId: `${messageId}:working`,
  status: { state: 'working' as const },
  ifState: 'submitted' as const,
});

const update = (request: A2aTaskUpdate) =>
  mesh.call(A2aTaskUpdateRpc, request, agentPrincipal(AGENT_ID));

beforeAll(async () => {
  mesh = await createA2aMesh();
  await mesh.startPeer({ SB_A2A__MESSAGE_TTL_MS: '60000' });
  database = await connectPostgres(
    { url: mesh.context.database.url, poolMax: 2, connectTimeoutMs: 5000 },
    'a2a-update-precondition-test',
  );
  agent = await connect({
    url: `ws://127.0.0.1:${mesh.gateway.port}`,
    apiKey: await mesh.key(),
    agent: { id: AGENT_ID, name: AGENT_ID, version: '1.0.0', labels: { [A2A_LABEL]: A2A_PUBLIC } },
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    requestTimeoutMs: 20_000,
    // Room for the waiting handlers: one a failed test leaves waiting holds up no other test.
    messageConcurrency: 4,
    // At once: a waiting handler's task is reported working as soon as the handler runs.
    a2aWorkingDelayMs: 0,
  });
  agent.a2a.serve(async (request, task) => {
    delivered.set(request.taskId, [...(delivered.get(request.taskId) ?? []), request.delivered.id]);
    if (request.text === 'ask') {
      await task.requireInput('what next?');
      return undefined;
    }
    await new Promise<void>((resolve) => release.set(request.taskId, resolve));
    return 'done';
  });
  client = await mesh.client(`${mesh.url}/agents/${AGENT_ID}/.well-known/agent-card.json`);
}, 120_000);

/** Connects another process of `agentId` (the newer connection replaces an older one). */
const connectAs = async (agentId: string) =>
  connect({
    url: `ws://127.0.0.1:${mesh.gateway.port}`,
    apiKey: await mesh.key(),
    agent: { id: agentId, name: agentId, version: '1.0.0', labels: { [A2A_LABEL]: A2A_PUBLIC } },
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    requestTimeoutMs: 20_000,
    a2aWorkingDelayMs: 0,
  });

/** Ends what the crash test leaves waiting. */
const crashed: AgentClient[] = [];

afterAll(async () => {
  for (const open of release.values()) open();
  await Promise.all(crashed.map((process) => process.close()));
  await agent?.close();
  await database?.close(1000);
  await mesh?.stop();
});

describe('an update with ifState: submitted (the automatic working report)', () => {
  it('leaves a task that went input-required as it is when it lands after', async () => {
    const task = (await client.sendMessage(sendParams('ask'))) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const [messageId = ''] = delivered.get(task.id) ?? [];
    const before = await rowOf(task.id);

    // The re-run's report: answered, not refused (the agent must see no failure), not applied.
    const report = automaticReport(task.id, messageId);
    const skipped = { state: 'TASK_STATE_INPUT_REQUIRED', duplicate: false, skipped: true };
    expect(await update(report)).toEqual(skipped);
    // The re-run's own question was applied by the first run under the same id.
    expect(
      await update({
        taskId: task.id,
        updateId: `${messageId}:1`,
        status: { state: 'input-required', message: { parts: [{ text: 'what next?' }] } },
      }),
    ).toEqual({ state: 'TASK_STATE_INPUT_REQUIRED', duplicate: true });
    // Sent again, the report is as moot: nothing of it was recorded, and the task never
    // returns to submitted.
    expect(await update(report)).toEqual(skipped);

    expect(await stateOf(task.id)).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    expect(await storedUpdateIds(database, task.id)).toEqual([null, `${messageId}:1`]);
    expect(await rowOf(task.id)).toEqual(before);
  });

  it('moves a task still submitted to working, and is then a duplicate', async () => {
    const task = (await client.sendMessage(
      sendParams('wait', { returnImmediately: true }),
    )) as Task;
    await waitFor(() => release.has(task.id), { what: `the handler of ${task.id} to run` });
    await waitFor(async () => (await stateOf(task.id)) === TaskState.TASK_STATE_WORKING, {
      what: `task ${task.id} working`,
      intervalMs: 100,
    });
    const [messageId = ''] = delivered.get(task.id) ?? [];
    // The SDK's own report, through the gateway: stored under its id like any update.
    expect(await storedUpdateIds(database, task.id)).toEqual([null, `${messageId}:working`]);
    expect(await rowOf(task.id)).toMatchObject({ state: 'TASK_STATE_WORKING', agent_id: AGENT_ID });
    expect(await update(automaticReport(task.id, messageId))).toEqual({
      state: 'TASK_STATE_WORKING',
      duplicate: true,
    });

    release.get(task.id)?.();
    await waitFor(async () => (await stateOf(task.id)) === TaskState.TASK_STATE_COMPLETED, {
      what: `task ${task.id} completed`,
      intervalMs: 100,
    });
    expect(await storedUpdateIds(database, task.id)).toEqual([
      null,
      `${messageId}:working`,
      `${messageId}:1`,
    ]);
  });

  it('still refuses a task that ended, so the agent learns its work is moot', async () => {
    const task = (await client.sendMessage(
      sendParams('wait', { returnImmediately: true }),
    )) as Task;
    await waitFor(() => release.has(task.id), { what: `the handler of ${task.id} to run` });
    await client.cancelTask({ tenant: '', id: task.id, metadata: undefined });
    const [messageId = ''] = delivered.get(task.id) ?? [];
    await expect(
      update({ ...automaticReport(task.id, messageId), updateId: `${messageId}:again` }),
    ).rejects.toMatchObject({ code: 'E_CONFLICT' });
  });
});

describe('a message re-run in another process after a crash', () => {
  it('keeps the task waiting for input although the re-run reports working', async () => {
    const crashing = 'crashing-agent';
    let firstRun: string | undefined;
    const first = await connectAs(crashing);
    crashed.push(first);
    // The first run asks for input, then hangs: the process dies before its ack.
    first.a2a.serve(async (request, task) => {
      firstRun = request.delivered.id;
      await task.requireInput('what next?');
      await new Promise<void>((resolve) => release.set(`hang:${request.taskId}`, resolve));
      return undefined;
    });
    const crashingClient = await mesh.client(
      `${mesh.url}/agents/${crashing}/.well-known/agent-card.json`,
    );
    const task = (await crashingClient.sendMessage(sendParams('translate'))) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);

    // Another process takes the agent id; the router delivers the unacked message to it.
    const rerun: { messageId?: string; asked?: boolean } = {};
    const second = await connectAs(crashing);
    crashed.push(second);
    second.a2a.serve(async (request, task) => {
      rerun.messageId = request.delivered.id;
      // A timer set after the report's (a2aWorkingDelayMs 0) fires after it: the report is
      // sent before the handler says anything, as when the handler takes a while.
      await new Promise((resolve) => setTimeout(resolve, 10));
      await task.requireInput('what next?');
      rerun.asked = true;
      return undefined;
    });
    await waitFor(() => rerun.asked === true, { what: 'the re-run to ask for input again' });

    expect(rerun.messageId).toBe(firstRun);
    expect(await stateOf(task.id, crashingClient)).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    // The re-run's question was a duplicate of the first run's; its report was skipped.
    expect(await storedUpdateIds(database, task.id)).toEqual([null, `${firstRun}:1`]);
  });
});
