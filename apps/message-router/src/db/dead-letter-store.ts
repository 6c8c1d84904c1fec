import { type Database, isoOf, type RecordCodec } from '@switchboard/db';
import type { DeadLetter } from '@switchboard/protocol';
import { errorOf, messageRecord } from './message-row.ts';
import type { NewMessage } from './message-store.ts';

/**
 * The message fields a dead letter keeps besides its payload: those of the stored message (as
 * `fail` copies them into jsonb), with its times as text.
 */
type Envelope = Omit<NewMessage, 'id' | 'payload' | 'recipients' | 'expiresAt'> & {
  acceptedAt: string;
  expiresAt: string;
};

interface DeadLetterRow {
  delivery_id: string;
  message_id: string;
  agent_id: string;
  attempts: number;
  reason: string;
  last_error: unknown;
  envelope: Envelope;
  payload: Buffer;
  codec: string;
  key_id: string | null;
  nonce: Buffer | null;
  format_version: number;
  dead_at: Date | string;
}

function deadLetterOf(row: DeadLetterRow, codec: RecordCodec): DeadLetter {
  const envelope = row.envelope;
  return {
    id: String(row.delivery_id),
    agentId: row.agent_id,
    attempts: row.attempts,
    reason: row.reason as DeadLetter['reason'],
    lastError: errorOf(row.last_error),
    deadAt: isoOf(row.dead_at),
    message: {
      id: row.message_id,
      from: envelope.senderAgent,
      sentBy: envelope.sentBy,
      to: envelope.target,
      payload: codec.decode(
        {
          bytes: row.payload,
          codec: row.codec,
          keyId: row.key_id,
          nonce: row.nonce,
          formatVersion: row.format_version,
        },
        messageRecord(row.message_id),
      ),
      headers: envelope.headers,
      priority: envelope.priority,
      conversationId: envelope.conversationId,
      correlationId: envelope.correlationId,
      replyTo: envelope.replyTo,
      acceptedAt: isoOf(envelope.acceptedAt),
      expiresAt: isoOf(envelope.expiresAt),
    },
  };
}

/** Which dead letters an operation acts on: listed ids (of one agent, when given), or an agent's. */
export interface DeadLetterSelection {
  ids?: readonly string[] | undefined;
  agentId?: string | undefined;
}

const COLUMNS = `delivery_id, message_id, agent_id, attempts, reason, last_error, envelope, payload,
  codec, key_id, nonce, format_version, dead_at`;

/** Dead letters: deliveries out of attempts, kept with a copy of their message. */
export function createDeadLetterStore(database: Database, codec: RecordCodec) {
  const { sql } = database;
  const where = (selection: DeadLetterSelection) => sql`
    ${
      selection.ids === undefined
        ? sql`TRUE`
        : sql`delivery_id IN (SELECT value::bigint FROM jsonb_array_elements_text(${JSON.stringify(selection.ids)}::jsonb))`
    }
    AND ${selection.agentId === undefined ? sql`TRUE` : sql`agent_id = ${selection.agentId}`}`;

  return {
    /** Dead letters newest first, after `cursor` (a delivery id), optionally of one agent. */
    async list(query: {
      agentId?: string | undefined;
      limit: number;
      cursor?: string | undefined;
    }) {
      const rows = await sql<DeadLetterRow[]>`
        SELECT ${sql.unsafe(COLUMNS)} FROM router.dead_letters
        WHERE ${query.agentId === undefined ? sql`TRUE` : sql`agent_id = ${query.agentId}`}
          AND ${query.cursor === undefined ? sql`TRUE` : sql`delivery_id < ${query.cursor}`}
        ORDER BY delivery_id DESC LIMIT ${query.limit + 1}`;
      const items = rows.slice(0, query.limit).map((row) => deadLetterOf(row, codec));
      return {
        items,
        nextCursor: rows.length > query.limit ? (items.at(-1)?.id ?? null) : null,
      };
    },

    async get(id: string): Promise<DeadLetter | undefined> {
      const [row] = await sql<DeadLetterRow[]>`
        SELECT ${sql.unsafe(COLUMNS)} FROM router.dead_letters WHERE delivery_id = ${id}`;
      return row === undefined ? undefined : deadLetterOf(row, codec);
    },

    /**
     * Queues the selected dead letters again as fresh deliveries (attempts from zero, a new TTL
     * of `ttlMs`) and removes them from the dead-letter queue, in one transaction. A message that
     * retention deleted meanwhile is stored again from the copy. Returns how many, and the
     * recipients to wake.
     */
    async replay(
      selection: DeadLetterSelection,
      ttlMs: number,
    ): Promise<{ count: number; agents: string[] }> {
      return sql.begin(async (tx) => {
        const taken = await tx<DeadLetterRow[]>`
          DELETE FROM router.dead_letters WHERE ${where(selection)}
          RETURNING ${sql.unsafe(COLUMNS)}`;
        if (taken.length === 0) return { count: 0, agents: [] };
        const expiresAt = new Date(Date.now() + ttlMs).toISOString();
        await tx`
          INSERT INTO router.messages (id, sender_agent, sent_by, target, topic, headers, priority,
            conversation_id, correlation_id, reply_to, receipt, payload, codec, key_id, nonce,
            format_version, recipients, accepted_at, expires_at)
          SELECT DISTINCT ON (r.message_id) r.message_id, r.envelope->>'senderAgent',
            r.envelope->>'sentBy', r.envelope->'target', r.envelope->>'topic',
            r.envelope->'headers', (r.envelope->>'priority')::smallint,
            r.envelope->>'conversationId', (r.envelope->>'correlationId')::uuid,
            r.envelope->>'replyTo', (r.envelope->>'receipt')::boolean,
            decode(r.payload, 'base64'), r.codec, r.key_id, decode(r.nonce, 'base64'),
            r.format_version, 1,
            (r.envelope->>'acceptedAt')::timestamptz, ${expiresAt}::timestamptz
          FROM jsonb_to_recordset(${JSON.stringify(
            taken.map((row) => ({
              message_id: row.message_id,
              envelope: row.envelope,
              payload: row.payload.toString('base64'),
              codec: row.codec,
              key_id: row.key_id,
              nonce: row.nonce?.toString('base64') ?? null,
              format_version: row.format_version,
            })),
          )}::jsonb) AS r(message_id uuid, envelope jsonb, payload text, codec text, key_id text,
            nonce text, format_version int)
          ON CONFLICT (id) DO UPDATE SET expires_at = greatest(router.messages.expires_at, EXCLUDED.expires_at)`;
        await tx`
          INSERT INTO router.deliveries (message_id, agent_id, priority, expires_at)
          SELECT r.message_id, r.agent_id, r.priority, ${expiresAt}::timestamptz
          FROM jsonb_to_recordset(${JSON.stringify(
            taken.map((row) => ({
              message_id: row.message_id,
              agent_id: row.agent_id,
              priority: row.envelope.priority,
            })),
          )}::jsonb) AS r(message_id uuid, agent_id text, priority smallint)`;
        return { count: taken.length, agents: [...new Set(taken.map((row) => row.agent_id))] };
      });
    },

    /** Deletes the selected dead letters; returns how many. */
    async purge(selection: DeadLetterSelection): Promise<number> {
      const deleted = await sql`DELETE FROM router.dead_letters WHERE ${where(selection)}`;
      return deleted.count;
    },
  };
}

/** The dead-letter store (see {@link createDeadLetterStore}). */
export type DeadLetterStore = ReturnType<typeof createDeadLetterStore>;
