import { PassThrough } from 'node:stream';
import { connectPostgres, type Database } from '@switchboard/db';
import { createLogger } from '@switchboard/logger';
import { type InProcessService, startInProcess } from '@switchboard/service/testing';
import {
  createDatabaseTestContext,
  type DatabaseTestContext,
  type TestContext,
  waitFor,
} from '@switchboard/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { build } from './app.ts';
import { a2aConfig } from './config.ts';
import {
  createRetentionStore,
  FINISHED_REMOTE_STATES,
  FINISHED_TASK_STATES,
  type RetentionRemoved,
} from './db/retention-store.ts';
import { startRetentionSweeper } from './retention-sweeper.ts';

// Retention against a real Postgres: rows are made old by moving their timestamps back in SQL.

const HOUR_MS = 3_600_000;
const LIVE_TASK_STATES = [
  'TASK_STATE_SUBMITTED',
  'TASK_STATE_WORKING',
  'TASK_STATE_INPUT_REQUIRED',
  'TASK_STATE_AUTH_REQUIRED',
];

let world: DatabaseTestContext | undefined;
let context: TestContext;
let database: Database;
const limits = { finishedMs: HOUR_MS, remoteFinishedMs: HOUR_MS, limit: 1000 };

beforeAll(async () => {
  world = await createDatabaseTestContext('a2a-retention-test');
  ({ context, database } = world);
});

afterAll(async () => {
  await world?.cleanup();
});

beforeEach(async () => {
  const { sql } = database;
  await sql`TRUNCATE a2a.tasks, a2a.task_events, a2a.received_messages, a2a.push_configs,
    a2a.push_queue, a2a.remote_tasks`;
});

const payload = Buffer.from('{}');

/** A task with `events` events, one received message and one push config, `ageMs` old. */
async function insertTask(
  id: string,
  state: string,
  ageMs: number,
  options: { events?: number; queuedPush?: boolean } = {},
): Promise<void> {
  const { sql } = database;
  await sql`
    INSERT INTO a2a.tasks (id, context_id, target, owner, state, record)
    VALUES (${id}, 'ctx', 'orchestrator', 'owner', ${state}, ${payload})`;
  await sql`
    UPDATE a2a.tasks SET updated_at = now() - ${ageMs} * interval '1 millisecond',
      created_at = now() - ${ageMs} * interval '1 millisecond'
    WHERE id = ${id}`;
  for (let index = 0; index < (options.events ?? 2); index += 1) {
    await sql`INSERT INTO a2a.task_events (task_id, event) VALUES (${id}, ${payload})`;
  }
  await sql`
    INSERT INTO a2a.received_messages (task_id, message_id, router_message_id)
    VALUES (${id}, ${`m-${id}`}, ${crypto.randomUUID()})`;
  await sql`
    INSERT INTO a2a.push_configs (task_id, id, config) VALUES (${id}, 'hook', ${payload})`;
  if (options.queuedPush === true) {
    await sql`
      INSERT INTO a2a.push_queue (task_id, config_id, event) VALUES (${id}, 'hook', ${payload})`;
  }
}

async function insertRemoteTask(state: string, ageMs: number): Promise<string> {
  const id = crypto.randomUUID();
  await database.sql`
    INSERT INTO a2a.remote_tasks (id, recipient, agent_id, principal, state, request)
    VALUES (${id}, 'a2a:far', 'agent', 'principal', ${state}, ${payload})`;
  await database.sql`
    UPDATE a2a.remote_tasks SET updated_at = now() - ${ageMs} * interval '1 millisecond'
    WHERE id = ${id}`;
  return id;
}

/** What is left of a task: its row and how many rows of each dependent table. */
async function remainsOf(id: string) {
  const [row] = await database.sql<
    { task: number; events: number; received: number; configs: number; queued: number }[]
  >`
    SELECT
      (SELECT count(*)::int FROM a2a.tasks WHERE id = ${id}) AS task,
      (SELECT count(*)::int FROM a2a.task_events WHERE task_id = ${id}) AS events,
      (SELECT count(*)::int FROM a2a.received_messages WHERE task_id = ${id}) AS received,
      (SELECT count(*)::int FROM a2a.push_configs WHERE task_id = ${id}) AS configs,
      (SELECT count(*)::int FROM a2a.push_queue WHERE task_id = ${id}) AS queued`;
  return row;
}

const gone = { task: 0, events: 0, received: 0, configs: 0, queued: 0 };
const whole = (events = 2, queued = 0) => ({ task: 1, events, received: 1, configs: 1, queued });

const total = (removed: RetentionRemoved) =>
  removed.tasks +
  removed.taskEvents +
  removed.receivedMessages +
  removed.pushConfigs +
  removed.remoteTasks;

