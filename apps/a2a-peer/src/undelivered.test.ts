import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Message, StreamResponse, Task, TaskState } from '@a2a-js/sdk';
import type { Bus } from '@switchboard/bus';
import { connectPostgres, createRecordCodec, type Database } from '@switchboard/db';
import { type A2aTaskChangedEvent, A2aTaskChangedEventSchema } from '@switchboard/protocol';
import { type InProcessService, startInProcess } from '@switchboard/service/testing';
import {
  connectTestBus,
  createDatabaseTestContext,
  type DatabaseTestContext,
  type TestContext,
  waitFor,
} from '@switchboard/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { build } from './app.ts';
import { a2aConfig } from './config.ts';
import { createTaskStore, type TaskStore } from './db/task-store.ts';
import { applyAgentUpdate, newTask } from './domain/task-machine.ts';
import { type A2aMesh, createA2aMesh } from './test-mesh.ts';
import { quietA2aSdk } from './test-quiet-sdk.ts';
import { UNDELIVERED_GRACE_MS, undeliveredReason } from './undelivered-sweeper.ts';

// Tasks no agent took within the message TTL are failed, on a real Postgres; rows are made old
// by moving their timestamps back in SQL.

const HOUR_MS = 3_600_000;
const TTL_MS = 1000;

let world: DatabaseTestContext | undefined;
let context: TestContext;
let database: Database;
let store: TaskStore;

beforeAll(async () => {
  world = await createDatabaseTestContext('a2a-undelivered-test');
  ({ context, database } = world);
  store = createTaskStore(database, createRecordCodec());
});

afterAll(async () => {
  await world?.cleanup();
});

beforeEach(async () => {
  await database.sql`TRUNCATE a2a.tasks, a2a.task_events, a2a.received_messages,
    a2a.push_configs, a2a.push_queue`;
});

/** A task created as a caller's first message makes it, then moved to `state`, `ageMs` old. */
async function createTask(
  id: string,
  options: { state?: 'working' | 'input-required'; ageMs?: number; pushUrl?: string } = {},
): Promise<void> {
  const message = Message.fromJSON({
    messageId: `m-${id}`,
    role: 'ROLE_USER',
    parts: [{ text: 'hello' }],
  });
  await store.create({
    applied: newTask({ id, contextId: `ctx-${id}`, message, now: new Date() }),
    target: 'agent:sleepy',
    skill: null,
    agentId: 'sleepy',
    owner: 'caller',
    messageId: message.messageId,
    routerMessageId: crypto.randomUUID(),
    pushConfig:
      options.pushUrl === undefined
        ? undefined
        : {
            tenant: '',
            id: 'hook',
            taskId: id,
            url: options.pushUrl,
            token: 't',
            authentication: undefined,
          },
  });
  const state = options.state;
  if (state !== undefined) {
    await store.change(id, (row) => ({
      applied: applyAgentUpdate(
        row.task,
        { taskId: id, updateId: 'u1', status: { state } },
        new Date(),
      ),
      agentId: row.agentId,
    }));
  }
  await database.sql`
    UPDATE a2a.tasks SET updated_at = now() - ${options.ageMs ?? 0} * interval '1 millisecond',
      created_at = now() - ${options.ageMs ?? 0} * interval '1 millisecond'
    WHERE id = ${id}`;
}

const failUndelivered = (target: TaskStore, limit = 100) =>
  target.changeStaleSubmitted(
    TTL_MS + UNDELIVERED_GRACE_MS,
    limit,
    (row) => ({
      applied: applyAgentUpdate(
        row.task,
        {
          taskId: row.task.id,
          updateId: 'undelivered',
          status: { state: 'failed', message: { parts: [{ text: undeliveredReason(TTL_MS) }] } },
        },
        new Date(),
      ),
      agentId: row.agentId,
    }),
    () => 'undelivered',
  );

async function stateOf(id: string): Promise<string | undefined> {
  const [row] = await database.sql<{ state: string }[]>`
    SELECT state FROM a2a.tasks WHERE id = ${id}`;
  return row?.state;
}

async function statusTextOf(id: string): Promise<string | undefined> {
  const row = await store.get(id);
  if (row === undefined) return undefined;
  const json = Task.toJSON(row.task) as { status?: { message?: { parts?: { text?: string }[] } } };
  return json.status?.message?.parts?.map((part) => part.text ?? '').join('');
}

