import { z } from 'zod';
import { ErrorBodySchema } from './error-body.ts';
import { batchRpcOf, defineRpc } from './rpc.ts';
import {
  IdempotencyKeySchema,
  TaskIdSchema,
  TaskPrioritySchema,
  TaskScheduleInputSchema,
  TaskScheduleNameSchema,
  TaskScheduleSchema,
  TaskSchema,
  TaskStatuses,
  TaskTransitionSchema,
  TaskTypeInputSchema,
  TaskTypeNameSchema,
  TaskTypeSchema,
} from './tasks.ts';

// The task worker's RPCs (`<ns>.v1.tasks.<op>`). The caller is the `sb-principal`: an agent needs
// a `task` grant for the type (submit / execute / cancel / read); an operator needs the scope
// `tasks:read` to read, and `tasks:write` plus a `task` grant for the type to submit or cancel.

/** Most items one page of a task listing holds. */
export const MAX_TASKS_PAGE = 500;

/** Longest delay or run time a task may be scheduled ahead. */
const MAX_AHEAD_MS = 366 * 86_400_000;

/**
 * `types.register`: registers (or replaces, as a new version) a task type. Operators need
 * `tasks:write`; an agent needs `execute` on the type.
 */
export const TaskTypeRegisterRpc = defineRpc('types.register', TaskTypeInputSchema, TaskTypeSchema);

/** `types.get`: one task type, or `E_NOT_FOUND`. */
export const TaskTypeGetRpc = defineRpc(
  'types.get',
  z.strictObject({ name: TaskTypeNameSchema }),
  TaskTypeSchema,
);

/** `types.list`: every registered task type, by name. */
export const TaskTypeListRpc = defineRpc(
  'types.list',
  z.strictObject({}),
  z.strictObject({ items: z.array(TaskTypeSchema) }),
);

/** What submitting a task sends. */
export const TaskSubmitSchema = z.strictObject({
  type: TaskTypeNameSchema,
  input: z.json().default(null),
  /** A key seen before from the same submitter returns the first task (`duplicate: true`). */
  idempotencyKey: IdempotencyKeySchema.optional(),
  /** Default: the type's priority. */
  priority: TaskPrioritySchema.optional(),
  /** Longest run of one attempt; default: the type's timeout. */
  timeoutMs: z
    .int()
    .min(1)
    .max(7 * 86_400_000)
    .optional(),
  /** Not before this time (ISO 8601). */
  runAt: z.iso.datetime().optional(),
  /** Not before this delay from now (ignored with `runAt`). */
  delayMs: z.int().min(0).max(MAX_AHEAD_MS).optional(),
  /**
   * Runs only once all these tasks succeeded (it is `scheduled` until then); cancelled when one
   * of them fails, is cancelled or times out.
   */
  dependsOn: z.array(TaskIdSchema).max(100).optional(),
});
export type TaskSubmit = z.input<typeof TaskSubmitSchema>;

/** What a submit answers, once the task is in Postgres. */
export const TaskSubmitResultSchema = z.strictObject({
  taskId: TaskIdSchema,
  status: z.enum(TaskStatuses),
  duplicate: z.boolean(),
});
export type TaskSubmitResult = z.infer<typeof TaskSubmitResultSchema>;

/**
 * `submit`: stores a task and answers once it is in Postgres. An unknown type or an input its
 * schema refuses is `E_VALIDATION` (`details.path` names the failing place).
 */
export const TaskSubmitRpc = defineRpc('submit', TaskSubmitSchema, TaskSubmitResultSchema);

/** `submit.batch`: many submits of one caller in one request (the gateway batches per connection). */
export const TaskSubmitBatchRpc = batchRpcOf(TaskSubmitRpc);

/** `get`: one task with its input, result, error and progress, or `E_NOT_FOUND`. */
export const TaskGetRpc = defineRpc('get', z.strictObject({ taskId: TaskIdSchema }), TaskSchema);

/** `list`: tasks newest first, filtered by type, status and creation time. */
export const TaskListRpc = defineRpc(
  'list',
  z.strictObject({
    type: TaskTypeNameSchema.optional(),
    status: z.enum(TaskStatuses).optional(),
    since: z.iso.datetime().optional(),
    until: z.iso.datetime().optional(),
    limit: z.int().min(1).max(MAX_TASKS_PAGE).default(50),
    /** `nextCursor` of the previous page. */
    cursor: z.string().regex(/^\d+$/).max(40).optional(),
  }),
  z.strictObject({ items: z.array(TaskSchema), nextCursor: z.string().nullable() }),
);

