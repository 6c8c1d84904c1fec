import { z } from 'zod';
import { ErrorBodySchema } from './error-body.ts';
import { AgentIdSchema, CapabilitySchema } from './frames/agent.ts';
import { JsonSchemaObjectSchema } from './tools.ts';

// The task model (DESIGN.md, Tasks): task types, tasks, their statuses and history.

const DAY_MS = 86_400_000;

/**
 * A task type's name: dot-separated tokens like a subject (`report.render`), so that task grants
 * match types with subject patterns (`report.*`).
 */
export const TaskTypeNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(
    /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/,
    'use dot-separated tokens of lowercase letters, digits, _ and -',
  );

/** A task id (UUIDv7, chosen by the task worker). */
export const TaskIdSchema = z.uuid();

/** Higher runs first; equal priorities run by due time, then submission order. */
export const TaskPrioritySchema = z.int().min(-100).max(100);

/** How a type's failed attempts are retried: `maxAttempts` in all, with growing delays. */
export const RetryPolicySchema = z.strictObject({
  /** Attempts in all (1: never retried). */
  maxAttempts: z.int().min(1).max(100),
  /** Delay before the first retry; doubles with every attempt (with jitter). */
  backoffBaseMs: z.int().min(0).max(DAY_MS),
  /** Longest delay between two attempts. */
  backoffMaxMs: z.int().min(0).max(DAY_MS),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

/** How the task worker picks the executor of a type's tasks among the eligible agents. */
export const AssignmentStrategies = ['round_robin', 'least_loaded', 'weighted'] as const;
export type AssignmentStrategy = (typeof AssignmentStrategies)[number];

/** What registering a task type sends. Registering a name again replaces it (new version). */
export const TaskTypeInputSchema = z.strictObject({
  name: TaskTypeNameSchema,
  description: z.string().max(2048).optional(),
  /** The input's JSON Schema; without it any JSON input is accepted. */
  inputSchema: JsonSchemaObjectSchema.optional(),
  /** Capabilities (by name) an executor's registration must have, all of them. */
  capabilities: z.array(CapabilitySchema.shape.name).max(32).optional(),
  /** Longest run of one attempt; a submit may override it. Default: the worker's setting. */
  timeoutMs: z
    .int()
    .min(1)
    .max(7 * DAY_MS)
    .optional(),
  /** What is left out comes from the worker's settings. */
  retry: RetryPolicySchema.partial().optional(),
  /** Default 0. */
  priority: TaskPrioritySchema.optional(),
  /** Default `least_loaded`. */
  strategy: z.enum(AssignmentStrategies).optional(),
  /** Tasks of the type running at once, mesh-wide, at most (default: no limit). */
  concurrency: z.int().min(1).max(100_000).optional(),
});
export type TaskTypeInput = z.input<typeof TaskTypeInputSchema>;

/** A registered task type. */
export const TaskTypeSchema = z.strictObject({
  name: TaskTypeNameSchema,
  description: z.string().nullable(),
  inputSchema: JsonSchemaObjectSchema.nullable(),
  capabilities: z.array(z.string()),
  timeoutMs: z.int().min(1),
  retry: RetryPolicySchema,
  priority: TaskPrioritySchema,
  strategy: z.enum(AssignmentStrategies),
  concurrency: z.int().min(1).nullable(),
  /** Grows with every registration of the name. */
  version: z.int().min(1),
  registeredBy: z.string(),
  updatedAt: z.iso.datetime(),
});
export type TaskType = z.infer<typeof TaskTypeSchema>;

/**
 * Where a task stands. Final: `succeeded`, `failed`, `cancelled`, `timed_out`. `scheduled`
 * waits for its time; `queued` is due and waits for an executor; `running` is leased to one.
 */
export const TaskStatuses = [
  'scheduled',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export type TaskStatus = (typeof TaskStatuses)[number];

/** The statuses a task never leaves. */
export const FinalTaskStatuses = ['succeeded', 'failed', 'cancelled', 'timed_out'] as const;
export type FinalTaskStatus = (typeof FinalTaskStatuses)[number];

/** True when a task in `status` is done for good. */
export function isFinalTaskStatus(status: TaskStatus): status is FinalTaskStatus {
  return (FinalTaskStatuses as readonly string[]).includes(status);
}

/** A submitter's idempotency key: the same key (same submitter) returns the first task. */
export const IdempotencyKeySchema = z.string().min(1).max(256);

/** A task as `get` shows it. */
export const TaskSchema = z.strictObject({
  id: TaskIdSchema,
  type: TaskTypeNameSchema,
  status: z.enum(TaskStatuses),
  priority: TaskPrioritySchema,
  input: z.json(),
  result: z.json().nullable(),
  error: ErrorBodySchema.nullable(),
  progress: z.json().nullable(),
  /** Attempts started so far (0 before the first). */
  attempt: z.int().min(0),
  maxAttempts: z.int().min(1),
  timeoutMs: z.int().min(1),
  submittedBy: z.string(),
  idempotencyKey: IdempotencyKeySchema.nullable(),
  /** The agent running (or that last ran) it. */
  agentId: AgentIdSchema.nullable(),
  runAt: z.iso.datetime(),
  leaseUntil: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  /** Grows with every change (status, progress): compare it to tell changes apart. */
  version: z.int().min(1),
});
export type Task = z.infer<typeof TaskSchema>;

/** One transition of a task, as history keeps it. */
export const TaskTransitionSchema = z.strictObject({
  at: z.iso.datetime(),
  from: z.enum(TaskStatuses).nullable(),
  to: z.enum(TaskStatuses),
  attempt: z.int().min(0),
  agentId: AgentIdSchema.nullable(),
  reason: z.string().nullable(),
});
export type TaskTransition = z.infer<typeof TaskTransitionSchema>;

/** A task handed to its executor: what the agent's handler receives. */
export const TaskAssignmentSchema = z.strictObject({
  taskId: TaskIdSchema,
  type: TaskTypeNameSchema,
  /** 1 on the first attempt; name it in progress, heartbeat and complete. */
  attempt: z.int().min(1),
  input: z.json(),
  /** The lease lasts this long unless a heartbeat renews it. */
  leaseMs: z.int().min(1),
  /** The attempt times out at this time (ISO 8601). */
  deadline: z.iso.datetime(),
});
export type TaskAssignment = z.infer<typeof TaskAssignmentSchema>;

/** Why an executor must stop an attempt. */
export const TaskAbortReasons = ['cancelled', 'timed_out', 'lost'] as const;
export type TaskAbortReason = (typeof TaskAbortReasons)[number];

/** Tells an executor to stop an attempt: its completion would be refused. */
export const TaskAbortSchema = z.strictObject({
  taskId: TaskIdSchema,
  attempt: z.int().min(1),
  reason: z.enum(TaskAbortReasons),
});
export type TaskAbort = z.infer<typeof TaskAbortSchema>;

/** A standard cron expression (5 fields, or 6 with seconds first), read by cron-parser. */
export const CronExpressionSchema = z.string().min(9).max(256);

/** A schedule's name: its handle in the API. */
export const TaskScheduleNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lowercase letters, digits, . _ and -');

/** What creating (or replacing) a cron schedule sends. */
export const TaskScheduleInputSchema = z.strictObject({
  name: TaskScheduleNameSchema,
  type: TaskTypeNameSchema,
  cron: CronExpressionSchema,
  /** IANA time zone the expression is read in (default UTC). */
  timezone: z.string().min(1).max(64).optional(),
  input: z.json().optional(),
  /** Default: the type's priority. */
  priority: TaskPrioritySchema.optional(),
});
export type TaskScheduleInput = z.input<typeof TaskScheduleInputSchema>;

/** A cron schedule: a record of its own that submits one task per tick. */
export const TaskScheduleSchema = z.strictObject({
  name: TaskScheduleNameSchema,
  type: TaskTypeNameSchema,
  cron: CronExpressionSchema,
  timezone: z.string(),
  input: z.json(),
  priority: TaskPrioritySchema.nullable(),
  nextRunAt: z.iso.datetime(),
  lastTaskId: TaskIdSchema.nullable(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
});
export type TaskSchedule = z.infer<typeof TaskScheduleSchema>;
