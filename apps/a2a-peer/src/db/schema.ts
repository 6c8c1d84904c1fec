import {
  bigserial,
  customType,
  index,
  integer,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** Every table of the A2A peer lives in the `a2a` Postgres schema. */
export const a2aSchema = pgSchema('a2a');

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

const at = () => timestamp({ withTimezone: true });

/** Stored payload columns (DESIGN.md, Payloads) named after `name`: bytes, codec, key id, nonce, format. */
function payloadColumns<N extends string>(name: N) {
  return {
    [name]: bytea(name).notNull(),
    [`${name}Codec`]: text(`${name}_codec`).notNull().default('identity'),
    [`${name}KeyId`]: text(`${name}_key_id`),
    [`${name}Nonce`]: bytea(`${name}_nonce`),
    [`${name}FormatVersion`]: integer(`${name}_format_version`).notNull().default(1),
  } as const;
}

/**
 * A2A tasks served for local agents. `record` is the A2A Task (v1.0 JSON: status, artifacts,
 * history); `state` and the ids stay in clear columns for listing and routing. `agent_id` is
 * the local agent working it (null until an agent takes a task the orchestrator routed by skill);
 * `owner` the principal that created it, the only one that sees it. `seq` orders listings.
 */
export const tasks = a2aSchema.table(
  'tasks',
  {
    id: text().primaryKey(),
    seq: bigserial({ mode: 'number' }).notNull(),
    contextId: text().notNull(),
    /** `agent:<id>` for a task sent to an agent's own card, `orchestrator` for the router card. */
    target: text().notNull(),
    skill: text(),
    agentId: text(),
    owner: text().notNull(),
    state: text().notNull(),
    ...payloadColumns('record'),
    createdAt: at().notNull().defaultNow(),
    updatedAt: at().notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('tasks_seq').on(table.seq),
    index('tasks_owner_seq').on(table.owner, table.seq),
    index('tasks_context').on(table.contextId),
  ],
);

/**
 * Every change of a task as an A2A stream response (v1.0 JSON), in order: streams and
 * resubscriptions replay from here, and agent updates are applied once by their `update_id`.
 */
export const taskEvents = a2aSchema.table(
  'task_events',
  {
    seq: bigserial({ mode: 'number' }).primaryKey(),
    taskId: text().notNull(),
    updateId: text(),
    ...payloadColumns('event'),
    createdAt: at().notNull().defaultNow(),
  },
  (table) => [
    index('task_events_task_seq').on(table.taskId, table.seq),
    uniqueIndex('task_events_update').on(table.taskId, table.updateId),
  ],
);

/** Inbound A2A messages already accepted, so a re-sent `SendMessage` is routed once. */
export const receivedMessages = a2aSchema.table(
  'received_messages',
  {
    taskId: text().notNull(),
    messageId: text().notNull(),
    routerMessageId: uuid().notNull(),
    createdAt: at().notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.messageId] })],
);

/** Push notification configs of a task; `config` holds the URL, token and credentials. */
export const pushConfigs = a2aSchema.table(
  'push_configs',
  {
    taskId: text().notNull(),
    id: text().notNull(),
    ...payloadColumns('config'),
    createdAt: at().notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.id] })],
);

/**
 * Push notifications to send, queued in the transaction that changed the task (so none is lost
 * to a crash) and claimed with `SKIP LOCKED` by any replica; a sent one is deleted.
 */
export const pushQueue = a2aSchema.table(
  'push_queue',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    taskId: text().notNull(),
    configId: text().notNull(),
    /** The stream response (v1.0 JSON) the notification carries. */
    ...payloadColumns('event'),
    attempts: integer().notNull().default(0),
    nextAttemptAt: at().notNull().defaultNow(),
    lastError: text(),
    createdAt: at().notNull().defaultNow(),
  },
  (table) => [index('push_queue_due').on(table.nextAttemptAt)],
);
