import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** Every table of the message router lives in the `router` Postgres schema. */
export const routerSchema = pgSchema('router');

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** Stored payload columns (DESIGN.md, Payloads): bytes, codec, key id, nonce, format version. */
function payloadColumns() {
  return {
    payload: bytea().notNull(),
    codec: text().notNull().default('identity'),
    keyId: text(),
    nonce: bytea(),
    formatVersion: integer().notNull().default(1),
  };
}

const at = (name?: string) =>
  name === undefined ? timestamp({ withTimezone: true }) : timestamp(name, { withTimezone: true });

/**
 * Accepted messages, one row each whatever the number of recipients. `seq` orders history
 * (and is its cursor); the id is the sender's, so a re-send conflicts and is stored once.
 */
export const messages = routerSchema.table(
  'messages',
  {
    id: uuid().primaryKey(),
    seq: bigserial({ mode: 'number' }).notNull().unique(),
    senderAgent: text(),
    sentBy: text().notNull(),
    target: jsonb().notNull(),
    topic: text(),
    headers: jsonb().notNull().default({}),
    priority: smallint().notNull(),
    conversationId: text(),
    correlationId: uuid(),
    replyTo: text(),
    receipt: boolean().notNull().default(false),
    ...payloadColumns(),
    recipients: integer().notNull(),
    acceptedAt: at().notNull().defaultNow(),
    expiresAt: at().notNull(),
  },
  (table) => [
    index('messages_accepted_at_idx').on(table.acceptedAt),
    index('messages_topic_idx').on(table.topic, table.seq),
    index('messages_conversation_idx').on(table.conversationId, table.seq),
    index('messages_sender_idx').on(table.senderAgent, table.seq),
  ],
);

/**
 * One recipient's copy of a message. The id is also the order of acceptance: a recipient's queue
 * is its `queued` rows by priority (highest first), then id.
 */
export const deliveries = routerSchema.table(
  'deliveries',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    messageId: uuid()
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    agentId: text().notNull(),
    priority: smallint().notNull(),
    status: text().notNull().default('queued'),
    attempts: integer().notNull().default(0),
    nextAttemptAt: at().notNull().defaultNow(),
    leaseUntil: at(),
    expiresAt: at().notNull(),
    lastError: jsonb(),
    ackedAt: at(),
  },
  (table) => [
    index('deliveries_queue_idx')
      .on(table.agentId, table.priority.desc(), table.id)
      .where(sql`status = 'queued'`),
    index('deliveries_inflight_idx').on(table.agentId).where(sql`status = 'inflight'`),
    index('deliveries_lease_idx').on(table.leaseUntil).where(sql`status = 'inflight'`),
    index('deliveries_message_idx').on(table.messageId),
    index('deliveries_agent_idx').on(table.agentId, table.messageId),
  ],
);

/**
 * Deliveries that ran out of attempts. They keep a copy of the message (envelope and payload), so
 * message retention and dead-letter retention are independent.
 */
export const deadLetters = routerSchema.table(
  'dead_letters',
  {
    deliveryId: bigint({ mode: 'number' }).primaryKey(),
    messageId: uuid().notNull(),
    agentId: text().notNull(),
    attempts: integer().notNull(),
    reason: text().notNull(),
    lastError: jsonb(),
    envelope: jsonb().notNull(),
    ...payloadColumns(),
    deadAt: at().notNull().defaultNow(),
  },
  (table) => [
    index('dead_letters_agent_idx').on(table.agentId, table.deliveryId),
    index('dead_letters_dead_at_idx').on(table.deadAt),
  ],
);

/** Each agent's topic subscriptions; they outlive connections and restarts. */
export const subscriptions = routerSchema.table(
  'subscriptions',
  {
    agentId: text().notNull(),
    pattern: text().notNull(),
    filter: jsonb(),
    createdAt: at().notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.agentId, table.pattern] })],
);

/**
 * Counters replicas compare against what they cached: `subscriptions` grows with every
 * subscription change, so a replica reloads its index when the number moved.
 */
export const counters = routerSchema.table('counters', {
  name: text().primaryKey(),
  value: bigint({ mode: 'number' }).notNull(),
});