/** `history`: every transition of a task, oldest first. */
export const TaskHistoryRpc = defineRpc(
  'history',
  z.strictObject({ taskId: TaskIdSchema }),
  z.strictObject({ items: z.array(TaskTransitionSchema) }),
);

/**
 * `cancel`: a scheduled or queued task ends `cancelled` at once; a running one too, and its agent
 * is told to stop (its late completion is refused). A task already final is `E_CONFLICT`.
 */
export const TaskCancelRpc = defineRpc(
  'cancel',
  z.strictObject({ taskId: TaskIdSchema, reason: z.string().max(512).optional() }),
  TaskSchema,
);

/** What a watch reports: where the task stands now. */
export const TaskWatchResultSchema = z.strictObject({
  taskId: TaskIdSchema,
  status: z.enum(TaskStatuses),
  version: z.int().min(1),
});
export type TaskWatchResult = z.infer<typeof TaskWatchResultSchema>;

/**
 * `watch`: checks that the caller may read the task and answers where it stands. The task worker
 * keeps no watch: the gateway asks it before it forwards the task's `evt.task.changed` changes.
 */
export const TaskWatchRpc = defineRpc(
  'watch',
  z.strictObject({ taskId: TaskIdSchema }),
  TaskWatchResultSchema,
);

/**
 * `executor.declare`: the calling agent executes these types (exactly these: an empty list
 * withdraws it), at most `concurrency` tasks at once. Needs `execute` on each type; the agent's
 * registration must also have each type's capabilities for it to be chosen.
 */
export const TaskExecutorDeclareRpc = defineRpc(
  'executor.declare',
  z.strictObject({
    types: z.array(TaskTypeNameSchema).max(64),
    concurrency: z.int().min(1).max(10_000).default(16),
  }),
  z.strictObject({ types: z.array(TaskTypeNameSchema) }),
);

/** Names one attempt of a task: only the agent holding that attempt's lease may act on it. */
export const TaskAttemptSchema = z.strictObject({
  taskId: TaskIdSchema,
  attempt: z.int().min(1),
});
export type TaskAttempt = z.infer<typeof TaskAttemptSchema>;

/** `progress`: the running agent reports progress (any JSON; the latest is kept). */
export const TaskProgressRpc = defineRpc(
  'progress',
  TaskAttemptSchema.extend({ progress: z.json() }),
  z.strictObject({ version: z.int().min(1) }),
);

/** How an attempt ended, as the agent reports it: a result, or an error. */
export const TaskOutcomeSchema = z.union([
  TaskAttemptSchema.extend({ result: z.json() }),
  TaskAttemptSchema.extend({
    error: ErrorBodySchema,
    /** False: no retry, the task fails now whatever attempts are left. */
    retryable: z.boolean().default(true),
  }),
]);
export type TaskOutcome = z.input<typeof TaskOutcomeSchema>;

/**
 * `complete`: ends the calling agent's attempt with a result or an error (retried per the
 * type's policy, or final). From an agent or attempt that no longer holds the lease it is
 * `E_CONFLICT` and changes nothing.
 */
export const TaskCompleteRpc = defineRpc(
  'complete',
  TaskOutcomeSchema,
  z.strictObject({ status: z.enum(TaskStatuses) }),
);

/** `complete.batch`: many completions of one executor in one request. */
export const TaskCompleteBatchRpc = batchRpcOf(TaskCompleteRpc);

/**
 * `heartbeat`: renews the leases of the calling agent's running attempts; `lost` lists those it
 * no longer holds (expired, cancelled, timed out): their handlers should stop.
 */
export const TaskHeartbeatRpc = defineRpc(
  'heartbeat',
  z.strictObject({ leases: z.array(TaskAttemptSchema).min(1).max(1000) }),
  z.strictObject({ lost: z.array(TaskIdSchema) }),
);

/**
 * `schedules.put`: creates (or replaces) a cron schedule submitting a task of its type at every
 * tick, as its creator. Operators need `tasks:write` and `submit` on the type; an agent needs
 * `submit` on the type.
 */
export const TaskSchedulePutRpc = defineRpc(
  'schedules.put',
  TaskScheduleInputSchema,
  TaskScheduleSchema,
);

/** `schedules.list`: every cron schedule, by name. */
export const TaskScheduleListRpc = defineRpc(
  'schedules.list',
  z.strictObject({}),
  z.strictObject({ items: z.array(TaskScheduleSchema) }),
);

/** `schedules.delete`: removes a cron schedule (tasks it submitted stay). */
export const TaskScheduleDeleteRpc = defineRpc(
  'schedules.delete',
  z.strictObject({ name: TaskScheduleNameSchema }),
  z.strictObject({ removed: z.boolean() }),
);
