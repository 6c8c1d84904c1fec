import {
  type RpcDefinition,
  type ServiceFrame,
  TaskCancelRpc,
  TaskCompleteBatchRpc,
  TaskCompleteRpc,
  TaskExecutorDeclareRpc,
  TaskGetRpc,
  TaskHeartbeatRpc,
  TaskHistoryRpc,
  TaskListRpc,
  TaskProgressRpc,
  TaskSubmitBatchRpc,
  TaskSubmitRpc,
  TaskTypeGetRpc,
  TaskTypeRegisterRpc,
  TaskWatchRpc,
} from '@switchboard/protocol';
import type { z } from 'zod';
import type { ForwardRoute } from '../ws/forward.ts';

type Of<T extends ServiceFrame['type']> = Extract<ServiceFrame, { type: T }>;
type TaskFrameType = Extract<ServiceFrame['type'], `task.${string}`>;

// Typed where a route is written (the request must fit the RPC), erased in the table.
function toTasks<F extends ServiceFrame, Req extends z.ZodType, Res extends z.ZodType>(
  rpc: RpcDefinition<Req, Res>,
  request: (frame: F) => z.input<Req>,
  batch?: RpcDefinition,
): ForwardRoute<F> {
  return batch === undefined
    ? { service: 'tasks', rpc, request }
    : { service: 'tasks', rpc, request, batch };
}

// Keeps the fields a frame set, drops those it left out (the RPC schemas are strict).
function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/**
 * Where the task frames go: the task worker's RPCs, which read the acting agent from the
 * principal (submitter, executor, reader). The task type travels as `taskType` in a frame, whose
 * own `type` names the frame.
 */
export const taskForwardRoutes: { [T in TaskFrameType]: ForwardRoute<Of<T>> } = {
  // Submits and completions are the hot path: batched per connection.
  'task.submit': toTasks(
    TaskSubmitRpc,
    (frame: Of<'task.submit'>) => ({
      type: frame.taskType,
      ...defined({
        input: frame.input,
        idempotencyKey: frame.idempotencyKey,
        priority: frame.priority,
        timeoutMs: frame.timeoutMs,
        runAt: frame.runAt,
        delayMs: frame.delayMs,
        dependsOn: frame.dependsOn,
      }),
    }),
    TaskSubmitBatchRpc,
  ),
  'task.get': toTasks(TaskGetRpc, (frame: Of<'task.get'>) => ({ taskId: frame.taskId })),
  'task.list': toTasks(TaskListRpc, (frame: Of<'task.list'>) =>
    defined({
      type: frame.taskType,
      status: frame.status,
      since: frame.since,
      until: frame.until,
      limit: frame.limit,
      cursor: frame.cursor,
    }),
  ),
  'task.history': toTasks(TaskHistoryRpc, (frame: Of<'task.history'>) => ({
    taskId: frame.taskId,
  })),
  'task.cancel': toTasks(TaskCancelRpc, (frame: Of<'task.cancel'>) => ({
    taskId: frame.taskId,
    ...defined({ reason: frame.reason }),
  })),
  'task.types.register': toTasks(TaskTypeRegisterRpc, (frame: Of<'task.types.register'>) => {
    const { v: _v, id: _id, type: _type, ...input } = frame;
    return input;
  }),
  'task.types.get': toTasks(TaskTypeGetRpc, (frame: Of<'task.types.get'>) => ({
    name: frame.name,
  })),
  'task.executor': toTasks(TaskExecutorDeclareRpc, (frame: Of<'task.executor'>) => ({
    types: frame.types,
    ...defined({ concurrency: frame.concurrency }),
  })),
  'task.progress': toTasks(TaskProgressRpc, (frame: Of<'task.progress'>) => ({
    taskId: frame.taskId,
    attempt: frame.attempt,
    progress: frame.progress,
  })),
  'task.complete': toTasks(
    TaskCompleteRpc,
    (frame: Of<'task.complete'>) =>
      frame.error === undefined
        ? { taskId: frame.taskId, attempt: frame.attempt, result: frame.result ?? null }
        : {
            taskId: frame.taskId,
            attempt: frame.attempt,
            error: frame.error,
            ...defined({ retryable: frame.retryable }),
          },
    TaskCompleteBatchRpc,
  ),
  'task.heartbeat': toTasks(TaskHeartbeatRpc, (frame: Of<'task.heartbeat'>) => ({
    leases: frame.leases,
  })),
  // Asks the task worker whether the agent may watch; the gateway keeps the watch (tasks/).
  'task.watch': toTasks(TaskWatchRpc, (frame: Of<'task.watch'>) => ({ taskId: frame.taskId })),
};
