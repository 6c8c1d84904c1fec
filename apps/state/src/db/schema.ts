import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  pgSchema,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/** Every table of the state service lives in the `state` Postgres schema. */
export const stateSchema = pgSchema('state');

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * Stored payload columns (DESIGN.md, Payloads): the bytes, how they are encoded (`identity` is
 * UTF-8 JSON), the key that encrypted them (null: plaintext) and its nonce, and the serialization
 * version the bytes follow, so older documents still load.
 */
function payloadColumns() {
  return {
    document: bytea(),
    codec: text().notNull().default('identity'),
    keyId: text(),
    nonce: bytea(),
    formatVersion: integer().notNull().default(1),
  };
}

/**
 * The current version of each (scope, key). A delete keeps the row as a tombstone (`deleted`,
 * no document) so the version keeps growing when the key is written again.
 */
export const documents = stateSchema.table(
  'documents',
  {
    scope: text().notNull(),
    key: text().notNull(),
    version: bigint({ mode: 'number' }).notNull(),
    deleted: boolean().notNull().default(false),
    ...payloadColumns(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedBy: text().notNull(),
  },
  (table) => [primaryKey({ columns: [table.scope, table.key] })],
);

/** Every kept version of each key, the current one included; the sweep trims older ones. */
export const documentHistory = stateSchema.table(
  'document_history',
  {
    scope: text().notNull(),
    key: text().notNull(),
    version: bigint({ mode: 'number' }).notNull(),
    op: text().notNull(),
    ...payloadColumns(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    by: text().notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.scope, table.key, table.version] }),
    index('document_history_at_idx').on(table.at),
  ],
);

/**
 * Each agent's lifecycle status. `connectionId`, `connectionOpen` and `connectedAt` remember the
 * last gateway event applied, so a redelivered or out-of-date event changes nothing.
 */
export const lifecycles = stateSchema.table('lifecycles', {
  agentId: text().primaryKey(),
  status: text().notNull(),
  version: bigint({ mode: 'number' }).notNull(),
  connectionId: text(),
  connectionOpen: boolean().notNull().default(false),
  /** When the gateway saw `connectionId` (or the newest connection) open: older connects lose. */
  connectedAt: timestamp({ withTimezone: true }),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** Every lifecycle transition, in order (`version` of the agent's lifecycle after it). */
export const lifecycleHistory = stateSchema.table(
  'lifecycle_history',
  {
    agentId: text().notNull(),
    version: bigint({ mode: 'number' }).notNull(),
    from: text().notNull(),
    to: text().notNull(),
    reason: text(),
    at: timestamp({ withTimezone: true }).notNull().default(sql`now()`),
    by: text().notNull(),
  },
  (table) => [primaryKey({ columns: [table.agentId, table.version] })],
);
