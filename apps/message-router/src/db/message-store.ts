import { type Database, dateOf, type RecordCodec } from '@switchboard/db';
import type { ErrorBody, MessageHeaders, MessageTarget } from '@switchboard/protocol';
import { type MessageRow, messageRecord } from './message-row.ts';

/** A message ready to store, with the recipients the router resolved for it. */
export interface NewMessage {
  id: string;
  senderAgent: string | null;
  sentBy: string;
  target: MessageTarget;
  topic: string | null;
  headers: MessageHeaders;
  priority: number;
  conversationId: string | null;
  correlationId: string | null;
  replyTo: string | null;
  receipt: boolean;
  /** The payload serialized (UTF-8 JSON); the store encodes it (compression, encryption). */
  payload: Buffer;
  expiresAt: Date;
  recipients: readonly string[];
}

/** What storing one message came to. */
export interface Accepted {
  duplicate: boolean;
  /** Its deliveries: those just stored, or those stored the first time. */
  recipients: number;
}

/** A delivery claimed for a push, with its message. */
export interface ClaimedDelivery {
  deliveryId: string;
  agentId: string;
  attempt: number;
  message: MessageRow;
}

/** A claimed delivery's row: its message's columns and the delivery's own. */
type ClaimRow = MessageRow & { delivery_id: string; agent_id: string; attempts: number };

/** A row of `router.accept_messages`: a message's outcome, or a claimed delivery. */
type AcceptRow =
  | { kind: 'accepted'; id: string; duplicate: boolean; recipients: number }
  | (ClaimRow & { kind: 'claimed'; duplicate: null });

/** How much a claim may take: per agent up to its window, in all up to `limit`. */
export interface ClaimSettings {
  maxInFlight: number;
  ackTimeoutMs: number;
  limit: number;
}

/** Claimed rows as deliveries, in push order: highest priority first, then acceptance. */
function claimedDeliveries(rows: readonly ClaimRow[]): ClaimedDelivery[] {
  return rows
    .map((row) => ({
      deliveryId: String(row.delivery_id),
      agentId: row.agent_id,
      attempt: row.attempts,
      message: row,
    }))
    .sort(
      (a, b) =>
        b.message.priority - a.message.priority || Number(a.deliveryId) - Number(b.deliveryId),
    );
}

/** A delivery that failed an attempt: nacked, or not acked within its lease. */
export interface FailedAttempt {
  deliveryId: string;
  agentId: string;
  error: ErrorBody;
  /** The recipient asked for this delay before the retry. */
  retryAfterMs?: number | undefined;
  /** Only while its lease has run out (a sweep's failure must not hit a newer attempt). */
  overdue?: boolean;
}

/** What became of failed attempts. */
export interface FailureOutcome {
  retried: Array<{ deliveryId: string; agentId: string; delayMs: number }>;
  dead: Array<{ deliveryId: string; agentId: string; messageId: string }>;
  expired: Array<{ deliveryId: string; agentId: string }>;
}

/** An acked delivery, with what a receipt and the latency metric need. */
export interface AckedDelivery {
  deliveryId: string;
  agentId: string;
  messageId: string;
  /** The sender to notify when the message asked for a receipt. */
  receiptTo: string | null;
  acceptedAt: Date;
}

/** Decides, per failed delivery, between a retry after a delay and a dead letter. */
export type RetryPlanner = (attempts: number, retryAfterMs: number | undefined) => number | 'dead';

// Many rows travel as one JSON parameter read with jsonb_to_recordset: one statement whatever
// the batch size, and no array-type inference by the driver (which trips on all-null columns).
const records = (rows: unknown) => JSON.stringify(rows);

/**
 * Messages and their deliveries in the `router` schema: the durable half of the at-least-once
 * promise. Every method handles many items in one statement or transaction.
 */
