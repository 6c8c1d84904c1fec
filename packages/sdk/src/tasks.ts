import {
  TaskCancelRpc,
  TaskGetRpc,
  TaskHistoryRpc,
  TaskListRpc,
  TaskSubmitResultSchema,
  TaskTypeSchema,
} from '@switchboard/protocol';
import { requestResult, type SendRequest } from './request-result.ts';
import { type IdempotentRetry, retryIdempotent } from './retry-idempotent.ts';
import type { TasksApi } from './tasks-api.ts';
import type { TaskExecutor } from './tasks-executor.ts';
import type { TaskWaits } from './tasks-waits.ts';

// Keeps the fields a call set, drops those it left out (the frame schemas are strict).
function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/** The task calls over `send`; `executor` runs this agent's handlers, `waits` its waits. */
export function createTasksApi(
  send: SendRequest,
  parts: IdempotentRetry & {
    executor: TaskExecutor;
    waits: TaskWaits;
  },
): TasksApi {
  // With an idempotency key a submit may be sent again safely: a try whose answer was lost (a
  // replica died, the connection dropped) stored at most the one task the key names.
  const sendUntilStored = <T>(request: () => Promise<T>) => retryIdempotent(request, parts);

  const get = (taskId: string) =>
    requestResult(send, { type: 'task.get', taskId }, TaskGetRpc.response);
  return {
    submit: (type, input, options = {}) => {
      const submit = () =>
        requestResult(
          send,
          {
            type: 'task.submit',
            taskType: type,
            input,
            ...defined({
              idempotencyKey: options.idempotencyKey,
              priority: options.priority,
              timeoutMs: options.timeoutMs,
              runAt: options.runAt instanceof Date ? options.runAt.toISOString() : options.runAt,
              delayMs: options.delayMs,
              dependsOn: options.dependsOn,
            }),
          },
          TaskSubmitResultSchema,
        );
      return options.idempotencyKey === undefined ? submit() : sendUntilStored(submit);
    },
    get,
    list: (options = {}) =>
      requestResult(
        send,
        {
          type: 'task.list',
          ...defined({
            taskType: options.type,
            status: options.status,
            since: options.since,
            until: options.until,
            limit: options.limit,
            cursor: options.cursor,
          }),
        },
        TaskListRpc.response,
      ),
    history: async (taskId) =>
      (await requestResult(send, { type: 'task.history', taskId }, TaskHistoryRpc.response)).items,
    cancel: (taskId, reason) =>
      requestResult(
        send,
        { type: 'task.cancel', taskId, ...defined({ reason }) },
        TaskCancelRpc.response,
      ),
    wait: (taskId, options) => parts.waits.wait(taskId, options),
    registerType: (type) =>
      requestResult(send, { ...type, type: 'task.types.register' }, TaskTypeSchema),
    getType: (name) => requestResult(send, { type: 'task.types.get', name }, TaskTypeSchema),
    handle: async (type, handler, options = {}) => {
      await parts.executor.handle(type, handler, options.concurrency);
      return () => parts.executor.unhandle(type, handler);
    },
  };
}
