import { type StreamResponse, type Task, TaskState } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { connectPostgres, type Database } from '@switchboard/db';
import { A2A_LABEL, A2A_PUBLIC } from '@switchboard/protocol';
import { type AgentClient, connect } from '@switchboard/sdk';
import { waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type A2aMesh, createA2aMesh, sendParams, storedUpdateIds } from './test-mesh.ts';
import { quietA2aSdk } from './test-quiet-sdk.ts';

// The SDK reports `working` by itself for an A2A handler that runs past the client's
// a2aWorkingDelayMs without reporting anything, end to end: a real gateway, router and A2A peer,
// an SDK agent, and the official A2A client. Each stored event keeps the update id it was
// applied under (`<router message id>:working` for the automatic report, `:<n>` for the
// handler's own updates), so the tests read what happened from a2a.task_events.

const WORKING_DELAY_MS = 300;

let mesh: A2aMesh;
let database: Database;
let agent: AgentClient;
let client: Client;
/** Per task: the router message ids its handler runs got, and how to end a waiting handler. */
const delivered = new Map<string, string[]>();
const release = new Map<string, () => void>();

const stateOf = async (taskId: string) =>
  (await client.getTask({ tenant: '', id: taskId, historyLength: undefined })).status?.state;

// GetTask polls count against the caller's A2A rate limit: not too often.
const POLL_MS = 100;

/** Waits until GetTask shows the task in `state`. */
const untilState = (taskId: string, state: TaskState) =>
  waitFor(async () => (await stateOf(taskId)) === state, {
    what: `task ${taskId} in ${TaskState[state]}`,
    intervalMs: POLL_MS,
  });

/** Starts a task whose handler waits to be released; answers its id once the handler runs. */
async function startWaiting(text = 'wait'): Promise<string> {
  const task = (await client.sendMessage(sendParams(text, { returnImmediately: true }))) as Task;
  await waitFor(() => release.has(task.id), { what: `the handler of ${task.id} to start` });
  return task.id;
}

/**
 * Waits until the delay has passed for every handler that started before this call: a handler
 * started now (a witness) gets its automatic report only after the same delay.
 */
async function delayPassed(): Promise<void> {
  const witness = await startWaiting();
  await untilState(witness, TaskState.TASK_STATE_WORKING);
  release.get(witness)?.();
  await untilState(witness, TaskState.TASK_STATE_COMPLETED);
}

beforeAll(async () => {
  quietA2aSdk();
  // A message TTL of a minute: the reports are not pulled earlier by the expiry (half of it).
  mesh = await createA2aMesh();
  await mesh.startPeer({
    SB_A2A__MESSAGE_TTL_MS: '60000',
    SB_A2A__RETENTION__SWEEP_INTERVAL_MS: '50',
  });
  database = await connectPostgres(
    { url: mesh.context.database.url, poolMax: 2, connectTimeoutMs: 5000 },
    'a2a-working-report-test',
  );
  agent = await connect({
    url: `ws://127.0.0.1:${mesh.gateway.port}`,
    apiKey: await mesh.key(),
    agent: {
      id: 'slow-agent',
      name: 'slow-agent',
      version: '1.0.0',
      labels: { [A2A_LABEL]: A2A_PUBLIC },
    },
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    requestTimeoutMs: 20_000,
    messageConcurrency: 8,
    a2aWorkingDelayMs: WORKING_DELAY_MS,
  });
  agent.a2a.serve(async (request, task) => {
    delivered.set(request.taskId, [...(delivered.get(request.taskId) ?? []), request.delivered.id]);
    switch (request.text) {
      case 'fast':
        return 'done';
      case 'ask':
        await task.requireInput('what next?');
        return undefined;
      case 'self':
        await task.working('on it');
        break;
      default:
        break;
    }
    await new Promise<void>((resolve) => release.set(request.taskId, resolve));
    release.delete(request.taskId);
    return 'done';
  });
  client = await mesh.client(`${mesh.url}/agents/slow-agent/.well-known/agent-card.json`);
}, 120_000);

afterAll(async () => {
  for (const open of release.values()) open();
  await agent?.close();
  await database?.close(1000);
  await mesh?.stop();
});

