import { PassThrough } from 'node:stream';
import { loadConfig } from '@switchboard/config';
import { connectPostgres, type Database } from '@switchboard/db';
import { createLogger } from '@switchboard/logger';
import type { DeliveryStatus } from '@switchboard/protocol';
import type { Service } from '@switchboard/service';
import { waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from './app.ts';
import { routerConfig } from './config.ts';
import { createRouterHarness, fastTimers, type RouterHarness } from './test-router.ts';

// The router's retention as app.ts wires it, against a real Postgres: a backlog of old messages
// (made old by their accepted_at) swept by a running router with a batch of 4. A statement-level
// trigger in this file's database records how many messages each DELETE removed, the router's
// own log line (one per sweep that removed anything) tells the sweeps apart, and Postgres's
// function statistics count the sweeps that found nothing.

const HOUR_MS = 3_600_000;
const BATCH = 4;
const OLD_MS = 2 * HOUR_MS;

let world: RouterHarness;
let database: Database;
let router: Service | undefined;
const logLines: Array<Record<string, unknown>> = [];
const target = JSON.stringify({ kind: 'topic', topic: 'retention' });

/**
 * A message accepted `ageMs` ago with one delivery per status, marked by its conversation id
 * `label`. Queued and in-flight deliveries are neither due to expire nor past
 * their lease, so the router's delivery sweep leaves them as they are.
 */
async function insertMessage(
  label: string,
  ageMs: number,
  statuses: DeliveryStatus[],
): Promise<void> {
  const { sql } = database;
  const [message] = await sql<{ id: string }[]>`
    INSERT INTO router.messages
      (id, sent_by, target, priority, conversation_id, payload, recipients,
        accepted_at, expires_at)
    VALUES (gen_random_uuid(), 'key:k_test', ${target}::jsonb,
      0, ${label}, ${Buffer.from('"x"')}, ${statuses.length},
      now() - ${ageMs} * interval '1 millisecond', now() + interval '1 day')
    RETURNING id`;
  const id = (message as { id: string }).id;
  for (const status of statuses) {
    await sql`
      INSERT INTO router.deliveries
        (message_id, agent_id, priority, status, attempts, expires_at, lease_until, acked_at)
      VALUES (${id}, ${status === 'inflight' ? 'ret-busy' : 'ret-offline'}, 0, ${status}, 1,
        now() + interval '1 day',
        ${status === 'inflight' ? sql`now() + interval '1 day'` : null},
        ${status === 'acked' ? sql`now() - ${ageMs} * interval '1 millisecond'` : null})`;
  }
}

/** The conversation ids of the messages left, sorted. */
async function messagesLeft(): Promise<string[]> {
  const rows = await database.sql<{ conversation_id: string }[]>`
    SELECT conversation_id FROM router.messages`;
  return rows.map((row) => row.conversation_id).sort();
}

type Labelled = [label: string, statuses: DeliveryStatus[]];
const many = (count: number, label: string, statuses: DeliveryStatus[]) =>
  Array.from({ length: count }, (_, n): Labelled => [`${label}-${n}`, statuses]);

/** What retention lets go: old, and no delivery queued or in flight (or none at all). */
const settledBacklog: Labelled[] = [
  ...many(4, 'old-acked', ['acked']),
  ...many(3, 'old-expired', ['expired']),
  ...many(2, 'old-dead', ['dead']),
  ['old-acked-dead', ['acked', 'dead']],
  ['old-no-recipient', []],
];

/** What retention keeps: recent, or a delivery still queued or in flight. */
const kept: Array<[string, DeliveryStatus[], number]> = [
  ['keep-recent-acked', ['acked'], 60_000],
  ['keep-old-queued', ['queued'], OLD_MS],
  ['keep-old-inflight', ['inflight'], OLD_MS],
  ['keep-old-acked-queued', ['acked', 'queued'], OLD_MS],
  ['keep-old-dead-inflight', ['dead', 'inflight'], OLD_MS],
];

beforeAll(async () => {
  world = await createRouterHarness(['gw-a']);
  database = await connectPostgres(
    { url: world.context.database.url, poolMax: 2, connectTimeoutMs: 5000 },
    'router-retention-sweep-test',
  );
  await world.gateways.register('ret-offline');
  await world.gateways.register('ret-busy');
  // Counts the router's calls of router.sweep_messages (pg_stat_user_functions) from its first
  // connection on: a sweep with nothing to delete runs no DELETE for the trigger below to see.
  await database.sql.unsafe(
    `ALTER DATABASE "${world.context.database.name}" SET track_functions = 'pl'`,
  );
  await database.sql`CREATE TABLE public.message_deletes (deleted int NOT NULL)`;
  await database.sql`
    CREATE FUNCTION public.count_message_deletes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO public.message_deletes SELECT count(*) FROM gone;
      RETURN NULL;
    END $$`;
  await database.sql`
    CREATE TRIGGER count_message_deletes AFTER DELETE ON router.messages
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
    EXECUTE FUNCTION public.count_message_deletes()`;
});

afterAll(async () => {
  await router?.stop();
  await database?.close(1000);
  await world?.stop();
});

/** Starts a router as the harness does, with its log kept in `logLines`. */
async function startRouter(env: Record<string, string>): Promise<Service> {
  const config = await loadConfig(routerConfig, {
    env: { ...world.context.env, SB_ROUTER__PORT: '0', ...fastTimers, ...env },
  });
  const destination = new PassThrough();
  let pending = '';
  destination.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) logLines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const log = createLogger({
    service: 'router',
    instanceId: 'router-retention',
    level: 'info',
    format: 'json',
    destination,
  });
  const service = build(config, log, 'router-retention', world.context.connections);
  await service.start();
  return service;
}

