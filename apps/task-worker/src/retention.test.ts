import { connectPostgres, createRecordCodec, type Database } from '@switchboard/db';
import type { FinalTaskStatus } from '@switchboard/protocol';
import { waitFor } from '@switchboard/testing';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskRetention, type TaskRetention } from './db/task-retention.ts';
import { createTaskStore, type NewTask, type TaskStore } from './db/task-store.ts';
import { createTaskMesh, type TaskMesh } from './test-mesh.ts';

// Retention of final tasks: the bounded delete against this file's database, and the sweep of
// a running worker configured through SB_TASKS__RETENTION__*. Tasks are made old by moving their
// finish time back in SQL.

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

let mesh: TaskMesh;
let database: Database;
let store: TaskStore;
let retention: TaskRetention;

beforeAll(async () => {
  mesh = await createTaskMesh();
  database = await connectPostgres(
    { url: mesh.context.database.url, poolMax: 4, connectTimeoutMs: 2000 },
    'test',
  );
  store = createTaskStore(database, mesh.context.namespace, createRecordCodec());
  retention = createTaskRetention(database);
}, 60_000);
afterAll(async () => {
  await database?.close();
  await mesh?.stop();
});

const newTask = (type: string, dependsOn: string[] = []): NewTask => ({
  id: uuidv7(),
  type,
  status: dependsOn.length > 0 ? 'scheduled' : 'queued',
  priority: 0,
  input: Buffer.from('{}'),
  maxAttempts: 1,
  backoffBaseMs: 0,
  backoffMaxMs: 0,
  timeoutMs: 60_000,
  submittedBy: 'retention-test',
  idempotencyKey: null,
  runAt: null,
  dependsOn,
});

/** Stores `count` tasks of `type` (each with its `submitted` transition) and returns their ids. */
async function submit(type: string, count: number, dependsOn: string[] = []): Promise<string[]> {
  const tasks = Array.from({ length: count }, () => newTask(type, dependsOn));
  await store.submit(tasks);
  return tasks.map((task) => task.id);
}

/** Ends tasks in `status` `agoMs` ago, with the transitions a run leaves. */
async function finish(ids: readonly string[], status: FinalTaskStatus, agoMs: number) {
  const { sql } = database;
  await sql`
    UPDATE tasks.tasks SET status = ${status}, attempt = 1,
      finished_at = now() - ${agoMs} * interval '1 millisecond',
      created_at = now() - ${agoMs + 60_000} * interval '1 millisecond'
    WHERE id IN ${sql(ids)}`;
  await sql`
    INSERT INTO tasks.transitions (task_id, from_status, to_status, attempt, reason)
    SELECT id, 'queued', 'running', 1, NULL FROM tasks.tasks WHERE id IN ${sql(ids)}
    UNION ALL
    SELECT id, 'running', ${status}, 1, 'test' FROM tasks.tasks WHERE id IN ${sql(ids)}`;
}

async function remaining(ids: readonly string[]) {
  const { sql } = database;
  const tasks = await sql<{ id: string }[]>`SELECT id FROM tasks.tasks WHERE id IN ${sql(ids)}`;
  const [transitions] = await sql<[{ count: number }]>`
    SELECT count(*)::int AS count FROM tasks.transitions WHERE task_id IN ${sql(ids)}`;
  return { tasks: new Set(tasks.map((row) => row.id)), transitions: transitions.count };
}

/** Deletes batch after batch until one comes back short; the count of each. */
async function drain(type: string, limit: number): Promise<number[]> {
  const counts: number[] = [];
  for (;;) {
    const deleted = await retention.deleteFinished({ finishedMs: WEEK_MS, limit });
    counts.push(deleted);
    if (deleted < limit) return counts;
    expect(counts.length, `draining ${type}`).toBeLessThan(1000);
  }
}

