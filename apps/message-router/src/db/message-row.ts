import { decodePayload, isoOf } from '@switchboard/db';
import type {
  DeliveredMessage,
  ErrorBody,
  MessageHeaders,
  MessageRecord,
  MessageTarget,
} from '@switchboard/protocol';

/** The columns of `router.messages` a reader selects (snake_case, as postgres.js returns them). */
export interface MessageRow {
  id: string;
  seq: string | number;
  sender_agent: string | null;
  sent_by: string;
  target: MessageTarget;
  topic: string | null;
  headers: MessageHeaders;
  priority: number;
  conversation_id: string | null;
  correlation_id: string | null;
  reply_to: string | null;
  receipt: boolean;
  payload: Buffer;
  codec: string;
  key_id: string | null;
  format_version: number;
  recipients: number;
  accepted_at: Date | string;
  expires_at: Date | string;
}

/** The columns of a message every reader selects, prefixed with `m.`. */
export const MESSAGE_COLUMNS = `m.id, m.seq, m.sender_agent, m.sent_by, m.target, m.topic, m.headers,
  m.priority, m.conversation_id, m.correlation_id, m.reply_to, m.receipt, m.payload, m.codec,
  m.key_id, m.format_version, m.recipients, m.accepted_at, m.expires_at`;

/** A message as its recipient gets it, read back from its row. */
export function deliveredMessageOf(row: MessageRow): DeliveredMessage {
  return {
    id: row.id,
    from: row.sender_agent,
    sentBy: row.sent_by,
    to: row.target,
    payload: decodePayload(
      {
        bytes: row.payload,
        codec: row.codec,
        keyId: row.key_id,
        formatVersion: row.format_version,
      },
      `message ${row.id}`,
    ),
    headers: row.headers,
    priority: row.priority,
    conversationId: row.conversation_id,
    correlationId: row.correlation_id,
    replyTo: row.reply_to,
    acceptedAt: isoOf(row.accepted_at),
    expiresAt: isoOf(row.expires_at),
  };
}

/** A message as history shows it. */
export function messageRecordOf(row: MessageRow): MessageRecord {
  return { ...deliveredMessageOf(row), topic: row.topic, recipients: row.recipients };
}

/** An error body as stored in a jsonb column (null when none). */
export function errorOf(value: unknown): ErrorBody | null {
  return (value ?? null) as ErrorBody | null;
}