describe('A2A retention', () => {
  it('removes ended tasks past finishedMs with their rows, and keeps recent and live ones', async () => {
    for (const state of FINISHED_TASK_STATES) await insertTask(`old-${state}`, state, 2 * HOUR_MS);
    await insertTask('recent-completed', 'TASK_STATE_COMPLETED', HOUR_MS / 2);
    for (const state of LIVE_TASK_STATES)
      await insertTask(`ancient-${state}`, state, 1000 * HOUR_MS);

    const removed = await createRetentionStore(database).sweep(limits);

    expect(removed).toEqual({
      tasks: 4,
      taskEvents: 8,
      receivedMessages: 4,
      pushConfigs: 4,
      remoteTasks: 0,
    });
    for (const state of FINISHED_TASK_STATES) expect(await remainsOf(`old-${state}`)).toEqual(gone);
    expect(await remainsOf('recent-completed')).toEqual(whole());
    for (const state of LIVE_TASK_STATES) {
      expect(await remainsOf(`ancient-${state}`)).toEqual(whole());
    }
  });

  it('keeps an ended task while a push notification of it waits to be sent', async () => {
    await insertTask('pushing', 'TASK_STATE_COMPLETED', 2 * HOUR_MS, { queuedPush: true });
    const store = createRetentionStore(database);

    expect(total(await store.sweep(limits))).toBe(0);
    expect(await remainsOf('pushing')).toEqual(whole(2, 1));

    // The sender delivered (or gave up) the notification: the task may go now.
    await database.sql`DELETE FROM a2a.push_queue WHERE task_id = 'pushing'`;
    await store.sweep(limits);
    expect(await remainsOf('pushing')).toEqual(gone);
  });

  it('removes remote tasks that ended past remoteFinishedMs, and keeps the others', async () => {
    for (const state of FINISHED_REMOTE_STATES) await insertRemoteTask(state, 2 * HOUR_MS);
    const kept = [await insertRemoteTask('completed', HOUR_MS / 2)];
    for (const state of ['pending', 'submitted', 'working', 'input-required', 'auth-required']) {
      kept.push(await insertRemoteTask(state, 1000 * HOUR_MS));
    }
    await insertTask('local-kept', 'TASK_STATE_COMPLETED', 2 * HOUR_MS);

    const removed = await createRetentionStore(database).sweep({
      ...limits,
      finishedMs: 1000 * HOUR_MS,
    });

    expect(removed.remoteTasks).toBe(4);
    expect(removed.tasks).toBe(0);
    const left = await database.sql<{ id: string }[]>`SELECT id FROM a2a.remote_tasks`;
    expect(left.map((row) => row.id).sort()).toEqual([...kept].sort());
    expect(await remainsOf('local-kept')).toEqual(whole());
  });

  /**
   * Five ended tasks (one with 7 events, four with 2), a live one, five ended remote tasks: more
   * than a batch of 2 in every table.
   */
  async function insertBacklog(): Promise<void> {
    await insertTask('long', 'TASK_STATE_COMPLETED', 3 * HOUR_MS, { events: 7 });
    for (let index = 0; index < 4; index += 1) {
      await insertTask(`short-${index}`, 'TASK_STATE_FAILED', 2 * HOUR_MS);
    }
    await insertTask('live', 'TASK_STATE_WORKING', 3 * HOUR_MS);
    for (let index = 0; index < 5; index += 1) await insertRemoteTask('failed', 2 * HOUR_MS);
  }

  it('deletes at most the batch size per statement, and finishes over several sweeps', async () => {
    await insertBacklog();
    const store = createRetentionStore(database);

    const sweeps: RetentionRemoved[] = [];
    for (let round = 0; round < 20; round += 1) {
      const removed = await store.sweep({ ...limits, limit: 2 });
      if (total(removed) === 0) break;
      sweeps.push(removed);
    }

    for (const removed of sweeps) {
      for (const count of Object.values(removed)) expect(count).toBeLessThanOrEqual(2);
    }
    expect(sweeps.length).toBeGreaterThan(3);
    const sum = (key: keyof RetentionRemoved) => sweeps.reduce((n, removed) => n + removed[key], 0);
    expect(sum('tasks')).toBe(5);
    expect(sum('taskEvents')).toBe(7 + 4 * 2);
    expect(sum('receivedMessages')).toBe(5);
    expect(sum('pushConfigs')).toBe(5);
    expect(sum('remoteTasks')).toBe(5);
    expect(await remainsOf('long')).toEqual(gone);
    expect(await remainsOf('live')).toEqual(whole());
  });

  it('works through a backlog larger than its batch in one sweep, batch after batch', async () => {
    await insertBacklog();
    const sweeper = startRetentionSweeper({
      store: createRetentionStore(database),
      // An hour between sweeps: only the sweep run here runs.
      settings: () => ({ ...limits, sweepIntervalMs: HOUR_MS, sweepBatchSize: 2 }),
      log: createLogger({
        service: 'a2a',
        instanceId: 'retention-test',
        level: 'warn',
        format: 'json',
        destination: new PassThrough(),
      }),
    });
    try {
      const removed = await sweeper.sweepNow();
      expect(removed).toEqual({
        tasks: 5,
        taskEvents: 7 + 4 * 2,
        receivedMessages: 5,
        pushConfigs: 5,
        remoteTasks: 5,
      });
      expect(await remainsOf('long')).toEqual(gone);
      expect(await remainsOf('live')).toEqual(whole());
    } finally {
      await sweeper.stop();
    }
  });

  it('lets two replicas sweep at once without failing or removing anything twice', async () => {
    const count = 120;
    const { sql } = database;
    await sql`
      INSERT INTO a2a.tasks (id, context_id, target, owner, state, record, updated_at)
      SELECT 'bulk-' || n, 'ctx', 'orchestrator', 'owner', 'TASK_STATE_COMPLETED', ${payload},
        now() - interval '2 hours'
      FROM generate_series(1, ${count}) AS n`;
    await sql`
      INSERT INTO a2a.task_events (task_id, event)
      SELECT 'bulk-' || n, ${payload} FROM generate_series(1, ${count}) AS n, generate_series(1, 3)`;
    await sql`
      INSERT INTO a2a.received_messages (task_id, message_id, router_message_id)
      SELECT 'bulk-' || n, 'm', gen_random_uuid() FROM generate_series(1, ${count}) AS n`;
    await sql`
      INSERT INTO a2a.remote_tasks (id, recipient, agent_id, principal, state, request, updated_at)
      SELECT gen_random_uuid(), 'a2a:far', 'agent', 'principal', 'completed', ${payload},
        now() - interval '2 hours'
      FROM generate_series(1, ${count})`;
    await insertTask('live', 'TASK_STATE_INPUT_REQUIRED', 2 * HOUR_MS);

    // Two stores on two pools: each replica's statements run on connections of their own.
    const other = await connectPostgres(
      { url: context.database.url, poolMax: 2, connectTimeoutMs: 5000 },
      'a2a-retention-test-2',
    );
    try {
      const replica = async (store: ReturnType<typeof createRetentionStore>) => {
        const removed: RetentionRemoved[] = [];
        for (let round = 0; round < 100; round += 1) {
          const once = await store.sweep({ ...limits, limit: 25 });
          if (total(once) === 0) break;
          removed.push(once);
        }
        return removed;
      };
      const [first, second] = await Promise.all([
        replica(createRetentionStore(database)),
        replica(createRetentionStore(other)),
      ]);
      const all = [...(first ?? []), ...(second ?? [])];
      const sum = (key: keyof RetentionRemoved) => all.reduce((n, removed) => n + removed[key], 0);
      expect(sum('tasks')).toBe(count);
      expect(sum('taskEvents')).toBe(3 * count);
      expect(sum('receivedMessages')).toBe(count);
      expect(sum('remoteTasks')).toBe(count);
    } finally {
      await other.close(1000);
    }
    const [left] = await sql<{ tasks: number; remote: number }[]>`
      SELECT (SELECT count(*)::int FROM a2a.tasks) AS tasks,
        (SELECT count(*)::int FROM a2a.remote_tasks) AS remote`;
    expect(left).toEqual({ tasks: 1, remote: 0 });
    expect(await remainsOf('live')).toEqual(whole());
  });

  it('reads ended tasks through the partial indexes', async () => {
    const { sql } = database;
    await sql`SET enable_seqscan = off`;
    try {
      const plan = await sql<{ 'QUERY PLAN': string }[]>`
        EXPLAIN SELECT t.id FROM a2a.tasks t
        WHERE t.state IN ('TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_CANCELED',
          'TASK_STATE_REJECTED') AND t.updated_at < now()
        ORDER BY t.updated_at LIMIT 10`;
      expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('tasks_finished');
    } finally {
      await sql`RESET enable_seqscan`;
    }
  });
});

