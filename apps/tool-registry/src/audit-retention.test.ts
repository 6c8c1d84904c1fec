import { PassThrough } from 'node:stream';
import { loadConfig } from '@switchboard/config';
import { createRecordCodec, type Database } from '@switchboard/db';
import { createLogger } from '@switchboard/logger';
import { sweepInBatches } from '@switchboard/service';
import {
  createDatabaseTestContext,
  type DatabaseTestContext,
  type TestContext,
} from '@switchboard/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AuditTrail, createAuditTrail } from './audit-trail.ts';
import { toolsConfig } from './config.ts';
import { type AuditStore, createAuditStore } from './db/audit-store.ts';

// Retention of tools.call_audit against a real Postgres: rows are made old by their `at`, the
// cut-off is a day. Sweeps that another replica could be running at the same time run on
// connections with a lock_timeout of 1 ms, so a statement that waited for a row lock would fail
// instead of hanging the test.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const BATCH = 4;

let world: DatabaseTestContext | undefined;
let context: TestContext;
let database: Database;

beforeAll(async () => {
  world = await createDatabaseTestContext('audit-retention-test');
  ({ context, database } = world);
});

afterAll(async () => {
  await world?.cleanup();
});

beforeEach(async () => {
  await database.sql`TRUNCATE tools.call_audit`;
});

const storeOn = (sql: postgres.Sql): AuditStore =>
  createAuditStore({ ...database, sql }, createRecordCodec());

/**
 * `count` audited calls `ageMs` old and older, a minute apart (the n-th is n minutes older, and
 * stored before the (n+1)-th, so table order is youngest first), with random ids (so id order
 * says nothing about age), made by caller `${label}-${n}`.
 */
async function insertCalls(label: string, count: number, ageMs: number): Promise<void> {
  await database.sql`
    INSERT INTO tools.call_audit (id, at, caller, name, version, outcome, duration_ms)
    SELECT gen_random_uuid()::text,
      now() - ${ageMs} * interval '1 millisecond' - n * interval '1 minute',
      ${label} || '-' || n, 'ret.tool', '1.0.0', 'ok', 1
    FROM generate_series(1, ${count}) AS n`;
}

/** The caller of every stored row, sorted. */
async function remaining(): Promise<string[]> {
  const rows = await database.sql<{ caller: string }[]>`SELECT caller FROM tools.call_audit`;
  return rows.map((row) => row.caller).sort();
}

const callers = (label: string, numbers: number[]) => numbers.map((n) => `${label}-${n}`).sort();
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);
const dayAgo = () => new Date(Date.now() - DAY_MS);

/**
 * Runs `work` with an audit store on a connection of its own (another replica's), on which
 * waiting for a lock fails at once.
 */
async function asReplica<T>(work: (store: AuditStore) => Promise<T>): Promise<T> {
  const connection = await database.sql.reserve();
  try {
    await connection`SET lock_timeout = '1ms'`;
    return await work(storeOn(connection));
  } finally {
    await connection`RESET lock_timeout`;
    connection.release();
  }
}