describe('failing tasks no agent took', () => {
  it('fails only submitted tasks past the TTL, each once, whoever sweeps', async () => {
    for (let index = 0; index < 30; index += 1) {
      await createTask(`old-${index}`, { ageMs: 2 * HOUR_MS });
    }
    await createTask('recent', { ageMs: TTL_MS });
    await createTask('working', { state: 'working', ageMs: 1000 * HOUR_MS });
    await createTask('asking', { state: 'input-required', ageMs: 1000 * HOUR_MS });

    // Two replicas on pools of their own, in batches of 4.
    const other = await connectPostgres(
      { url: context.database.url, poolMax: 2, connectTimeoutMs: 5000 },
      'a2a-undelivered-test-2',
    );
    const failed: string[] = [];
    try {
      const replica = async (target: TaskStore) => {
        for (let round = 0; round < 50; round += 1) {
          const changed = await failUndelivered(target, 4);
          expect(changed.length).toBeLessThanOrEqual(4);
          if (changed.length === 0) return;
          failed.push(...changed.map(({ row }) => row.task.id));
        }
      };
      await Promise.all([replica(store), replica(createTaskStore(other, createRecordCodec()))]);
    } finally {
      await other.close(1000);
    }

    expect(failed.sort()).toEqual(Array.from({ length: 30 }, (_, index) => `old-${index}`).sort());
    expect(await stateOf('old-0')).toBe('TASK_STATE_FAILED');
    expect(await statusTextOf('old-0')).toBe(undeliveredReason(TTL_MS));
    // The change is in the task's event log: created, then failed.
    const events = await store.eventsAfter('old-0', 0);
    expect(events.map((stored) => stored.event.payload?.$case)).toEqual(['task', 'statusUpdate']);
    expect(await stateOf('recent')).toBe('TASK_STATE_SUBMITTED');
    expect(await stateOf('working')).toBe('TASK_STATE_WORKING');
    expect(await stateOf('asking')).toBe('TASK_STATE_INPUT_REQUIRED');
    expect(await failUndelivered(store)).toEqual([]);
  });

  it('counts from the last routing: a message the router stored again pushes the deadline', async () => {
    await createTask('resent', { ageMs: 2 * HOUR_MS });
    await store.markRouted('resent');
    expect(await failUndelivered(store)).toEqual([]);
    expect(await stateOf('resent')).toBe('TASK_STATE_SUBMITTED');

    // A task that left `submitted` keeps its time: marking it does not touch it.
    await createTask('taken', { state: 'working', ageMs: 2 * HOUR_MS });
    await store.markRouted('taken');
    const [row] = await database.sql<{ old: boolean }[]>`
      SELECT updated_at < now() - interval '1 hour' AS old FROM a2a.tasks WHERE id = 'taken'`;
    expect(row?.old).toBe(true);
  });

  it('reads submitted tasks through the partial index', async () => {
    const { sql } = database;
    await sql`SET enable_seqscan = off`;
    try {
      const plan = await sql<{ 'QUERY PLAN': string }[]>`
        EXPLAIN SELECT * FROM a2a.tasks
        WHERE state = 'TASK_STATE_SUBMITTED' AND updated_at < now()
        ORDER BY updated_at LIMIT 10 FOR UPDATE SKIP LOCKED`;
      expect(plan.map((line) => line['QUERY PLAN']).join('\n')).toContain('tasks_submitted');
    } finally {
      await sql`RESET enable_seqscan`;
    }
  });
});

