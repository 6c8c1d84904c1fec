import { type Database, isoOf, type RecordCodec } from '@switchboard/db';
import type { DeliveryRecord, MessageRecord } from '@switchboard/protocol';
import { errorOf, MESSAGE_COLUMNS, type MessageRow, messageRecordOf } from './message-row.ts';

/** A history query; every filter given must hold. */
export interface HistoryQuery {
  /** Sent by this agent or delivered to it. */
  agentId?: string | undefined;
  /** A topic or topic pattern. */
  topic?: string | undefined;
  conversationId?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit: number;
  /** Messages older (by acceptance) than the one this cursor names. */
  cursor?: string | undefined;
}

/** A topic pattern as a POSIX regular expression over whole topics. */
export function topicRegex(pattern: string): string {
  const tokens = pattern.split('.').map((token) => {
    if (token === '*') return '[^.]+';
    if (token === '>') return '.+';
    return token.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
  });
  return `^${tokens.join('\\.')}$`;
}

interface DeliveryRow {
  id: string;
  message_id: string;
  agent_id: string;
  status: DeliveryRecord['status'];
  attempts: number;
  next_attempt_at: Date | string;
  last_error: unknown;
  acked_at: Date | string | null;
}

/** Message history: search, one message with its deliveries, retention. */
export function createHistoryStore(database: Database, codec: RecordCodec) {
  const { sql } = database;

  return {
    async search(
      query: HistoryQuery,
    ): Promise<{ items: MessageRecord[]; nextCursor: string | null }> {
      const { agentId, topic } = query;
      const wildcard = topic !== undefined && /(^|\.)[*>](\.|$)/.test(topic);
      const rows = await sql<MessageRow[]>`
        SELECT ${sql.unsafe(MESSAGE_COLUMNS)} FROM router.messages m
        WHERE ${
          agentId === undefined
            ? sql`TRUE`
            : sql`(m.sender_agent = ${agentId} OR EXISTS (
                SELECT 1 FROM router.deliveries d WHERE d.message_id = m.id AND d.agent_id = ${agentId}))`
        }
          AND ${
            topic === undefined
              ? sql`TRUE`
              : wildcard
                ? sql`m.topic ~ ${topicRegex(topic)}`
                : sql`m.topic = ${topic}`
          }
          AND ${query.conversationId === undefined ? sql`TRUE` : sql`m.conversation_id = ${query.conversationId}`}
          AND ${query.since === undefined ? sql`TRUE` : sql`m.accepted_at >= ${query.since}::timestamptz`}
          AND ${query.until === undefined ? sql`TRUE` : sql`m.accepted_at < ${query.until}::timestamptz`}
          AND ${query.cursor === undefined ? sql`TRUE` : sql`m.seq < ${query.cursor}`}
        ORDER BY m.seq DESC LIMIT ${query.limit + 1}`;
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map((row) => messageRecordOf(row, codec)),
        nextCursor: rows.length > query.limit && last !== undefined ? String(last.seq) : null,
      };
    },

    /** One message and its deliveries, or undefined. */
    async message(id: string) {
      const [row] = await sql<MessageRow[]>`
        SELECT ${sql.unsafe(MESSAGE_COLUMNS)} FROM router.messages m WHERE m.id = ${id}`;
      if (row === undefined) return undefined;
      const deliveries = await sql<DeliveryRow[]>`
        SELECT id, message_id, agent_id, status, attempts, next_attempt_at, last_error, acked_at
        FROM router.deliveries WHERE message_id = ${id} ORDER BY id`;
      return {
        ...messageRecordOf(row, codec),
        deliveries: deliveries.map(
          (delivery): DeliveryRecord => ({
            id: String(delivery.id),
            messageId: delivery.message_id,
            agentId: delivery.agent_id,
            status: delivery.status,
            attempts: delivery.attempts,
            nextAttemptAt: delivery.status === 'queued' ? isoOf(delivery.next_attempt_at) : null,
            lastError: errorOf(delivery.last_error),
            ackedAt: delivery.acked_at === null ? null : isoOf(delivery.acked_at),
          }),
        ),
      };
    },

    /**
     * Deletes at most `limit` of the oldest messages accepted more than `messagesMs` ago with no
     * delivery queued or in flight (all acked, dead or expired, or none; a delivery goes with its
     * message), and at most `limit` of the oldest dead letters older than `deadLettersMs`. Each
     * walks its table's time index (messages_accepted_at_idx, dead_letters_dead_at_idx) from its
     * oldest end, so a batch costs the same however large the backlog, and locks its rows `FOR
     * UPDATE SKIP LOCKED`: replicas sweeping at once take different rows instead of waiting on
     * each other's. Messages go through router.sweep_messages (migration 0005): it locks the
     * batch first and checks the deliveries again with a later snapshot before deleting, so a
     * dead-letter replay that committed while the batch was being picked keeps its message
     * (one statement would judge it by its starting snapshot and delete the replay with it).
     */
    async sweep(settings: { messagesMs: number; deadLettersMs: number; limit: number }) {
      const [messages] = await sql<{ deleted: number }[]>`
        SELECT router.sweep_messages(${settings.messagesMs}, ${settings.limit}) AS deleted`;
      const deadLetters = await sql`
        DELETE FROM router.dead_letters WHERE delivery_id IN (
          SELECT delivery_id FROM router.dead_letters
          WHERE dead_at < now() - ${settings.deadLettersMs} * interval '1 millisecond'
          ORDER BY dead_at LIMIT ${settings.limit} FOR UPDATE SKIP LOCKED)`;
      return { messages: messages?.deleted ?? 0, deadLetters: deadLetters.count };
    },
  };
}

/** The history store (see {@link createHistoryStore}). */
export type HistoryStore = ReturnType<typeof createHistoryStore>;