describe('the A2A peer service', () => {
  let peer: InProcessService | undefined;

  afterAll(async () => {
    await peer?.stop();
  });

  it('sweeps on its own every sweepIntervalMs', async () => {
    await insertTask('service-old', 'TASK_STATE_CANCELED', 2 * HOUR_MS);
    await insertTask('service-live', 'TASK_STATE_WORKING', 2 * HOUR_MS);
    const remote = await insertRemoteTask('rejected', 2 * HOUR_MS);
    peer = await startInProcess({
      definition: a2aConfig,
      build,
      env: {
        ...context.env,
        SB_A2A__PORT: '0',
        SB_A2A__RETENTION__FINISHED_MS: String(HOUR_MS),
        SB_A2A__RETENTION__REMOTE_FINISHED_MS: String(HOUR_MS),
        SB_A2A__RETENTION__SWEEP_INTERVAL_MS: '50',
      },
      instanceId: 'a2a-retention',
      connections: context.connections,
    });

    await waitFor(async () => (await remainsOf('service-old'))?.task === 0);
    expect(await remainsOf('service-old')).toEqual(gone);
    expect(await remainsOf('service-live')).toEqual(whole());
    await waitFor(
      async () =>
        (await database.sql`SELECT 1 FROM a2a.remote_tasks WHERE id = ${remote}`).length === 0,
    );
  });
});
