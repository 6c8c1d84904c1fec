import { PassThrough } from 'node:stream';
import { connectPostgres, type Database } from '@switchboard/db';
import { createLogger } from '@switchboard/logger';
import {
  createDatabaseTestContext,
  type DatabaseTestContext,
  type TestContext,
} from '@switchboard/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSecurityEventStore } from '../db/security-event-store.ts';
import { type SecurityRetention, startSecurityRetention } from './security-retention.ts';

// Retention of gateway.security_events against a real Postgres: events are made old by their
// `at`, the cut-off is a day.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

let world: DatabaseTestContext | undefined;
let context: TestContext;
let database: Database;

beforeAll(async () => {
  world = await createDatabaseTestContext('security-retention-test');
  ({ context, database } = world);
});

afterAll(async () => {
  await world?.cleanup();
});

beforeEach(async () => {
  await database.sql`TRUNCATE gateway.security_events`;
});

/**
 * `count` events `ageMs` old and older, a minute apart (the n-th is n minutes older), marked
 * with `detail` = `${label}-${n}`.
 */
async function insertEvents(label: string, count: number, ageMs: number): Promise<void> {
  await database.sql`
    INSERT INTO gateway.security_events (id, kind, at, service, detail)
    SELECT gen_random_uuid(), 'auth_failed',
      now() - ${ageMs} * interval '1 millisecond' - n * interval '1 minute',
      'gateway', ${label} || '-' || n
    FROM generate_series(1, ${count}) AS n`;
}

/** The `detail` of every stored event, sorted. */
async function remaining(): Promise<string[]> {
  const rows = await database.sql<{ detail: string }[]>`
    SELECT detail FROM gateway.security_events ORDER BY detail`;
  return rows.map((row) => row.detail);
}

const details = (label: string, numbers: number[]) => numbers.map((n) => `${label}-${n}`).sort();
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);
const dayAgo = () => new Date(Date.now() - DAY_MS);

const quietLog = () =>
  createLogger({
    service: 'gateway',
    instanceId: 'security-retention-test',
    level: 'warn',
    format: 'json',
    destination: new PassThrough(),
  });

/**
 * The real store, with what each of its statements deleted recorded; `afterBatch` runs after
 * each one.
 */
function recordingStore(afterBatch: () => Promise<void> = async () => undefined) {
  const store = createSecurityEventStore(database);
  const batches: number[] = [];
  return {
    batches,
    store: {
      async deleteBefore(before: Date, limit: number): Promise<number> {
        const deleted = await store.deleteBefore(before, limit);
        batches.push(deleted);
        await afterBatch();
        return deleted;
      },
    },
  };
}