describe('the running router’s retention sweep', () => {
  it('clears a backlog larger than its batch in one sweep, a batch a statement, and keeps recent and undelivered messages', async () => {
    for (const [label, statuses] of settledBacklog) await insertMessage(label, OLD_MS, statuses);
    for (const [label, statuses, ageMs] of kept) await insertMessage(label, ageMs, statuses);
    expect(settledBacklog.length).toBeGreaterThan(2.5 * BATCH);

    router = await startRouter({
      SB_ROUTER__RETENTION__MESSAGES_MS: String(HOUR_MS),
      SB_ROUTER__RETENTION__DEAD_LETTERS_MS: String(1000 * HOUR_MS),
      SB_ROUTER__RETENTION__SWEEP_INTERVAL_MS: '50',
      SB_ROUTER__RETENTION__SWEEP_BATCH_SIZE: String(BATCH),
    });

    const sweeps = () => logLines.filter((line) => line.msg === 'retention removed old messages');
    await waitFor(() => sweeps().length > 0, { what: 'a retention sweep that removed messages' });
    // Two later sweeps, each one call that found nothing to delete (and logged nothing): the
    // backlog's sweep made three calls (4, 4, then 3, short), so five calls in all.
    await waitFor(
      async () => {
        const [row] = await database.sql<{ calls: number }[]>`
          SELECT calls::int FROM pg_stat_user_functions
          WHERE schemaname = 'router' AND funcname = 'sweep_messages'`;
        return (row?.calls ?? 0) >= 5;
      },
      { what: 'sweeps after the one that cleared the backlog' },
    );

    // One sweep removed the whole backlog...
    expect(sweeps()).toEqual([
      expect.objectContaining({ messages: settledBacklog.length, deadLetters: 0 }),
    ]);
    // ...in statements of at most a batch, until one came back short (then only empty ones).
    const statements = await database.sql<{ deleted: number }[]>`
      SELECT deleted FROM public.message_deletes WHERE deleted > 0`;
    expect(statements.map((row) => row.deleted)).toEqual([4, 4, 3]);
    expect(await messagesLeft()).toEqual(kept.map(([label]) => label).sort());
    // The deliveries of what was kept are still there, as they were.
    const deliveries = await database.sql<{ conversation_id: string; status: string }[]>`
      SELECT m.conversation_id, d.status FROM router.deliveries d
      JOIN router.messages m ON m.id = d.message_id`;
    expect(deliveries.map((row) => `${row.conversation_id}:${row.status}`).sort()).toEqual(
      kept.flatMap(([label, statuses]) => statuses.map((status) => `${label}:${status}`)).sort(),
    );
  });
});