describe('the A2A peer service', () => {
  let peer: InProcessService | undefined;
  let bus: Bus | undefined;
  let hooks: Server | undefined;

  afterAll(async () => {
    await peer?.stop();
    await bus?.close();
    await new Promise((resolve) => hooks?.close(resolve));
  });

  it('fails an undelivered task by itself, announced and pushed like any change', async () => {
    const pushed: Record<string, unknown>[] = [];
    hooks = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk) => {
        raw += chunk;
      });
      request.on('end', () => {
        pushed.push(JSON.parse(raw));
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hooks?.listen(0, '127.0.0.1', resolve));
    const pushUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;

    peer = await startInProcess({
      definition: a2aConfig,
      build,
      env: {
        ...context.env,
        SB_LOG__LEVEL: 'warn',
        SB_A2A__PORT: '0',
        SB_A2A__MESSAGE_TTL_MS: String(TTL_MS),
        SB_A2A__RETENTION__SWEEP_INTERVAL_MS: '50',
        SB_A2A__PUSH__POLL_MS: '50',
        SB_A2A__PUSH__ALLOW_PRIVATE: 'true',
      },
      instanceId: 'a2a-undelivered',
      connections: context.connections,
    });
    bus = await connectTestBus(context.namespace);
    const announced: A2aTaskChangedEvent[] = [];
    await bus.consumeEvents({
      filterSubject: bus.subjects.event('a2a', 'task'),
      schema: A2aTaskChangedEventSchema,
      deliverFrom: 'all',
      handler: async (event) => {
        announced.push(event.payload);
      },
    });

    await createTask('service-old', { ageMs: 2 * HOUR_MS, pushUrl });
    await createTask('service-live', { state: 'working', ageMs: 2 * HOUR_MS });

    const event = await waitFor(() => announced.find((change) => change.taskId === 'service-old'), {
      what: 'the failed task announced',
    });
    expect(event.state).toBe('TASK_STATE_FAILED');
    expect(await statusTextOf('service-old')).toBe(undeliveredReason(TTL_MS));
    // The first notification is the task as it was created; the next one tells it failed.
    const failed = await waitFor(
      () =>
        pushed
          .map((body) => StreamResponse.fromJSON(body).payload)
          .find((payload) => payload?.$case === 'statusUpdate'),
      { what: 'the push notification of the failure' },
    );
    expect(failed.$case === 'statusUpdate' ? failed.value.status?.state : undefined).toBe(
      TaskState.TASK_STATE_FAILED,
    );
    expect(await stateOf('service-live')).toBe('TASK_STATE_WORKING');
  });
});

describe('a re-sent first message', () => {
  let mesh: A2aMesh | undefined;
  let meshDatabase: Database | undefined;

  afterAll(async () => {
    await meshDatabase?.close(1000);
    await mesh?.stop();
  });

  it('restarts the wait for an agent when the router stores it anew, not when it had it', async () => {
    quietA2aSdk();
    mesh = await createA2aMesh();
    await mesh.startPeer();
    meshDatabase = await connectPostgres(
      { url: mesh.context.database.url, poolMax: 2, connectTimeoutMs: 5000 },
      'a2a-undelivered-mesh',
    );
    const { sql } = meshDatabase;
    // Published, then offline: its messages wait in the router.
    const sleepy = await mesh.agent('sleepy-agent');
    await sleepy.close();
    const client = await mesh.client(`${mesh.url}/agents/sleepy-agent/.well-known/agent-card.json`);
    const request = {
      tenant: '',
      message: Message.fromJSON({
        messageId: crypto.randomUUID(),
        role: 'ROLE_USER',
        parts: [{ text: 'are you there?' }],
      }),
      configuration: {
        acceptedOutputModes: [],
        taskPushNotificationConfig: undefined,
        returnImmediately: true,
      },
      metadata: undefined,
    };
    const age = (id: string) =>
      sql`UPDATE a2a.tasks SET updated_at = now() - interval '2 hours' WHERE id = ${id}`;
    const isFresh = async (id: string) => {
      const [row] = await sql<{ fresh: boolean }[]>`
        SELECT updated_at > now() - interval '1 hour' AS fresh FROM a2a.tasks WHERE id = ${id}`;
      return row?.fresh;
    };

    // The router is down: the task is stored, the message never reached the router.
    await mesh.stopRouter();
    await expect(client.sendMessage(request)).rejects.toThrow();
    const [stored] = await sql<{ id: string; state: string }[]>`SELECT id, state FROM a2a.tasks`;
    expect(stored?.state).toBe('TASK_STATE_SUBMITTED');
    const taskId = stored?.id as string;
    await age(taskId);

    // The caller sends it again once the router is back: the router stores it now, with its TTL.
    await mesh.startRouter();
    const resent = (await client.sendMessage(request)) as Task;
    expect(resent.id).toBe(taskId);
    expect(await isFresh(taskId)).toBe(true);

    // Sent a third time: the router had it, its TTL runs from before, and so does the wait.
    await age(taskId);
    await client.sendMessage(request);
    expect(await isFresh(taskId)).toBe(false);
  });
});
