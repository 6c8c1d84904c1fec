import { randomUUID } from 'node:crypto';
import { connectPostgres, createRecordCodec, type Database } from '@switchboard/db';
import {
  createDatabaseTestContext,
  type DatabaseTestContext,
  type TestContext,
  waitFor,
} from '@switchboard/testing';
import type postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDeadLetterStore } from './db/dead-letter-store.ts';
import { createHistoryStore } from './db/history-store.ts';

// Retention racing a dead-letter replay of the same message, on a real Postgres, with the
// interleavings forced instead of hoped for. How the sweep is held at a chosen point: it runs
// as a role that row-level security applies to (the test's superuser connections bypass it),
// and the policies on router.messages call a gate that takes a shared advisory lock. While the
// test holds gate 1 (policy for reading: every statement of the sweep), the sweep stops at the
// first message row it reads, after its statement took its snapshot and before it locked any
// row. Gate 2 is in the policy for deleting only: held, it stops the sweep at its DELETE, after
// the rows to delete are locked. The test sees the sweep (or a replay) waiting with
// pg_blocking_pids, never by sleeping.

const DAY_MS = 86_400_000;
const READ_GATE = 1;
const DELETE_GATE = 2;
const codec = createRecordCodec();
const role = `sb_test_sweeper_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
let world: DatabaseTestContext | undefined;
let context: TestContext;
let database: Database;

beforeAll(async () => {
  world = await createDatabaseTestContext('router-retention-race-test');
  ({ context, database } = world);
  await database.sql.begin(async (tx) => {
    await tx.unsafe(`CREATE ROLE "${role}" NOLOGIN`);
    await tx.unsafe(`GRANT USAGE ON SCHEMA router TO "${role}"`);
    await tx.unsafe(`GRANT SELECT, UPDATE, DELETE ON router.messages, router.deliveries,
      router.dead_letters TO "${role}"`);
    await tx.unsafe('CREATE SCHEMA retention_gate');
    await tx.unsafe(`GRANT USAGE ON SCHEMA retention_gate TO "${role}"`);
    await tx.unsafe(`
      CREATE FUNCTION retention_gate.pass(gate integer) RETURNS boolean
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(gate);
        RETURN true;
      END;
      $$`);
    await tx.unsafe('ALTER TABLE router.messages ENABLE ROW LEVEL SECURITY');
    await tx.unsafe(`CREATE POLICY gate_reads ON router.messages FOR SELECT TO "${role}"
      USING (retention_gate.pass(${READ_GATE}))`);
    await tx.unsafe(`CREATE POLICY lock_all ON router.messages FOR UPDATE TO "${role}"
      USING (true)`);
    await tx.unsafe(`CREATE POLICY gate_deletes ON router.messages FOR DELETE TO "${role}"
      USING (retention_gate.pass(${DELETE_GATE}))`);
  });
});

afterAll(async () => {
  // The role outlives the database: remove what it holds here, then the role.
  await database?.sql.unsafe(`DROP OWNED BY "${role}"`);
  await database?.sql.unsafe(`DROP ROLE "${role}"`);
  await world?.cleanup();
});

beforeEach(async () => {
  await database.sql`TRUNCATE router.messages, router.deliveries, router.dead_letters`;
});

/**
 * A message accepted two days ago (plus `minutesOlder`) to `agentId`, whose one delivery is
 * `status`; when dead, also its dead letter (as message-store.ts `fail` writes it). Returns the
 * message id and the dead letter's id.
 */
async function storeOldMessage(
  conversationId: string,
  agentId: string,
  status: 'acked' | 'dead',
  minutesOlder: number,
): Promise<{ messageId: string; deadLetterId: string }> {
  const [row] = await database.sql<{ message_id: string; delivery_id: string }[]>`
    WITH message AS (
      INSERT INTO router.messages (id, sent_by, target, priority, conversation_id, payload,
        recipients, accepted_at, expires_at)
      VALUES (gen_random_uuid(), 'key:k_test',
        ${JSON.stringify({ kind: 'agent', agentId })}::jsonb, 3, ${conversationId},
        ${Buffer.from(JSON.stringify(`payload of ${conversationId}`))}, 1,
        now() - interval '2 days' - ${minutesOlder} * interval '1 minute', now() + interval '1 day')
      RETURNING *
    ), delivery AS (
      INSERT INTO router.deliveries (message_id, agent_id, priority, status, attempts, expires_at)
      SELECT id, ${agentId}, priority, ${status}, 3, expires_at FROM message
      RETURNING id, message_id
    ), dead AS (
      INSERT INTO router.dead_letters (delivery_id, message_id, agent_id, attempts, reason,
        envelope, payload, codec, key_id, nonce, format_version)
      SELECT d.id, m.id, ${agentId}, 3, 'max_attempts',
        jsonb_build_object('senderAgent', m.sender_agent, 'sentBy', m.sent_by,
          'target', m.target, 'topic', m.topic, 'headers', m.headers, 'priority', m.priority,
          'conversationId', m.conversation_id, 'correlationId', m.correlation_id,
          'replyTo', m.reply_to, 'receipt', m.receipt, 'acceptedAt', m.accepted_at,
          'expiresAt', m.expires_at),
        m.payload, m.codec, m.key_id, m.nonce, m.format_version
      FROM delivery d JOIN message m ON m.id = d.message_id
      WHERE ${status} = 'dead'
    )
    SELECT message_id, id AS delivery_id FROM delivery`;
  if (row === undefined) throw new Error('the message was not stored');
  return { messageId: row.message_id, deadLetterId: String(row.delivery_id) };
}

/** A database of one connection, for a replay whose server process the test watches. */
function connectReplayer(): Promise<Database> {
  return connectPostgres(
    { url: context.database.url, poolMax: 1, connectTimeoutMs: 5000 },
    'router-retention-race-replay',
  );
}

/** The server process of the connection `sql` (max 1 or reserved). */
async function backendPid(sql: postgres.Sql): Promise<number> {
  const [row] = await sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
  if (row === undefined) throw new Error('no backend pid');
  return row.pid;
}

/** A connection of the test's that holds `gate` shut until `open()`. */
async function closeGate(gate: number) {
  const holder = await database.sql.reserve();
  await holder`BEGIN`;
  await holder`SELECT pg_advisory_xact_lock(${gate})`;
  const pid = await backendPid(holder);
  let open = false;
  return {
    pid,
    async open(): Promise<void> {
      if (open) return;
      open = true;
      await holder`COMMIT`;
      holder.release();
    },
  };
}

/** Starts a retention sweep (a day's retention, batches of 10) as the gated role. */
async function startSweep() {
  const connection = await database.sql.reserve();
  await connection.unsafe(`SET ROLE "${role}"`);
  const pid = await backendPid(connection);
  const store = createHistoryStore({ ...database, sql: connection }, codec);
  const done = store
    .sweep({ messagesMs: DAY_MS, deadLettersMs: DAY_MS, limit: 10 })
    .finally(async () => {
      await connection`RESET ROLE`;
      connection.release();
    });
  // Reported by the test's await; kept from being an unhandled rejection meanwhile.
  done.catch(() => {});
  return { pid, done };
}

/** Resolves once the backend `pid` waits for a lock that `holderPid` holds. */
async function untilBlocked(pid: number, holderPid: number, what: string): Promise<void> {
  await waitFor(
    async () => {
      const [row] = await database.sql<{ blocked: boolean }[]>`
        SELECT ${holderPid}::int = ANY (pg_blocking_pids(${pid})) AS blocked`;
      return row?.blocked === true;
    },
    { what },
  );
}

/** The message as history shows it: its payload and its deliveries' statuses, sorted. */
async function stored(messageId: string) {
  const message = await createHistoryStore(database, codec).message(messageId);
  if (message === undefined) return undefined;
  return {
    payload: message.payload,
    deliveries: message.deliveries.map((delivery) => delivery.status).sort(),
  };
}

describe('retention racing a dead-letter replay', () => {
  it('keeps a message whose replay committed after the sweep took its snapshot but before it locked the message', async () => {
    const settled = await storeOldMessage('settled', 'agent-a', 'acked', 10);
    const replayed = await storeOldMessage('replayed', 'agent-r', 'dead', 0);
    const gate = await closeGate(READ_GATE);
    let removed: { messages: number; deadLetters: number } | undefined;
    const replayer = await connectReplayer();
    // A replay that must not wait: had the sweep locked the message, it would fail at once.
    await replayer.sql`SET lock_timeout = '1ms'`;
    try {
      const sweep = await startSweep();
      // Held at the first row it reads: its snapshot is taken, no message is locked yet.
      await untilBlocked(sweep.pid, gate.pid, 'the sweep to stop at the read gate');

      const replay = await createDeadLetterStore(replayer, codec).replay(
        { ids: [replayed.deadLetterId] },
        DAY_MS,
      );
      expect(replay).toEqual({ count: 1, agents: ['agent-r'] });

      await gate.open();
      removed = await sweep.done;
    } finally {
      await gate.open();
      await replayer.close(1000);
    }

    // The batch held both; the replayed message has a queued delivery again and stays with it.
    expect(await stored(replayed.messageId)).toEqual({
      payload: 'payload of replayed',
      deliveries: ['dead', 'queued'],
    });
    expect(await stored(settled.messageId)).toBeUndefined();
    expect(removed).toEqual({ messages: 1, deadLetters: 0 });
    // The replayed delivery is not pushed yet: a later sweep keeps the message too.
    expect(
      await createHistoryStore(database, codec).sweep({
        messagesMs: DAY_MS,
        deadLettersMs: DAY_MS,
        limit: 10,
      }),
    ).toEqual({ messages: 0, deadLetters: 0 });
  });

  it('answers a replay that waited for a sweep deleting its message by storing the message again from the dead letter', async () => {
    const settled = await storeOldMessage('settled', 'agent-a', 'acked', 10);
    const replayed = await storeOldMessage('replayed', 'agent-r', 'dead', 0);
    const gate = await closeGate(DELETE_GATE);
    const replayer = await connectReplayer();
    try {
      const sweep = await startSweep();
      // Held at its DELETE: both messages are locked, and neither has a delivery queued.
      await untilBlocked(sweep.pid, gate.pid, 'the sweep to stop at the delete gate');

      const replayPid = await backendPid(replayer.sql);
      const replay = createDeadLetterStore(replayer, codec).replay(
        { ids: [replayed.deadLetterId] },
        DAY_MS,
      );
      replay.catch(() => {});
      await untilBlocked(replayPid, sweep.pid, 'the replay to wait for the sweep');

      await gate.open();
      expect(await sweep.done).toEqual({ messages: 2, deadLetters: 0 });
      // The operator is told it was replayed only with the message and its delivery stored.
      expect(await replay).toEqual({ count: 1, agents: ['agent-r'] });
    } finally {
      await gate.open();
      await replayer.close(1000);
    }

    expect(await stored(settled.messageId)).toBeUndefined();
    expect(await stored(replayed.messageId)).toEqual({
      payload: 'payload of replayed',
      deliveries: ['queued'],
    });
    const deadLetters = await database.sql`SELECT 1 FROM router.dead_letters`;
    expect(deadLetters.count).toBe(0);
  });
});
