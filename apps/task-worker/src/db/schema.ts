import { sql } from 'drizzle-orm';
import {
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
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** Every table of the task worker lives in the `tasks` Postgres schema. */
export const tasksSchema = pgSchema('tasks');

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

const at = () => timestamp({ withTimezone: true });

/**
 * Stored payload columns (DESIGN.md, Payloads) named after `name`: bytes, codec, key id, nonce,
 * format version. Optional payloads (result, error, progress) are null until written.
 */
function payloadColumns<N extends string>(name: N, required: boolean) {
  const bytes = bytea(name);
  return {
    [name]: required ? bytes.notNull() : bytes,
    [`${name}Codec`]: text(`${name}_codec`).notNull().default('identity'),
    [`${name}KeyId`]: text(`${name}_key_id`),
    [`${name}Nonce`]: bytea(`${name}_nonce`),
    [`${name}FormatVersion`]: integer(`${name}_format_version`).notNull().default(1),
  } as const;
}

/** Registered task types; registering a name again replaces it as a new version. */
export const taskTypes = tasksSchema.table('task_types', {
  name: text().primaryKey(),
  description: text(),
  inputSchema: jsonb(),
  capabilities: jsonb().notNull().default([]),
  timeoutMs: integer().notNull(),
  maxAttempts: integer().notNull(),
  backoffBaseMs: integer().notNull(),
  backoffMaxMs: integer().notNull(),
  priority: smallint().notNull(),
  strategy: text().notNull(),
  concurrency: integer(),
  version: integer().notNull().default(1),
  registeredBy: text().notNull(),
  updatedAt: at().notNull().defaultNow(),
});

/**
 * Tasks. A task keeps the retry policy and timeout it was submitted with (a type changed later
 * does not change tasks already submitted). `seq` orders listings and is their cursor.
 */
export const tasks = tasksSchema.table(
  'tasks',
  {
    id: uuid().primaryKey(),
    seq: bigserial({ mode: 'number' }).notNull().unique(),
    type: text().notNull(),
    status: text().notNull(),
    priority: smallint().notNull(),
    ...payloadColumns('input', true),
    ...payloadColumns('result', false),
    ...payloadColumns('error', false),
    ...payloadColumns('progress', false),
    attempt: integer().notNull().default(0),
    maxAttempts: integer().notNull(),
    backoffBaseMs: integer().notNull(),
    backoffMaxMs: integer().notNull(),
    timeoutMs: integer().notNull(),
    submittedBy: text().notNull(),
    idempotencyKey: text(),
    agentId: text(),
    /** Scheduled until every task it depends on succeeded. */
    blocked: boolean().notNull().default(false),
    runAt: at().notNull(),
    leaseUntil: at(),
    deadlineAt: at(),
    createdAt: at().notNull().defaultNow(),
    startedAt: at(),
    finishedAt: at(),
    version: integer().notNull().default(1),
  },
  (table) => [
    index('tasks_queue_idx')
      .on(table.type, table.priority.desc(), table.runAt, table.seq)
      .where(sql`status = 'queued'`),
    index('tasks_scheduled_idx').on(table.runAt).where(sql`status = 'scheduled' AND NOT blocked`),
    index('tasks_blocked_idx').on(table.id).where(sql`status = 'scheduled' AND blocked`),
    index('tasks_lease_idx').on(table.leaseUntil).where(sql`status = 'running'`),
    index('tasks_deadline_idx').on(table.deadlineAt).where(sql`status = 'running'`),
    index('tasks_running_agent_idx').on(table.agentId).where(sql`status = 'running'`),
    index('tasks_type_idx').on(table.type, table.seq),
    index('tasks_status_idx').on(table.status, table.seq),
    index('tasks_submitter_idx').on(table.submittedBy, table.seq),
    // The stats count the tasks that ended in the last minute without reading the older ones.
    index('tasks_finished_idx').on(table.finishedAt).where(sql`finished_at IS NOT NULL`),
    uniqueIndex('tasks_idempotency_idx')
      .on(table.submittedBy, table.idempotencyKey)
      .where(sql`idempotency_key IS NOT NULL`),
  ],
);

/** Every status change of every task, with the attempt and the agent it concerned. */
export const transitions = tasksSchema.table(
  'transitions',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    taskId: uuid()
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    at: at().notNull().defaultNow(),
    fromStatus: text(),
    toStatus: text().notNull(),
    attempt: integer().notNull(),
    agentId: text(),
    reason: text(),
  },
  (table) => [index('transitions_task_idx').on(table.taskId, table.id)],
);

/**
 * The agents that declared (through the SDK) which types they execute, with what their
 * registration said when they declared: capabilities and labels (a re-registration declares
 * again).
 */
export const executors = tasksSchema.table(
  'executors',
  {
    agentId: text().notNull(),
    type: text().notNull(),
    concurrency: integer().notNull(),
    capabilities: jsonb().notNull().default([]),
    labels: jsonb().notNull().default({}),
    /** The connection it declared on: its end withdraws the declaration (a reconnect declares again). */
    connectionId: text(),
    declaredAt: at().notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.agentId, table.type] })],
);

/** The tasks a task waits for: it runs once all of them succeeded. */
export const dependencies = tasksSchema.table(
  'dependencies',
  {
    taskId: uuid()
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    dependsOn: uuid().notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.taskId, table.dependsOn] }),
    index('dependencies_depends_on_idx').on(table.dependsOn),
  ],
);

/** Cron schedules: each submits a task of its type at every tick, as its creator. */
export const schedules = tasksSchema.table(
  'schedules',
  {
    name: text().primaryKey(),
    type: text().notNull(),
    cron: text().notNull(),
    timezone: text().notNull(),
    ...payloadColumns('input', true),
    priority: smallint(),
    nextRunAt: at().notNull(),
    lastTaskId: uuid(),
    createdBy: text().notNull(),
    createdAt: at().notNull().defaultNow(),
  },
  (table) => [index('schedules_next_run_idx').on(table.nextRunAt)],
);