describe('task retention', () => {
  it('deletes final tasks that ended before the retention with their transitions, and keeps the rest', async () => {
    const old = {
      succeeded: await submit('ret.old', 2),
      failed: await submit('ret.old', 1),
      cancelled: await submit('ret.old', 1),
      timed_out: await submit('ret.old', 1),
    };
    for (const [status, ids] of Object.entries(old)) {
      await finish(ids, status as FinalTaskStatus, WEEK_MS + DAY_MS);
    }
    const recent = await submit('ret.recent', 2);
    await finish(recent, 'succeeded', WEEK_MS - DAY_MS);
    // Unfinished tasks of any age stay, even one whose finish time is (wrongly) old.
    const waiting = await submit('ret.waiting', 3);
    const running = await submit('ret.running', 1);
    await database.sql`
      UPDATE tasks.tasks SET created_at = now() - interval '365 days',
        run_at = now() - interval '365 days'
      WHERE id IN ${database.sql([...waiting, ...running])}`;
    await database.sql`
      UPDATE tasks.tasks SET status = 'running', attempt = 1, agent_id = 'gone',
        finished_at = now() - interval '30 days'
      WHERE id IN ${database.sql(running)}`;
    const expired = Object.values(old).flat();

    expect(await retention.deleteFinished({ finishedMs: WEEK_MS, limit: 100 })).toBe(
      expired.length,
    );

    expect(await remaining(expired)).toEqual({ tasks: new Set(), transitions: 0 });
    const kept = await remaining([...recent, ...waiting, ...running]);
    expect(kept.tasks).toEqual(new Set([...recent, ...waiting, ...running]));
    // submitted + running + final for each recent task; submitted for each waiting one.
    expect(kept.transitions).toBe(recent.length * 3 + waiting.length + running.length);
    expect(await retention.deleteFinished({ finishedMs: WEEK_MS, limit: 100 })).toBe(0);
  });

  it('keeps a final task while an unfinished task depends on it or a schedule names it last', async () => {
    const [dependency] = (await submit('ret.dep', 1)) as [string];
    const [dependent] = (await submit('ret.dependent', 1, [dependency])) as [string];
    const [finishedParent] = (await submit('ret.dep', 1)) as [string];
    const [finishedChild] = (await submit('ret.dependent', 1, [finishedParent])) as [string];
    const [lastOfSchedule] = (await submit('ret.cron', 1)) as [string];
    await finish([dependency, finishedParent, lastOfSchedule], 'failed', WEEK_MS + DAY_MS);
    await finish([finishedChild], 'cancelled', WEEK_MS + DAY_MS);
    await database.sql`
      INSERT INTO tasks.schedules (name, type, cron, timezone, input, next_run_at, created_by,
        last_task_id)
      VALUES ('ret-monthly', 'ret.cron', '0 0 1 * *', 'UTC', ${Buffer.from('{}')},
        now() + interval '20 days', 'retention-test', ${lastOfSchedule})`;

    await drain('dependencies', 100);
    const left = await remaining([
      dependency,
      dependent,
      finishedParent,
      finishedChild,
      lastOfSchedule,
    ]);
    // A final dependent does not hold its dependency: both go.
    expect(left.tasks).toEqual(new Set([dependency, dependent, lastOfSchedule]));

    // Once the dependent is settled (cancelled, its dependency failed), the dependency can go.
    await store.resolveDependencies(100);
    expect((await store.get(dependent))?.status).toBe('cancelled');
    await database.sql`
      UPDATE tasks.tasks SET finished_at = now() - interval '8 days' WHERE id = ${dependent}`;
    await drain('settled dependencies', 100);
    expect((await remaining([dependency, dependent])).tasks).toEqual(new Set());
    expect((await remaining([lastOfSchedule])).tasks).toEqual(new Set([lastOfSchedule]));
  });

  it('cancels a task whose dependency is gone instead of running it', async () => {
    // What a submit that checked its dependency just before retention deleted it leaves.
    const [orphan] = (await submit('ret.orphan', 1, [uuidv7()])) as [string];
    await store.resolveDependencies(100);
    expect((await store.get(orphan))?.status).toBe('cancelled');
  });

  it('deletes at most the batch size in one statement', async () => {
    const ids = await submit('ret.batch', 5);
    await finish(ids, 'succeeded', WEEK_MS + DAY_MS);
    expect(await drain('batches', 2)).toEqual([2, 2, 1]);
    expect(await remaining(ids)).toEqual({ tasks: new Set(), transitions: 0 });
  });

  it('deletes each task once when sweeps run at once, and none of them fails', async () => {
    const ids = await submit('ret.race', 300);
    await finish(ids, 'succeeded', WEEK_MS + DAY_MS);
    const sweeps = await Promise.all([
      drain('race a', 25),
      drain('race b', 25),
      drain('race c', 25),
    ]);
    expect(sweeps.flat().reduce((sum, count) => sum + count, 0)).toBe(ids.length);
    expect(sweeps.flat().every((count) => count <= 25)).toBe(true);
    expect(await remaining(ids)).toEqual({ tasks: new Set(), transitions: 0 });
  });

  it('runs in the worker every SB_TASKS__RETENTION__SWEEP_INTERVAL_MS with SB_TASKS__RETENTION__FINISHED_MS', async () => {
    await mesh.startWorker({
      SB_TASKS__RETENTION__FINISHED_MS: '60000',
      SB_TASKS__RETENTION__SWEEP_INTERVAL_MS: '50',
      SB_TASKS__RETENTION__SWEEP_BATCH_SIZE: '3',
    });
    const expired = await submit('ret.worker', 10);
    const recent = await submit('ret.worker', 2);
    await finish(expired, 'succeeded', 120_000);
    await finish(recent, 'failed', 1000);
    await waitFor(async () => (await remaining(expired)).tasks.size === 0, {
      what: 'the worker sweeps the expired tasks',
    });
    expect(await remaining(expired)).toEqual({ tasks: new Set(), transitions: 0 });
    const kept = await remaining(recent);
    expect(kept.tasks).toEqual(new Set(recent));
    expect(kept.transitions).toBe(recent.length * 3);
  });
});
