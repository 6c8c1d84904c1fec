import { createRecordCodec, type Database } from '@switchboard/db';
import {
  createDatabaseTestContext,
  type DatabaseTestContext,
  type TestContext,
} from '@switchboard/testing';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveredMessageOf } from './message-row.ts';
import { createMessageStore, type MessageStore, type NewMessage } from './message-store.ts';

// The accept's own claim (router.accept_messages) against a real Postgres: what it stores, what
// it claims for the connected recipients it is given, and what it leaves queued.

let world: DatabaseTestContext | undefined;
let context: TestContext;
let database: Database;
let store: MessageStore;
const codec = createRecordCodec();
const window = { maxInFlight: 2, ackTimeoutMs: 30_000, limit: 100 };

beforeAll(async () => {
  world = await createDatabaseTestContext('router-accept-claim-test');
  ({ context, database } = world);
  store = createMessageStore(database, context.namespace, codec);
});

afterAll(async () => {
  await world?.cleanup();
});

beforeEach(async () => {
  await database.sql`TRUNCATE router.messages, router.deliveries`;
});

function message(recipients: string[], payload: unknown, priority = 4): NewMessage {
  return {
    id: uuidv7(),
    senderAgent: 'sender',
    sentBy: 'agent:sender',
    target: { kind: 'agent', agentId: recipients[0] as string },
    topic: null,
    headers: {},
    priority,
    conversationId: null,
    correlationId: null,
    replyTo: null,
    receipt: false,
    payload: Buffer.from(JSON.stringify(payload)),
    expiresAt: new Date(Date.now() + 60_000),
    recipients,
  };
}

const statuses = async () =>
  Object.fromEntries(
    (
      await database.sql<{ agent_id: string; status: string; n: number }[]>`
        SELECT agent_id, status, count(*)::int AS n FROM router.deliveries
        GROUP BY agent_id, status ORDER BY agent_id, status`
    ).map((row) => [`${row.agent_id}:${row.status}`, row.n]),
  );

const payloadsOf = (claimed: Awaited<ReturnType<MessageStore['accept']>>['claimed']) =>
  claimed.map((delivery) => deliveredMessageOf(delivery.message, codec).payload);

describe('accept with its own claim', () => {
  it('stores the batch and claims, for the connected recipients only, up to each window, highest priority first', async () => {
    const batch = [
      message(['online'], 'low', 1),
      message(['online'], 'high', 9),
      message(['online'], 'middle', 5),
      message(['offline'], 'waits'),
    ];
    const { outcome, claimed } = await store.accept(batch, { agentIds: ['online'], ...window });

    expect([...outcome.values()]).toEqual(batch.map(() => ({ duplicate: false, recipients: 1 })));
    // A window of two: the two highest priorities leave with the commit, in push order.
    expect(payloadsOf(claimed)).toEqual(['high', 'middle']);
    expect(claimed.map((delivery) => [delivery.agentId, delivery.attempt])).toEqual([
      ['online', 1],
      ['online', 1],
    ]);
    expect(await statuses()).toEqual({
      'offline:queued': 1,
      'online:inflight': 2,
      'online:queued': 1,
    });
  });

  it('answers a re-sent batch as duplicates, storing and claiming nothing more', async () => {
    const batch = [message(['online'], 'once')];
    await store.accept(batch, { agentIds: [], ...window });
    const again = await store.accept(batch, { agentIds: ['online'], ...window });

    expect(again.outcome.get(batch[0]?.id as string)).toEqual({ duplicate: true, recipients: 1 });
    // The first copy's delivery is the one claimed: no second delivery was stored.
    expect(payloadsOf(again.claimed)).toEqual(['once']);
    expect(await statuses()).toEqual({ 'online:inflight': 1 });
  });

  it('claims the head of a queue before the message it stores', async () => {
    await store.accept([message(['back'], 'first')]);
    const { claimed } = await store.accept([message(['back'], 'second')], {
      agentIds: ['back'],
      ...window,
      maxInFlight: 1,
    });
    expect(payloadsOf(claimed)).toEqual(['first']);
  });

  it('skips an agent another claim holds: that one dispatches it', async () => {
    const lockSpace = `router:${context.namespace}`;
    const held = await database.sql.reserve();
    try {
      await held`BEGIN`;
      await held`SELECT pg_advisory_xact_lock(hashtext(${lockSpace}), hashtext('busy'))`;
      const { outcome, claimed } = await store.accept([message(['busy'], 'later')], {
        agentIds: ['busy'],
        ...window,
      });
      expect([...outcome.values()]).toEqual([{ duplicate: false, recipients: 1 }]);
      expect(claimed).toEqual([]);
      expect(await statuses()).toEqual({ 'busy:queued': 1 });
    } finally {
      await held`ROLLBACK`;
      held.release();
    }
    expect(payloadsOf(await store.claim(['busy'], window))).toEqual(['later']);
  });
});