describe('deleting audited calls past retention', () => {
  it('deletes at most the limit in one statement, the oldest first, and nothing recent', async () => {
    await insertCalls('old', 10, 2 * DAY_MS);
    await insertCalls('recent', 3, HOUR_MS);
    const store = storeOn(database.sql);

    expect(await store.sweep(dayAgo(), BATCH)).toBe(4);
    // old-n is n minutes older than old-1: the four oldest are 7..10.
    expect(await remaining()).toEqual(
      [...callers('old', range(1, 6)), ...callers('recent', range(1, 3))].sort(),
    );
    expect(await store.sweep(dayAgo(), BATCH)).toBe(4);
    expect(await store.sweep(dayAgo(), BATCH)).toBe(2);
    expect(await store.sweep(dayAgo(), BATCH)).toBe(0);
    expect(await remaining()).toEqual(callers('recent', range(1, 3)));
  });

  it('skips the rows another replica holds and deletes the next ones instead', async () => {
    await insertCalls('old', 10, 2 * DAY_MS);
    const holder = await database.sql.reserve();
    try {
      await holder`BEGIN`;
      // Another sweep's statement in progress: it holds the two oldest (old-9, old-10).
      await holder`SELECT id FROM tools.call_audit ORDER BY at LIMIT 2 FOR UPDATE`;
      expect(await asReplica((store) => store.sweep(dayAgo(), BATCH))).toBe(4);
      expect(await remaining()).toEqual(callers('old', [1, 2, 3, 4, 9, 10]));
    } finally {
      await holder`ROLLBACK`;
      holder.release();
    }
  });

  it('runs two sweeps at once: the second deletes the next oldest while the first is still open', async () => {
    await insertCalls('old', 10, 2 * DAY_MS);
    const first = await database.sql.reserve();
    let deleted: number[];
    try {
      await first`BEGIN`;
      // One replica's statement, deleted and not yet committed: old-7..old-10.
      const firstDeleted = await storeOn(first).sweep(dayAgo(), BATCH);
      // Another replica meanwhile: it must neither wait for those rows nor count them again.
      const secondDeleted = await asReplica((store) => store.sweep(dayAgo(), BATCH));
      await first`COMMIT`;
      deleted = [firstDeleted, secondDeleted];
    } finally {
      await first`ROLLBACK`;
      first.release();
    }
    expect(deleted).toEqual([4, 4]);
    expect(await remaining()).toEqual(callers('old', [1, 2]));
  });

  it('lets two replicas sweep a backlog together: batches bounded, each row deleted once, nothing recent', async () => {
    const count = 300;
    await insertCalls('old', count, 2 * DAY_MS);
    await insertCalls('recent', 2, HOUR_MS);
    const replica = () =>
      asReplica(async (store) => {
        const batches: number[] = [];
        await sweepInBatches(async () => {
          const deleted = await store.sweep(dayAgo(), 10);
          batches.push(deleted);
          return deleted;
        }, 10);
        return batches;
      });
    // A lock wait would have failed a statement (lock_timeout) and so this Promise.all.
    const all = (await Promise.all([replica(), replica()])).flat();

    for (const deleted of all) expect(deleted).toBeLessThanOrEqual(10);
    expect(all.reduce((sum, deleted) => sum + deleted, 0)).toBe(count);
    expect(await remaining()).toEqual(callers('recent', [1, 2]));
  });

  it('reads the oldest expired rows through call_audit_at_idx, without sorting them', async () => {
    await insertCalls('old', 5, 2 * DAY_MS);
    // The statement exactly as the store sends it, with its parameters.
    const statements: Array<{ query: string; parameters: unknown[] }> = [];
    const recording = postgres(context.database.url, {
      max: 1,
      onnotice: () => {},
      debug: (_connection, query, parameters) => {
        if (query.trimStart().startsWith('DELETE')) statements.push({ query, parameters });
      },
    });
    try {
      await storeOn(recording).sweep(dayAgo(), 10);
    } finally {
      await recording.end({ timeout: 1 });
    }
    const [statement] = statements;
    if (statement === undefined) throw new Error('the sweep sent no DELETE statement');

    const connection = await database.sql.reserve();
    try {
      // A few rows make a sequential scan cheapest; a busy registry's audit trail does not.
      await connection`SET enable_seqscan = off`;
      const rows = await connection.unsafe<{ 'QUERY PLAN': string }[]>(
        `EXPLAIN ${statement.query}`,
        statement.parameters as never[],
      );
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toContain('Index Scan using call_audit_at_idx');
      expect(plan).toContain('LockRows');
      expect(plan).not.toMatch(/Sort Key:.*\bat\b/);
    } finally {
      await connection`RESET enable_seqscan`;
      connection.release();
    }
  });
});

describe('the audit retention sweep', () => {
  let trail: AuditTrail | undefined;

  afterAll(async () => {
    await trail?.stop();
  });

  const quietLog = () =>
    createLogger({
      service: 'tools',
      instanceId: 'audit-retention-test',
      level: 'warn',
      format: 'json',
      destination: new PassThrough(),
    });

  /** The registry's settings with a day of retention, a batch of 4 and an hour between sweeps. */
  async function settings() {
    const config = await loadConfig(toolsConfig, {
      env: {
        SB_TOOLS__AUDIT__RETENTION_MS: String(DAY_MS),
        SB_TOOLS__AUDIT__SWEEP_BATCH_SIZE: String(BATCH),
        SB_TOOLS__AUDIT__SWEEP_INTERVAL_MS: String(HOUR_MS),
      },
    });
    return config.current.tools;
  }

  /**
   * An audit trail over the real store, with what each of its statements deleted recorded;
   * `afterBatch` runs after each one.
   */
  async function recordingTrail(afterBatch: () => Promise<void> = async () => undefined) {
    const store = storeOn(database.sql);
    const batches: number[] = [];
    const tools = await settings();
    const created = createAuditTrail({
      store: {
        ...store,
        async sweep(before: Date, limit: number): Promise<number> {
          const deleted = await store.sweep(before, limit);
          batches.push(deleted);
          await afterBatch();
          return deleted;
        },
      },
      settings: () => tools,
      log: quietLog(),
    });
    return { trail: created, batches };
  }

  it('clears a backlog of more than two and a half batches in one sweep, batch after batch', async () => {
    await insertCalls('old', 11, 2 * DAY_MS);
    await insertCalls('recent', 3, HOUR_MS);
    const recorded = await recordingTrail();
    trail = recorded.trail;

    expect(await trail.sweepNow()).toBe(11);
    // Each statement deleted at most a batch; the short one ended the sweep.
    expect(recorded.batches).toEqual([4, 4, 3]);
    expect(await remaining()).toEqual(callers('recent', range(1, 3)));
    await trail.stop();
  });

  it('sweeps again while the batches come back full, and stops after one exactly as full', async () => {
    await insertCalls('old', 8, 2 * DAY_MS);
    const recorded = await recordingTrail();
    trail = recorded.trail;

    expect(await trail.sweepNow()).toBe(8);
    expect(recorded.batches).toEqual([4, 4, 0]);
    expect(await remaining()).toEqual([]);
    await trail.stop();
  });

  it('stops between batches once it is stopped', async () => {
    await insertCalls('old', 11, 2 * DAY_MS);
    const recorded = await recordingTrail(async () => {
      await trail?.stop();
    });
    trail = recorded.trail;

    expect(await trail.sweepNow()).toBe(4);
    expect(recorded.batches).toEqual([4]);
    expect(await remaining()).toEqual(callers('old', range(1, 7)));
  });
});
