import { connectPostgres, createRecordCodec, type Database } from '@switchboard/db';
import { type DeliveryStatus, DlqListRpc, RouterHistoryRpc } from '@switchboard/protocol';
import { type Service, sweepInBatches } from '@switchboard/service';
import { agentPrincipal, waitFor } from '@switchboard/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHistoryStore, type HistoryStore } from './db/history-store.ts';
import { createRouterHarness, type RouterHarness } from './test-router.ts';

let world: RouterHarness;

/** A node of a JSON plan, as auto_explain logs it (the root also has the statement). */
interface PlanNode {
  'Query Text'?: string;
  Plan?: PlanNode;
  'Node Type'?: string;
  'Index Name'?: string;
  'Sort Key'?: string[];
  Plans?: PlanNode[];
}

beforeAll(async () => {
  world = await createRouterHarness(['gw-a']);
});
afterAll(async () => {
  await world.stop();
});

describe('retention', () => {
  let router: Service | undefined;

  beforeAll(async () => {
    router = await world.start('router-1', {
      SB_ROUTER__RETENTION__MESSAGES_MS: '300',
      SB_ROUTER__RETENTION__DEAD_LETTERS_MS: '300',
      SB_ROUTER__RETENTION__SWEEP_INTERVAL_MS: '50',
      SB_ROUTER__DELIVERY__MAX_ATTEMPTS: '1',
    });
  });
  // The statements below are tested on the same database with no router sweeping beside them.
  afterAll(async () => {
    await router?.stop();
  });

  it('deletes settled messages and old dead letters, and keeps what still waits for delivery', async () => {
    await world.gateways.connect('ret-inbox');
    await world.gateways.register('ret-offline');
    const everything = [{ kind: 'publish' as const, topics: ['>'] }];
    await world.send(agentPrincipal('ret-sender', everything), {
      to: { kind: 'agent', agentId: 'ret-inbox' },
      payload: 'done',
      conversationId: 'ret-settled',
    });
    const waiting = await world.send(agentPrincipal('ret-sender', everything), {
      to: { kind: 'agent', agentId: 'ret-offline' },
      payload: 'later',
      conversationId: 'ret-waiting',
    });
    await world.gateways.until(() => world.gateways.messagesFor('ret-inbox').length === 1);
    const [push] = world.gateways.messagesFor('ret-inbox');
    // One attempt allowed: the nack makes a dead letter.
    await world.ack('ret-inbox', [], [{ deliveryId: push?.deliveryId as string }]);
    const search = (conversationId: string) => world.call(RouterHistoryRpc, { conversationId });
    await waitFor(async () => (await search('ret-settled')).items.length === 0);
    await waitFor(
      async () => (await world.call(DlqListRpc, { agentId: 'ret-inbox' })).items.length === 0,
    );
    expect((await search('ret-waiting')).items.map((item) => item.id)).toEqual([waiting.messageId]);
  });
});

