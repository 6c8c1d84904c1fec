import {
  isoOf,
  type PayloadTable,
  payloadColumns,
  payloadRecord,
  type RecordCodec,
} from '@switchboard/db';
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
  nonce: Buffer | null;
  format_version: number;
  recipients: number;
  accepted_at: Date | string;
  expires_at: Date | string;
}

/**
 * The columns of a message every reader selects, prefixed with `m.`; `router.claim_deliveries`
 * and `router.accept_messages` (migrations 0003 and 0004) return the same list, so a change of
 * `router.messages` changes both functions too.
 */
export const MESSAGE_COLUMNS = `m.id, m.seq, m.sender_agent, m.sent_by, m.target, m.topic, m.headers,
  m.priority, m.conversation_id, m.correlation_id, m.reply_to, m.receipt, m.payload, m.codec,
  m.key_id, m.nonce, m.format_version, m.recipients, m.accepted_at, m.expires_at`;

/**
 * The record a message's payload ciphertext is bound to. Its dead letters keep a copy of the
 * same payload (and replay copies it back), so they name the message too.
 */
export function messageRecord(messageId: string): string {
  // Senders choose ids, in either case; Postgres gives uuids back in lower case.
  return payloadRecord('router.messages', messageId.toLowerCase());
}

/** The router's payloads, for the re-encryption job. */
export const routerPayloadTables: readonly PayloadTable[] = [
  {
    table: 'router.messages',
    key: ['id'],
    payloads: [payloadColumns('payload', (row) => messageRecord(row.id as string))],
  },
  {
    table: 'router.dead_letters',
    key: ['delivery_id'],
    payloads: [
      {
        ...payloadColumns('payload', (row) => messageRecord(row.message_id as string)),
        reads: ['message_id'],
      },
    ],
  },
];

/** A message as its recipient gets it, read back from its row. */
export function deliveredMessageOf(row: MessageRow, codec: RecordCodec): DeliveredMessage {
  return {
    id: row.id,
    from: row.sender_agent,
    sentBy: row.sent_by,
    to: row.target,
    payload: codec.decode(
      {
        bytes: row.payload,
        codec: row.codec,
        keyId: row.key_id,
        nonce: row.nonce,
        formatVersion: row.format_version,
      },
      messageRecord(row.id),
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
export function messageRecordOf(row: MessageRow, codec: RecordCodec): MessageRecord {
  return { ...deliveredMessageOf(row, codec), topic: row.topic, recipients: row.recipients };
}

/** An error body as stored in a jsonb column (null when none). */
export function errorOf(value: unknown): ErrorBody | null {
  return (value ?? null) as ErrorBody | null;
}