describe('deleting security events past retention', () => {
  it('deletes at most the limit in one statement, the oldest first, and nothing recent', async () => {
    await insertEvents('old', 10, 2 * DAY_MS);
    await insertEvents('recent', 3, HOUR_MS);
    const store = createSecurityEventStore(database);

    expect(await store.deleteBefore(dayAgo(), 4)).toBe(4);
    // old-n is n minutes older than old-1: the four oldest are 7..10.
    expect(await remaining()).toEqual(
      [...details('old', range(1, 6)), ...details('recent', range(1, 3))].sort(),
    );
    expect(await store.deleteBefore(dayAgo(), 4)).toBe(4);
    expect(await store.deleteBefore(dayAgo(), 4)).toBe(2);
    expect(await store.deleteBefore(dayAgo(), 4)).toBe(0);
    expect(await remaining()).toEqual(details('recent', range(1, 3)));
  });

  it('skips the events another replica holds and deletes the next ones instead', async () => {
    await insertEvents('old', 10, 2 * DAY_MS);
    const holder = await database.sql.reserve();
    try {
      await holder`BEGIN`;
      // Another sweep's statement in progress: it holds the four oldest (old-7..old-10).
      await holder`
        SELECT id FROM gateway.security_events ORDER BY at, id LIMIT 4 FOR UPDATE`;
      expect(await createSecurityEventStore(database).deleteBefore(dayAgo(), 4)).toBe(4);
      expect(await remaining()).toEqual(details('old', [1, 2, 7, 8, 9, 10]));
      await holder`ROLLBACK`;
    } finally {
      holder.release();
    }
  });

  it('lets two replicas delete at once without failing or deleting anything twice', async () => {
    const count = 300;
    await insertEvents('old', count, 2 * DAY_MS);
    await insertEvents('recent', 2, HOUR_MS);
    // Two stores on two pools: each replica's statements run on connections of their own.
    const other = await connectPostgres(
      { url: context.database.url, poolMax: 2, connectTimeoutMs: 5000 },
      'security-retention-test-2',
    );
    try {
      const replica = async (store: ReturnType<typeof createSecurityEventStore>) => {
        const batches: number[] = [];
        for (let round = 0; round < 100; round += 1) {
          const deleted = await store.deleteBefore(dayAgo(), 25);
          if (deleted === 0) break;
          batches.push(deleted);
        }
        return batches;
      };
      const [first, second] = await Promise.all([
        replica(createSecurityEventStore(database)),
        replica(createSecurityEventStore(other)),
      ]);
      const all = [...first, ...second];
      for (const deleted of all) expect(deleted).toBeLessThanOrEqual(25);
      expect(all.reduce((sum, deleted) => sum + deleted, 0)).toBe(count);
    } finally {
      await other.close(1000);
    }
    expect(await remaining()).toEqual(details('recent', range(1, 2)));
  });

  it('reads the expired events through security_events_at_idx', async () => {
    const { sql } = database;
    await sql`SET enable_seqscan = off`;
    try {
      const plan = await sql<{ 'QUERY PLAN': string }[]>`
        EXPLAIN DELETE FROM gateway.security_events WHERE id IN (
          SELECT id FROM gateway.security_events WHERE at < now()
          ORDER BY at, id LIMIT 10 FOR UPDATE SKIP LOCKED)`;
      expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('security_events_at_idx');
    } finally {
      await sql`RESET enable_seqscan`;
    }
  });
});

describe('the security event retention sweep', () => {
  const settings = { retentionMs: DAY_MS, sweepBatchSize: 4, sweepIntervalMs: HOUR_MS };
  let retention: SecurityRetention | undefined;

  afterAll(async () => {
    await retention?.stop();
  });

  it('clears a backlog of more than two and a half batches in one sweep, batch after batch', async () => {
    await insertEvents('old', 11, 2 * DAY_MS);
    await insertEvents('recent', 3, HOUR_MS);
    const { store, batches } = recordingStore();
    // An hour between sweeps: only the sweep run here runs.
    retention = startSecurityRetention({ store, settings: () => settings, log: quietLog() });

    expect(await retention.sweepNow()).toBe(11);
    // Each statement deleted at most a batch; the short one ended the sweep.
    expect(batches).toEqual([4, 4, 3]);
    expect(await remaining()).toEqual(details('recent', range(1, 3)));
    await retention.stop();
  });

  it('sweeps again while the batches come back full, and stops after one exactly as full', async () => {
    await insertEvents('old', 8, 2 * DAY_MS);
    const { store, batches } = recordingStore();
    retention = startSecurityRetention({ store, settings: () => settings, log: quietLog() });

    expect(await retention.sweepNow()).toBe(8);
    expect(batches).toEqual([4, 4, 0]);
    expect(await remaining()).toEqual([]);
    await retention.stop();
  });

  it('stops between batches once it is stopped', async () => {
    await insertEvents('old', 11, 2 * DAY_MS);
    const { store, batches } = recordingStore(async () => {
      await retention?.stop();
    });
    retention = startSecurityRetention({ store, settings: () => settings, log: quietLog() });

    expect(await retention.sweepNow()).toBe(4);
    expect(batches).toEqual([4]);
    expect(await remaining()).toHaveLength(7);
  });
});