// The retention statements (history-store.ts) against the real Postgres: rows are made old by
// their accepted_at / dead_at, the cut-off is a day for both. Sweeps that another replica could
// be running at the same time run on connections with a lock_timeout of 1 ms, so a statement
// that waited for a row lock would fail instead of hanging the test.
describe('the retention statements', () => {
  const HOUR_MS = 3_600_000;
  const DAY_MS = 24 * HOUR_MS;
  const target = JSON.stringify({ kind: 'topic', topic: 'retention' });
  let database: Database;
  let history: HistoryStore;

  beforeAll(async () => {
    database = await connectPostgres(
      { url: world.context.database.url, poolMax: 4, connectTimeoutMs: 5000 },
      'router-retention-test',
    );
    history = createHistoryStore(database, createRecordCodec());
  });
  afterAll(async () => {
    await database?.close(1000);
  });
  beforeEach(async () => {
    await database.sql`TRUNCATE router.messages, router.deliveries, router.dead_letters`;
  });

  const batch = (limit: number) => ({ messagesMs: DAY_MS, deadLettersMs: DAY_MS, limit });

  /**
   * `count` messages `ageMs` old and older, a minute apart (the n-th is n minutes older, and
   * stored before the (n+1)-th, so table order is youngest first), each with one delivery per
   * status, marked by the conversation id `${label}-${n}`.
   */
  async function insertMessages(
    label: string,
    count: number,
    ageMs: number,
    statuses: DeliveryStatus[],
  ): Promise<void> {
    await database.sql`
      WITH stored AS (
        INSERT INTO router.messages
          (id, sent_by, target, priority, conversation_id, payload, recipients, accepted_at,
            expires_at)
        SELECT gen_random_uuid(), 'key:k_test', ${target}::jsonb, 0, ${label} || '-' || n,
          ${Buffer.from('"x"')}, ${statuses.length},
          now() - ${ageMs} * interval '1 millisecond' - n * interval '1 minute',
          now() + interval '1 day'
        FROM generate_series(1, ${count}) AS n
        RETURNING id)
      INSERT INTO router.deliveries (message_id, agent_id, priority, status, attempts, expires_at)
      SELECT stored.id, 'ret-agent-' || s.n, 0, s.status, 1, now() + interval '1 day'
      FROM stored CROSS JOIN unnest(${statuses}::text[]) WITH ORDINALITY AS s(status, n)`;
  }

  /** `count` dead letters `ageMs` old and older like {@link insertMessages}, of agent `${label}-${n}`. */
  async function insertDeadLetters(label: string, count: number, ageMs: number): Promise<void> {
    await database.sql`
      INSERT INTO router.dead_letters
        (delivery_id, message_id, agent_id, attempts, reason, envelope, payload, dead_at)
      SELECT nextval('router.deliveries_id_seq'), gen_random_uuid(), ${label} || '-' || n, 3,
        'max_attempts', '{}'::jsonb, ${Buffer.from('"x"')},
        now() - ${ageMs} * interval '1 millisecond' - n * interval '1 minute'
      FROM generate_series(1, ${count}) AS n`;
  }

  /** The conversation id of every stored message, sorted. */
  async function messagesLeft(): Promise<string[]> {
    const rows = await database.sql<{ conversation_id: string }[]>`
      SELECT conversation_id FROM router.messages`;
    return rows.map((row) => row.conversation_id).sort();
  }

  /** The agent of every stored dead letter, sorted. */
  async function deadLettersLeft(): Promise<string[]> {
    const rows = await database.sql<{ agent_id: string }[]>`
      SELECT agent_id FROM router.dead_letters`;
    return rows.map((row) => row.agent_id).sort();
  }

  /** `${conversation id}:${status}` of every stored delivery, sorted. */
  async function deliveriesLeft(): Promise<string[]> {
    const rows = await database.sql<{ conversation_id: string; status: string }[]>`
      SELECT m.conversation_id, d.status FROM router.deliveries d
      JOIN router.messages m ON m.id = d.message_id`;
    return rows.map((row) => `${row.conversation_id}:${row.status}`).sort();
  }

  const labels = (label: string, numbers: number[]) => numbers.map((n) => `${label}-${n}`);
  const range = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, index) => from + index);

  /**
   * Runs `work` with a history store on a connection of its own (another replica's), on which
   * waiting for a lock fails at once.
   */
  async function asReplica<T>(work: (store: HistoryStore) => Promise<T>): Promise<T> {
    const connection = await database.sql.reserve();
    try {
      await connection`SET lock_timeout = '1ms'`;
      return await work(createHistoryStore({ ...database, sql: connection }, createRecordCodec()));
    } finally {
      await connection`RESET lock_timeout`;
      connection.release();
    }
  }

  it('deletes the oldest settled messages first, at most the limit a statement, passing over old ones still waiting for delivery', async () => {
    // Older than every settled message, but a delivery is still queued or in flight.
    await insertMessages('waiting-queued', 2, 3 * DAY_MS, ['acked', 'queued']);
    await insertMessages('waiting-inflight', 2, 3 * DAY_MS, ['dead', 'inflight']);
    await insertMessages('old', 10, 2 * DAY_MS, ['acked', 'dead', 'expired']);
    await insertMessages('old-no-recipient', 1, 2 * DAY_MS + 30_000, []);
    await insertMessages('recent', 2, HOUR_MS, ['acked']);
    const kept = [
      ...labels('recent', [1, 2]),
      ...labels('waiting-inflight', [1, 2]),
      ...labels('waiting-queued', [1, 2]),
    ];

    // old-n is n minutes older than old-1: the four oldest settled are old-7..old-10.
    expect(await history.sweep(batch(4))).toEqual({ messages: 4, deadLetters: 0 });
    expect(await messagesLeft()).toEqual(
      [...labels('old', range(1, 6)), 'old-no-recipient-1', ...kept].sort(),
    );
    // old-no-recipient-1 is between old-1 and old-2 in age.
    expect(await history.sweep(batch(4))).toEqual({ messages: 4, deadLetters: 0 });
    expect(await messagesLeft()).toEqual(
      [...labels('old', [1, 2]), 'old-no-recipient-1', ...kept].sort(),
    );
    expect(await history.sweep(batch(4))).toEqual({ messages: 3, deadLetters: 0 });
    expect(await history.sweep(batch(4))).toEqual({ messages: 0, deadLetters: 0 });
    expect(await messagesLeft()).toEqual([...kept].sort());
    // The deliveries of what was kept are all still there.
    expect(await deliveriesLeft()).toEqual(
      [
        'recent-1:acked',
        'recent-2:acked',
        'waiting-inflight-1:dead',
        'waiting-inflight-1:inflight',
        'waiting-inflight-2:dead',
        'waiting-inflight-2:inflight',
        'waiting-queued-1:acked',
        'waiting-queued-1:queued',
        'waiting-queued-2:acked',
        'waiting-queued-2:queued',
      ].sort(),
    );
  });

  it('deletes the oldest dead letters first, at most the limit a statement, and none recent', async () => {
    await insertDeadLetters('old', 10, 2 * DAY_MS);
    await insertDeadLetters('recent', 2, HOUR_MS);

    expect(await history.sweep(batch(4))).toEqual({ messages: 0, deadLetters: 4 });
    expect(await deadLettersLeft()).toEqual(
      [...labels('old', range(1, 6)), ...labels('recent', [1, 2])].sort(),
    );
    expect((await history.sweep(batch(4))).deadLetters).toBe(4);
    expect((await history.sweep(batch(4))).deadLetters).toBe(2);
    expect((await history.sweep(batch(4))).deadLetters).toBe(0);
    expect(await deadLettersLeft()).toEqual(labels('recent', [1, 2]).sort());
  });

  it('skips the messages and dead letters another replica holds and deletes the next ones instead', async () => {
    await insertMessages('old', 10, 2 * DAY_MS, ['acked']);
    await insertDeadLetters('old', 10, 2 * DAY_MS);
    const holder = await database.sql.reserve();
    try {
      await holder`BEGIN`;
      // Another sweep's statements in progress: they hold the two oldest of each table.
      await holder`
        SELECT id FROM router.messages ORDER BY accepted_at LIMIT 2 FOR UPDATE`;
      await holder`
        SELECT delivery_id FROM router.dead_letters ORDER BY dead_at LIMIT 2 FOR UPDATE`;

      expect(await asReplica((store) => store.sweep(batch(4)))).toEqual({
        messages: 4,
        deadLetters: 4,
      });
      expect(await messagesLeft()).toEqual(labels('old', [1, 10, 2, 3, 4, 9]).sort());
      expect(await deadLettersLeft()).toEqual(labels('old', [1, 10, 2, 3, 4, 9]).sort());
    } finally {
      await holder`ROLLBACK`;
      holder.release();
    }
  });

  it('passes over a message a dead-letter replay is queueing again, and keeps it once queued', async () => {
    await insertMessages('old', 6, 2 * DAY_MS, ['dead']);
    const replay = await database.sql.reserve();
    try {
      // A replay in progress: its new queued delivery of the oldest message (old-6) is not
      // committed yet, so this sweep's snapshot sees old-6 settled.
      await replay`BEGIN`;
      await replay`
        INSERT INTO router.deliveries (message_id, agent_id, priority, expires_at)
        SELECT id, 'ret-agent-1', 0, now() + interval '1 day'
        FROM router.messages WHERE conversation_id = 'old-6'`;

      expect((await asReplica((store) => store.sweep(batch(4)))).messages).toBe(4);
      expect(await messagesLeft()).toEqual(labels('old', [1, 6]));
      await replay`COMMIT`;
    } finally {
      // Nothing to roll back once committed; a failed assertion must not leave locks behind.
      await replay`ROLLBACK`;
      replay.release();
    }
    // Once the replay committed, old-6 has a queued delivery: retention keeps it.
    expect((await history.sweep(batch(4))).messages).toBe(1);
    expect(await messagesLeft()).toEqual(['old-6']);
    expect(await deliveriesLeft()).toEqual(['old-6:dead', 'old-6:queued']);
  });

  it('runs two sweeps at once: the second deletes the next oldest while the first is still open', async () => {
    await insertMessages('old', 10, 2 * DAY_MS, ['acked']);
    await insertDeadLetters('old', 10, 2 * DAY_MS);
    const first = await database.sql.reserve();
    let removed: Array<{ messages: number; deadLetters: number }>;
    try {
      await first`BEGIN`;
      // One replica's statements, deleted and not yet committed: old-7..old-10 of each table.
      const firstRemoved = await createHistoryStore(
        { ...database, sql: first },
        createRecordCodec(),
      ).sweep(batch(4));
      // Another replica meanwhile: it must neither wait for those rows nor count them again.
      const secondRemoved = await asReplica((store) => store.sweep(batch(4)));
      await first`COMMIT`;
      removed = [firstRemoved, secondRemoved];
    } finally {
      await first`ROLLBACK`;
      first.release();
    }

    expect(removed).toEqual([
      { messages: 4, deadLetters: 4 },
      { messages: 4, deadLetters: 4 },
    ]);
    expect(await messagesLeft()).toEqual(labels('old', [1, 2]));
    expect(await deadLettersLeft()).toEqual(labels('old', [1, 2]));
  });

  it('lets two replicas sweep a backlog together: batches bounded, each row deleted once, nothing left behind', async () => {
    // Small batches, many statements: the replicas' statements overlap many times over.
    const messages = 300;
    const deadLetters = 150;
    await insertMessages('old', messages, 2 * DAY_MS, ['acked']);
    await insertMessages('waiting', 3, 3 * DAY_MS, ['queued']);
    await insertMessages('recent', 2, HOUR_MS, ['acked']);
    await insertDeadLetters('old', deadLetters, 2 * DAY_MS);
    await insertDeadLetters('recent', 2, HOUR_MS);

    const replica = () =>
      asReplica(async (store) => {
        const batches: Array<{ messages: number; deadLetters: number }> = [];
        await sweepInBatches(async () => {
          const removed = await store.sweep(batch(10));
          batches.push(removed);
          return Math.max(removed.messages, removed.deadLetters);
        }, 10);
        return batches;
      });
    // A lock wait would have failed a statement (lock_timeout) and so this Promise.all.
    const all = (await Promise.all([replica(), replica()])).flat();

    for (const removed of all) {
      expect(removed.messages).toBeLessThanOrEqual(10);
      expect(removed.deadLetters).toBeLessThanOrEqual(10);
    }
    expect(all.reduce((sum, removed) => sum + removed.messages, 0)).toBe(messages);
    expect(all.reduce((sum, removed) => sum + removed.deadLetters, 0)).toBe(deadLetters);
    expect(await messagesLeft()).toEqual(
      [...labels('recent', [1, 2]), ...labels('waiting', [1, 2, 3])].sort(),
    );
    expect(await deadLettersLeft()).toEqual(labels('recent', [1, 2]).sort());
  });

  it('reads the oldest candidates through messages_accepted_at_idx and dead_letters_dead_at_idx, without sorting them, and deletes the locked messages by key', async () => {
    await insertMessages('old', 5, 2 * DAY_MS, ['acked']);
    await insertDeadLetters('old', 5, 2 * DAY_MS);
    // The plans of the statements as the sweep runs them, those inside router.sweep_messages
    // too: auto_explain logs every plan (as JSON), and client_min_messages sends the log here.
    const plans: PlanNode[] = [];
    const explaining = postgres(world.context.database.url, {
      max: 1,
      onnotice: (notice) => {
        const logged = /plan:\n(\{[\s\S]*\})$/.exec(notice.message ?? '')?.[1];
        if (logged !== undefined) plans.push(JSON.parse(logged) as PlanNode);
      },
    });
    try {
      await explaining`LOAD 'auto_explain'`;
      await explaining`SET auto_explain.log_min_duration = 0`;
      await explaining`SET auto_explain.log_nested_statements = on`;
      await explaining`SET auto_explain.log_format = json`;
      await explaining`SET client_min_messages = log`;
      // A few rows make a sequential scan cheapest; a busy router's tables do not.
      await explaining`SET enable_seqscan = off`;
      const store = createHistoryStore({ ...database, sql: explaining }, createRecordCodec());
      expect(await store.sweep(batch(10))).toEqual({ messages: 5, deadLetters: 5 });
    } finally {
      await explaining.end({ timeout: 1 });
    }

    /** The nodes of the one plan whose statement contains `marker`. */
    const nodesOf = (marker: string): PlanNode[] => {
      const found = plans.filter((plan) => plan['Query Text']?.includes(marker));
      if (found.length !== 1)
        throw new Error(`expected one plan of "${marker}", saw ${found.length}`);
      const nodes: PlanNode[] = [];
      const walk = (node: PlanNode) => {
        nodes.push(node);
        for (const child of node.Plans ?? []) walk(child);
      };
      walk((found[0] as PlanNode).Plan as PlanNode);
      return nodes;
    };
    const indexesOf = (nodes: PlanNode[]) => nodes.map((node) => node['Index Name']);
    const sortKeysOf = (nodes: PlanNode[]) => nodes.flatMap((node) => node['Sort Key'] ?? []);

    const candidates = nodesOf('FOR UPDATE OF m SKIP LOCKED');
    expect(indexesOf(candidates)).toContain('messages_accepted_at_idx');
    expect(candidates.map((node) => node['Node Type'])).toContain('LockRows');
    expect(sortKeysOf(candidates).join()).not.toContain('accepted_at');
    // The second statement finds the locked batch by key: it never scans for candidates again.
    const deletion = nodesOf('DELETE FROM router.messages');
    expect(indexesOf(deletion)).toContain('messages_pkey');
    expect(indexesOf(deletion)).not.toContain('messages_accepted_at_idx');
    const deadLetters = nodesOf('DELETE FROM router.dead_letters');
    expect(indexesOf(deadLetters)).toContain('dead_letters_dead_at_idx');
    expect(deadLetters.map((node) => node['Node Type'])).toContain('LockRows');
    expect(sortKeysOf(deadLetters).join()).not.toContain('dead_at');
  });
});
