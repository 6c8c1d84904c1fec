import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
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

/**
 * Stored payload columns (DESIGN.md, Payloads) named after `name`: bytes, codec, key id, nonce,
 * format. An optional payload (a token, a snapshot not seen yet) has nullable bytes.
 */
function payloadColumns<N extends string>(name: N, required = true) {
  const bytes = bytea(name);
  return {
    [name]: required ? bytes.notNull() : bytes,
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
    // Retention finds ended tasks by age without reading the live ones.
    index('tasks_finished')
      .on(table.updatedAt)
      .where(
        sql`${table.state} IN ('TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_CANCELED', 'TASK_STATE_REJECTED')`,
      ),
    // The undelivered sweep finds tasks no agent took by age, the same way.
    index('tasks_submitted')
      .on(table.updatedAt)
      .where(sql`${table.state} = 'TASK_STATE_SUBMITTED'`),
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
  (table) => [
    index('push_queue_due').on(table.nextAttemptAt),
    // Retention keeps a task while a notification of it waits: looked up by task.
    index('push_queue_task').on(table.taskId),
  ],
);

/**
 * Remote A2A agents registered by operators. `card` is the validated Agent Card (v1.0 JSON) and
 * `token` the bearer credential sent to the peer (payloads: encrypted when encryption is on).
 * Health checks claim a peer by moving `next_check_at` (one replica per check).
 */
export const peers = a2aSchema.table('peers', {
  name: text().primaryKey(),
  cardUrl: text().notNull(),
  ...payloadColumns('card'),
  ...payloadColumns('token', false),
  signature: text().notNull(),
  status: text().notNull().default('unknown'),
  latencyMs: integer(),
  failures: integer().notNull().default(0),
  lastSeenAt: at(),
  lastError: text(),
  cardFetchedAt: at().notNull().defaultNow(),
  nextCheckAt: at().notNull().defaultNow(),
  publishTools: boolean().notNull().default(false),
  addedBy: text().notNull(),
  addedAt: at().notNull().defaultNow(),
});

/**
 * Messages local agents sent to remote A2A agents, and the remote tasks they started: stored
 * before the send is acknowledged, then driven by any replica (claimed with a lease, so a task
 * whose replica died is resumed by another), its updates delivered to the agent through the
 * router with ids derived from `(id, delivered)`.
 */
export const remoteTasks = a2aSchema.table(
  'remote_tasks',
  {
    /** The local message id (the A2A messageId of the first send). */
    id: uuid().primaryKey(),
    /** `a2a:<peer>` or `a2a:skill:<skill>`, as the agent addressed it. */
    recipient: text().notNull(),
    peer: text(),
    agentId: text().notNull(),
    /** The sending agent's principal header, to act for it when delivering back. */
    principal: text().notNull(),
    remoteTaskId: text(),
    contextId: text(),
    state: text().notNull().default('pending'),
    /** What the agent sent: the A2A message to send. */
    ...payloadColumns('request'),
    /** The remote task as last seen (v1.0 JSON), once there is one. */
    ...payloadColumns('snapshot', false),
    delivered: integer().notNull().default(0),
    attempts: integer().notNull().default(0),
    lastError: text(),
    leaseUntil: at().notNull().defaultNow(),
    createdAt: at().notNull().defaultNow(),
    updatedAt: at().notNull().defaultNow(),
  },
  (table) => [
    index('remote_tasks_due').on(table.leaseUntil),
    index('remote_tasks_agent').on(table.agentId, table.createdAt),
    index('remote_tasks_finished')
      .on(table.updatedAt)
      .where(sql`${table.state} IN ('completed', 'failed', 'canceled', 'rejected')`),
  ],
);
