import { z } from 'zod';
import { ErrorBodySchema } from '../error-body.ts';
import { TaskChangeSchema } from '../events/task-events.ts';
import {
  TaskAttemptSchema,
  TaskCancelRpc,
  TaskExecutorDeclareRpc,
  TaskGetRpc,
  TaskHeartbeatRpc,
  TaskHistoryRpc,
  TaskListRpc,
  TaskSubmitSchema,
  TaskTypeGetRpc,
  TaskWatchRpc,
} from '../task-rpcs.ts';
import { TaskAbortSchema, TaskAssignmentSchema, TaskTypeInputSchema } from '../tasks.ts';
import { frameBase } from './envelope.ts';

// Task frames. Requests are answered with `result` (or `error`); the gateway forwards them to the
// task worker as RPCs for the registered agent, except `task.unwatch` (the watch lives on the
// connection).

/** Submits a task: answered with `{ taskId, status, duplicate }` once it is stored. */
export const TaskSubmitFrameSchema = TaskSubmitSchema.extend({
  ...frameBase,
  type: z.literal('task.submit'),
  // The frame's own `type` names the frame: the task type travels as `taskType`.
  taskType: TaskSubmitSchema.shape.type,
  input: z.json().optional(),
});
export type TaskSubmitFrame = z.infer<typeof TaskSubmitFrameSchema>;

/** Reads a task: answered with the task. */
export const TaskGetFrameSchema = TaskGetRpc.request.extend({
  ...frameBase,
  type: z.literal('task.get'),
});
export type TaskGetFrame = z.infer<typeof TaskGetFrameSchema>;

/** Lists tasks newest first (the task type filter is `taskType`). */
export const TaskListFrameSchema = TaskListRpc.request.omit({ type: true }).extend({
  ...frameBase,
  type: z.literal('task.list'),
  taskType: TaskListRpc.request.shape.type,
  limit: TaskListRpc.request.shape.limit.unwrap().optional(),
});
export type TaskListFrame = z.infer<typeof TaskListFrameSchema>;

/** Reads a task's transitions. */
export const TaskHistoryFrameSchema = TaskHistoryRpc.request.extend({
  ...frameBase,
  type: z.literal('task.history'),
});
export type TaskHistoryFrame = z.infer<typeof TaskHistoryFrameSchema>;

/** Cancels a task: answered with the task as it ended. */
export const TaskCancelFrameSchema = TaskCancelRpc.request.extend({
  ...frameBase,
  type: z.literal('task.cancel'),
});
export type TaskCancelFrame = z.infer<typeof TaskCancelFrameSchema>;

/** Registers a task type (the type's name is `name`): answered with the type. */
export const TaskTypeRegisterFrameSchema = TaskTypeInputSchema.extend({
  ...frameBase,
  type: z.literal('task.types.register'),
});
export type TaskTypeRegisterFrame = z.infer<typeof TaskTypeRegisterFrameSchema>;

/** Reads a task type. */
export const TaskTypeGetFrameSchema = TaskTypeGetRpc.request.extend({
  ...frameBase,
  type: z.literal('task.types.get'),
});
export type TaskTypeGetFrame = z.infer<typeof TaskTypeGetFrameSchema>;

/** Declares the task types this agent executes (all of them, each time). */
export const TaskExecutorFrameSchema = TaskExecutorDeclareRpc.request.extend({
  ...frameBase,
  type: z.literal('task.executor'),
  concurrency: TaskExecutorDeclareRpc.request.shape.concurrency.unwrap().optional(),
});
export type TaskExecutorFrame = z.infer<typeof TaskExecutorFrameSchema>;

/** Reports progress of the agent's attempt: answered with the task's new version. */
export const TaskProgressFrameSchema = TaskAttemptSchema.extend({
  ...frameBase,
  type: z.literal('task.progress'),
  progress: z.json(),
});
export type TaskProgressFrame = z.infer<typeof TaskProgressFrameSchema>;

/** Ends the agent's attempt with `result`, or with `error` (retried unless `retryable` is false). */
export const TaskCompleteFrameSchema = TaskAttemptSchema.extend({
  ...frameBase,
  type: z.literal('task.complete'),
  result: z.json().optional(),
  error: ErrorBodySchema.optional(),
  retryable: z.boolean().optional(),
});
export type TaskCompleteFrame = z.infer<typeof TaskCompleteFrameSchema>;

/** Renews the leases of the agent's running attempts: answered with `{ lost }`. */
export const TaskHeartbeatFrameSchema = TaskHeartbeatRpc.request.extend({
  ...frameBase,
  type: z.literal('task.heartbeat'),
});
export type TaskHeartbeatFrame = z.infer<typeof TaskHeartbeatFrameSchema>;

/**
 * Watches a task the agent may read: answered with where it stands, then a `task.changed` push
 * for every later change while this connection lasts (until the task is final).
 */
export const TaskWatchFrameSchema = TaskWatchRpc.request.extend({
  ...frameBase,
  type: z.literal('task.watch'),
});
export type TaskWatchFrame = z.infer<typeof TaskWatchFrameSchema>;

/** Stops watching a task: answered with `{ removed }` by the gateway. */
export const TaskUnwatchFrameSchema = TaskWatchRpc.request.extend({
  ...frameBase,
  type: z.literal('task.unwatch'),
});
export type TaskUnwatchFrame = z.infer<typeof TaskUnwatchFrameSchema>;

/** A task for the agent to execute (one it declared it handles). Not answered: complete it. */
export const TaskFrameSchema = TaskAssignmentSchema.extend({
  ...frameBase,
  type: z.literal('task'),
  taskType: TaskAssignmentSchema.shape.type,
});
export type TaskFrame = z.infer<typeof TaskFrameSchema>;

/** Stop an attempt (cancelled, timed out, or its lease is gone): its completion is refused. */
export const TaskAbortFrameSchema = TaskAbortSchema.extend({
  ...frameBase,
  type: z.literal('task.abort'),
});
export type TaskAbortFrame = z.infer<typeof TaskAbortFrameSchema>;

/** A watched task changed (status or progress); read it with `task.get`. */
export const TaskChangedFrameSchema = TaskChangeSchema.extend({
  ...frameBase,
  type: z.literal('task.changed'),
  taskType: TaskChangeSchema.shape.type,
});
export type TaskChangedFrame = z.infer<typeof TaskChangedFrameSchema>;

/** The task frames the gateway forwards to the task worker as RPCs. */
export const taskFrameSchemas = [
  TaskSubmitFrameSchema,
  TaskGetFrameSchema,
  TaskListFrameSchema,
  TaskHistoryFrameSchema,
  TaskCancelFrameSchema,
  TaskTypeRegisterFrameSchema,
  TaskTypeGetFrameSchema,
  TaskExecutorFrameSchema,
  TaskProgressFrameSchema,
  TaskCompleteFrameSchema,
  TaskHeartbeatFrameSchema,
  TaskWatchFrameSchema,
] as const;