export function createMessageStore(database: Database, namespace: string, codec: RecordCodec) {
  const { sql } = database;
  // Advisory locks are per database; the namespace keeps two namespaces sharing one apart.
  const lockSpace = sql`hashtext(${`router:${namespace}`})`;

  return {
    /**
     * Stores messages and their deliveries in one transaction. An id stored before is a
     * duplicate: nothing is written for it (also when it appears twice in `batch`). In the same
     * round trip it claims, as {@link claim} does, the heads of the queues of `claim.agentIds`
     * (the recipients that are connected), so their messages can be pushed as soon as it returns.
     */
    async accept(
      batch: readonly NewMessage[],
      claim: ClaimSettings & { agentIds: readonly string[] } = {
        agentIds: [],
        maxInFlight: 0,
        ackTimeoutMs: 0,
        limit: 0,
      },
    ): Promise<{ outcome: Map<string, Accepted>; claimed: ClaimedDelivery[] }> {
      const outcome = new Map<string, Accepted>();
      const fresh: NewMessage[] = [];
      const seen = new Set<string>();
      for (const message of batch) {
        if (seen.has(message.id)) continue;
        seen.add(message.id);
        fresh.push(message);
      }
      // `router.accept_messages` (migration 0004): the accept statement, then
      // `router.claim_deliveries` for the connected recipients, in one transaction.
      const rows = await sql<AcceptRow[]>`
        SELECT * FROM router.accept_messages(${lockSpace}, ${records(
          fresh.map((m) => {
            const stored = codec.encode(m.payload, messageRecord(m.id));
            return {
              id: m.id,
              sender_agent: m.senderAgent,
              sent_by: m.sentBy,
              target: m.target,
              topic: m.topic,
              headers: m.headers,
              priority: m.priority,
              conversation_id: m.conversationId,
              correlation_id: m.correlationId,
              reply_to: m.replyTo,
              receipt: m.receipt,
              payload: stored.bytes.toString('base64'),
              codec: stored.codec,
              key_id: stored.keyId,
              nonce: stored.nonce?.toString('base64') ?? null,
              format_version: stored.formatVersion,
              recipients: m.recipients,
              expires_at: m.expiresAt.toISOString(),
            };
          }),
        )}::jsonb, ${records(claim.agentIds)}::jsonb, ${claim.maxInFlight}::int,
          ${claim.ackTimeoutMs}::int, ${claim.limit}::int)`;
      const claimed: ClaimRow[] = [];
      for (const row of rows) {
        if (row.kind === 'claimed') claimed.push(row);
        else outcome.set(row.id, { duplicate: row.duplicate, recipients: row.recipients });
      }
      for (const message of batch) {
        // Stored by another replica in a transaction still open when this one began, or
        // accepted and already deleted by retention: a re-send either way.
        if (!outcome.has(message.id)) outcome.set(message.id, { duplicate: true, recipients: 0 });
      }
      return { outcome, claimed: claimedDeliveries(claimed) };
    },

    /**
     * Claims the heads of the queues of `agentIds` for a push: per agent, as many deliveries as
     * its window (`maxInFlight` minus those in flight) allows, highest priority first, then the
     * order of acceptance. A delivery waiting out its retry delay keeps its place at the head.
     * One replica dispatches an agent at a time (a transaction-scoped advisory lock); the
     * others skip it, and `FOR UPDATE SKIP LOCKED` keeps two claims off one row.
     */
    async claim(agentIds: readonly string[], settings: ClaimSettings): Promise<ClaimedDelivery[]> {
      if (agentIds.length === 0) return [];
      // One round trip: `router.claim_deliveries` (migration 0003) takes the agents' locks,
      // then claims in a statement of its own, whose snapshot is taken after the locks, so it
      // sees every delivery another replica put in flight for these agents. (Inside one
      // statement the snapshot would predate the lock and could count a window twice.)
      const rows = await sql<ClaimRow[]>`
        SELECT * FROM router.claim_deliveries(${lockSpace}, ${records(agentIds)}::jsonb,
          ${settings.maxInFlight}::int, ${settings.ackTimeoutMs}::int, ${settings.limit}::int)`;
      return claimedDeliveries(rows);
    },

    /**
     * Puts claimed deliveries back at once (their push did not reach a socket), without
     * counting the attempt; they are due after `delayMs`.
     */
    async release(deliveryIds: readonly string[], delayMs: number): Promise<void> {
      if (deliveryIds.length === 0) return;
      await sql`
        UPDATE router.deliveries
        SET status = 'queued', attempts = greatest(attempts - 1, 0), lease_until = NULL,
          next_attempt_at = now() + ${delayMs} * interval '1 millisecond'
        WHERE id IN (SELECT value::bigint FROM jsonb_array_elements_text(${records(deliveryIds)}::jsonb))
          AND status = 'inflight'`;
    },

    /**
     * Puts back what was pushed to an agent's earlier connections (claimed before
     * `connectedAt`): that connection is gone, so their acks will never come.
     */
    async releaseEarlierPushes(agentId: string, connectedAt: Date, ackTimeoutMs: number) {
      await sql`
        UPDATE router.deliveries
        SET status = 'queued', attempts = greatest(attempts - 1, 0), lease_until = NULL,
          next_attempt_at = now()
        WHERE agent_id = ${agentId} AND status = 'inflight'
          AND lease_until < ${connectedAt.toISOString()}::timestamptz
            + ${ackTimeoutMs} * interval '1 millisecond'`;
    },

    /**
     * Marks deliveries acked by their recipients. A delivery already put back for a retry
     * (its lease ran out first) counts too: the recipient did handle it.
     */
    async ack(
      acks: ReadonlyArray<{ deliveryId: string; agentId: string }>,
    ): Promise<AckedDelivery[]> {
      if (acks.length === 0) return [];
      const rows = await sql<
        {
          id: string;
          agent_id: string;
          message_id: string;
          receipt_to: string | null;
          accepted_at: Date;
        }[]
      >`
        UPDATE router.deliveries d
        SET status = 'acked', acked_at = now(), lease_until = NULL
        FROM jsonb_to_recordset(${records(acks.map((a) => ({ id: a.deliveryId, agent_id: a.agentId })))}::jsonb)
          AS a(id bigint, agent_id text), router.messages m
        WHERE d.id = a.id AND d.agent_id = a.agent_id AND d.status IN ('inflight', 'queued')
          AND m.id = d.message_id
        RETURNING d.id, d.agent_id, d.message_id,
          CASE WHEN m.receipt THEN m.sender_agent END AS receipt_to, m.accepted_at`;
      return rows.map((row) => ({
        deliveryId: String(row.id),
        agentId: row.agent_id,
        messageId: row.message_id,
        receiptTo: row.receipt_to,
        acceptedAt: dateOf(row.accepted_at),
      }));
    },

    /**
     * Records failed attempts: each in-flight delivery named (by its recipient) is retried after
     * the delay `plan` gives, or becomes a dead letter (with a copy of its message), or expires
     * when its TTL ran out. Deliveries not in flight any more are left alone.
     */
    async fail(failures: readonly FailedAttempt[], plan: RetryPlanner): Promise<FailureOutcome> {
      const outcome: FailureOutcome = { retried: [], dead: [], expired: [] };
      if (failures.length === 0) return outcome;
      const byId = new Map(failures.map((failure) => [failure.deliveryId, failure]));
      await sql.begin(async (tx) => {
        const current = await tx<
          { id: string; agent_id: string; message_id: string; attempts: number; expired: boolean }[]
        >`
          SELECT d.id, d.agent_id, d.message_id, d.attempts, d.expires_at <= now() AS expired
          FROM router.deliveries d
          JOIN jsonb_to_recordset(${records(
            failures.map((f) => ({
              id: f.deliveryId,
              agent_id: f.agentId,
              overdue: f.overdue === true,
            })),
          )}::jsonb) AS f(id bigint, agent_id text, overdue boolean)
            ON d.id = f.id AND d.agent_id = f.agent_id
          WHERE d.status = 'inflight' AND (NOT f.overdue OR d.lease_until < now())
          FOR UPDATE OF d SKIP LOCKED`;
        const retry: Array<{ id: string; delayMs: number; error: ErrorBody }> = [];
        const dead: Array<{ id: string; error: ErrorBody }> = [];
        const expired: Array<{ id: string; error: ErrorBody }> = [];
        for (const row of current) {
          const id = String(row.id);
          const failure = byId.get(id) as FailedAttempt;
          const entry = { deliveryId: id, agentId: row.agent_id };
          if (row.expired) {
            expired.push({ id, error: failure.error });
            outcome.expired.push(entry);
            continue;
          }
          const decision = plan(row.attempts, failure.retryAfterMs);
          if (decision === 'dead') {
            dead.push({ id, error: failure.error });
            outcome.dead.push({ ...entry, messageId: row.message_id });
          } else {
            retry.push({ id, delayMs: decision, error: failure.error });
            outcome.retried.push({ ...entry, delayMs: decision });
          }
        }
        if (retry.length > 0) {
          await tx`
            UPDATE router.deliveries d
            SET status = 'queued', lease_until = NULL, last_error = r.error,
              next_attempt_at = now() + r.delay_ms * interval '1 millisecond'
            FROM jsonb_to_recordset(${records(retry.map((r) => ({ id: r.id, delay_ms: r.delayMs, error: r.error })))}::jsonb)
              AS r(id bigint, delay_ms int, error jsonb)
            WHERE d.id = r.id`;
        }
        if (expired.length > 0) {
          await tx`
            UPDATE router.deliveries d
            SET status = 'expired', lease_until = NULL, last_error = e.error
            FROM jsonb_to_recordset(${records(expired)}::jsonb) AS e(id bigint, error jsonb)
            WHERE d.id = e.id`;
        }
        if (dead.length > 0) {
          await tx`
            WITH dead AS (
              UPDATE router.deliveries d
              SET status = 'dead', lease_until = NULL, last_error = x.error
              FROM jsonb_to_recordset(${records(dead)}::jsonb) AS x(id bigint, error jsonb)
              WHERE d.id = x.id
              RETURNING d.id, d.message_id, d.agent_id, d.attempts, d.last_error
            )
            INSERT INTO router.dead_letters (delivery_id, message_id, agent_id, attempts, reason,
              last_error, envelope, payload, codec, key_id, nonce, format_version)
            SELECT dead.id, dead.message_id, dead.agent_id, dead.attempts, 'max_attempts',
              dead.last_error,
              jsonb_build_object('senderAgent', m.sender_agent, 'sentBy', m.sent_by,
                'target', m.target, 'topic', m.topic, 'headers', m.headers, 'priority', m.priority,
                'conversationId', m.conversation_id, 'correlationId', m.correlation_id,
                'replyTo', m.reply_to, 'receipt', m.receipt, 'acceptedAt', m.accepted_at,
                'expiresAt', m.expires_at),
              m.payload, m.codec, m.key_id, m.nonce, m.format_version
            FROM dead JOIN router.messages m ON m.id = dead.message_id
            ON CONFLICT (delivery_id) DO NOTHING`;
        }
      });
      return outcome;
    },

    /** In-flight deliveries whose ack did not come within their lease (claimed for failing). */
    async overdue(limit: number): Promise<Array<{ deliveryId: string; agentId: string }>> {
      const rows = await sql<{ id: string; agent_id: string }[]>`
        SELECT id, agent_id FROM router.deliveries
        WHERE status = 'inflight' AND lease_until < now()
        ORDER BY lease_until LIMIT ${limit}`;
      return rows.map((row) => ({ deliveryId: String(row.id), agentId: row.agent_id }));
    },

    /** Drops queued deliveries whose TTL ran out; returns how many, per recipient. */
    async expireQueued(limit: number): Promise<number> {
      const rows = await sql`
        UPDATE router.deliveries SET status = 'expired'
        WHERE id IN (
          SELECT id FROM router.deliveries
          WHERE status = 'queued' AND expires_at <= now()
          LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING id`;
      return rows.count;
    },

    /** Agents with a delivery due now (new, or waiting for a retry that is due). */
    async dueAgents(limit: number): Promise<string[]> {
      const rows = await sql<{ agent_id: string }[]>`
        SELECT agent_id FROM router.deliveries
        WHERE status = 'queued' AND next_attempt_at <= now() AND expires_at > now()
        GROUP BY agent_id LIMIT ${limit}`;
      return rows.map((row) => row.agent_id);
    },

    /** Unacked deliveries (queued or in flight) of each agent: the load anycast balances. */
    async loads(agentIds: readonly string[]): Promise<Map<string, number>> {
      const rows = await sql<{ agent_id: string; load: number }[]>`
        SELECT agent_id, count(*)::int AS load FROM router.deliveries
        WHERE agent_id IN (SELECT jsonb_array_elements_text(${records(agentIds)}::jsonb))
          AND status IN ('queued', 'inflight')
        GROUP BY agent_id`;
      return new Map(rows.map((row) => [row.agent_id, row.load]));
    },

    /** Deliveries waiting (queued) and in flight, mesh-wide: the queue depth gauges. */
    async depth(): Promise<{ queued: number; inflight: number }> {
      const [row] = await sql<{ queued: number; inflight: number }[]>`
        SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued,
          count(*) FILTER (WHERE status = 'inflight')::int AS inflight
        FROM router.deliveries WHERE status IN ('queued', 'inflight')`;
      return row ?? { queued: 0, inflight: 0 };
    },
  };
}

/** The message store (see {@link createMessageStore}). */
export type MessageStore = ReturnType<typeof createMessageStore>;