describe('the automatic working report', () => {
  it('shows a long handler working while it runs, to streams and GetTask, then completed', async () => {
    const events: StreamResponse[] = [];
    const streaming = (async () => {
      for await (const event of client.sendMessageStream(sendParams('wait'))) events.push(event);
    })();
    const taskId = await waitFor(
      () => (events[0]?.payload?.$case === 'task' ? events[0].payload.value.id : undefined),
      { what: 'the stream to start' },
    );
    await untilState(taskId, TaskState.TASK_STATE_WORKING);
    await waitFor(() => release.has(taskId), { what: 'the handler to run' });
    release.get(taskId)?.();
    await streaming;

    const states = events.map((event) =>
      event.payload?.$case === 'task'
        ? event.payload.value.status?.state
        : event.payload?.$case === 'statusUpdate'
          ? event.payload.value.status?.state
          : undefined,
    );
    expect(states).toEqual([
      TaskState.TASK_STATE_SUBMITTED,
      TaskState.TASK_STATE_WORKING,
      TaskState.TASK_STATE_COMPLETED,
    ]);
    const [messageId] = delivered.get(taskId) ?? [];
    expect(await storedUpdateIds(database, taskId)).toEqual([
      null,
      `${messageId}:working`,
      `${messageId}:1`,
    ]);
  });

  it('costs a fast handler no update', async () => {
    const task = (await client.sendMessage(sendParams('fast'))) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    await delayPassed();
    const [messageId] = delivered.get(task.id) ?? [];
    expect(await storedUpdateIds(database, task.id)).toEqual([null, `${messageId}:1`]);
  });

  it('adds nothing for a handler that reported working itself', async () => {
    const taskId = await startWaiting('self');
    await delayPassed();
    release.get(taskId)?.();
    await untilState(taskId, TaskState.TASK_STATE_COMPLETED);
    const [messageId] = delivered.get(taskId) ?? [];
    expect(await storedUpdateIds(database, taskId)).toEqual([
      null,
      `${messageId}:1`,
      `${messageId}:2`,
    ]);
  });

  it('adds nothing on a follow-up, which the peer made working already', async () => {
    const first = (await client.sendMessage(sendParams('ask'))) as Task;
    expect(first.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    await client.sendMessage(sendParams('wait', { taskId: first.id, returnImmediately: true }));
    await waitFor(() => release.has(first.id), { what: 'the follow-up handler to run' });
    expect(await stateOf(first.id)).toBe(TaskState.TASK_STATE_WORKING);
    await delayPassed();
    release.get(first.id)?.();
    await untilState(first.id, TaskState.TASK_STATE_COMPLETED);
    const [asked, followUp] = delivered.get(first.id) ?? [];
    // Created, input-required, working (the peer, on the follow-up), completed.
    expect(await storedUpdateIds(database, first.id)).toEqual([
      null,
      `${asked}:1`,
      null,
      `${followUp}:1`,
    ]);
  });
});

describe('the undelivered sweep', () => {
  it('leaves a task the SDK reported working, while it fails one no agent took', async () => {
    // Published, then offline: its task stays submitted.
    const sleepy = await mesh.agent('sleepy-agent');
    await sleepy.close();
    const sleepyClient = await mesh.client(
      `${mesh.url}/agents/sleepy-agent/.well-known/agent-card.json`,
    );
    const untaken = (await sleepyClient.sendMessage(
      sendParams('anyone?', { returnImmediately: true }),
    )) as Task;
    const running = await startWaiting();
    await untilState(running, TaskState.TASK_STATE_WORKING);

    // Both last changed long before the message TTL plus the sweep's minute of grace: the
    // grace is a constant, so the rows are aged in SQL rather than waited for.
    await database.sql`
      UPDATE a2a.tasks SET updated_at = now() - interval '2 hours'
      WHERE id IN (${untaken.id}, ${running})`;
    await waitFor(
      async () =>
        (await sleepyClient.getTask({ tenant: '', id: untaken.id, historyLength: undefined }))
          .status?.state === TaskState.TASK_STATE_FAILED,
      { what: 'the sweep to fail the untaken task', intervalMs: POLL_MS },
    );
    expect(await stateOf(running)).toBe(TaskState.TASK_STATE_WORKING);
    release.get(running)?.();
    await untilState(running, TaskState.TASK_STATE_COMPLETED);
  });
});
