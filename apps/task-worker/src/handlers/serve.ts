import { assertAllowed } from '@switchboard/authz';
import type { Bus, BusSubscription } from '@switchboard/bus';
import { encodePayload, type RecordCodec } from '@switchboard/db';
import type { Logger } from '@switchboard/logger';
import {
  type ErrorBody,
  type JsonValue,
  type RpcDefinition,
  SbError,
  TaskCancelRpc,
  type TaskChange,
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
  TaskTypeListRpc,
  TaskTypeRegisterRpc,
  TaskWatchRpc,
} from '@switchboard/protocol';
import { answerEach, type Caller, serveAs } from '@switchboard/service';
import type { z } from 'zod';
import { assertTaskAccess, executingAgent } from '../caller.ts';
import type { TasksSettings } from '../config.ts';
import type { TaskQueries } from '../db/task-queries.ts';
import { type TaskRow, taskOf } from '../db/task-row.ts';
import type { TaskStore } from '../db/task-store.ts';
import type { Dispatcher } from '../dispatcher.ts';
import type { ExecutorDirectory } from '../executor-directory.ts';
import type { InputValidator } from '../input-validator.ts';
import type { TypeRegistry } from '../type-registry.ts';
import type { Reporter } from './report.ts';
import type { Submitter } from './submit.ts';

/** Serves every task-worker RPC in the `tasks` queue group. */
export function serveTaskRpcs(deps: {
  bus: Bus;
  store: TaskStore;
  /** Decodes the payloads of tasks read back. */
  codec: RecordCodec;
  queries: TaskQueries;
  types: TypeRegistry;
  validator: InputValidator;
  executors: ExecutorDirectory;
  submitter: Submitter;
  reporter: Reporter;
  dispatcher: Dispatcher;
  publish: (changes: readonly TaskChange[]) => void;
  settings: () => TasksSettings;
  log: Logger;
}): BusSubscription[] {
  const { bus, store, types } = deps;
  const serve = serveAs(bus, 'tasks');
  // The gateway sends an agent's submits and completions in batches; each item is answered as
  // the single RPC would answer it.
  const serveWithBatch = <Req extends z.ZodType, Res extends z.ZodType>(
    rpc: RpcDefinition<Req, Res>,
    batch: RpcDefinition<
      z.ZodType<{ items: Array<z.infer<Req>> }>,
      z.ZodType<{ results: unknown[] }, unknown>
    >,
    handler: (request: z.infer<Req>, caller: Caller) => Promise<z.input<Res>>,
  ) => [
    serve(rpc, handler),
    serve(batch, ({ items }, caller) =>
      answerEach(items, (item) => handler(item, caller), deps.log),
    ),
  ];

  /** A task the caller may `read` (unknown or hidden alike: `E_NOT_FOUND`). */
  const readable = async (taskId: string, caller: Caller): Promise<TaskRow> => {
    const row = await store.get(taskId);
    if (row === undefined) throw new SbError('E_NOT_FOUND', `no task ${taskId}`);
    // A submitter always reads its own tasks.
    if (row.submitted_by !== caller.principal.id) assertTaskAccess(caller, row.type, 'read');
    return row;
  };

  const payload = (value: JsonValue, what: string): Buffer => {
    const bytes = encodePayload(value);
    const { maxPayloadBytes } = deps.settings();
    if (bytes.length > maxPayloadBytes) {
      throw new SbError(
        'E_PAYLOAD_TOO_LARGE',
        `the ${what} is ${bytes.length} bytes; the limit is ${maxPayloadBytes}`,
      );
    }
    return bytes;
  };

  const refused = (taskId: string, attempt: number) =>
    new SbError(
      'E_CONFLICT',
      `attempt ${attempt} of task ${taskId} is not running on this agent any more (its lease ended, or it was cancelled or completed); nothing was changed`,
    );

  return [
    serve(TaskTypeRegisterRpc, async (request, caller) => {
      if (caller.agentId !== null) assertTaskAccess(caller, request.name, 'execute');
      else assertAllowed(caller.principal, { kind: 'operator', scope: 'tasks:write' });
      if (request.inputSchema !== undefined) deps.validator.compile(request.inputSchema);
      const settings = deps.settings();
      return types.register({
        name: request.name,
        description: request.description ?? null,
        inputSchema: request.inputSchema ?? null,
        capabilities: request.capabilities ?? [],
        timeoutMs: request.timeoutMs ?? settings.defaultTimeoutMs,
        retry: {
          maxAttempts: request.retry?.maxAttempts ?? settings.defaultMaxAttempts,
          backoffBaseMs: request.retry?.backoffBaseMs ?? settings.backoffBaseMs,
          backoffMaxMs: request.retry?.backoffMaxMs ?? settings.backoffMaxMs,
        },
        priority: request.priority ?? 0,
        strategy: request.strategy ?? 'least_loaded',
        concurrency: request.concurrency ?? null,
        registeredBy: caller.principal.id,
      });
    }),
    serve(TaskTypeGetRpc, async (request, caller) => {
      if (caller.agentId === null) {
        assertAllowed(caller.principal, { kind: 'operator', scope: 'tasks:read' });
      }
      const found = (await types.all()).get(request.name);
      if (found === undefined) throw new SbError('E_NOT_FOUND', `no task type ${request.name}`);
      return found;
    }),
    serve(TaskTypeListRpc, async (_request, caller) => {
      if (caller.agentId === null) {
        assertAllowed(caller.principal, { kind: 'operator', scope: 'tasks:read' });
      }
      return { items: [...(await types.all()).values()] };
    }),
    ...serveWithBatch(TaskSubmitRpc, TaskSubmitBatchRpc, (request, caller) =>
      deps.submitter.submit(request, caller),
    ),
    serve(TaskGetRpc, async (request, caller) =>
      taskOf(await readable(request.taskId, caller), deps.codec),
    ),
    serve(TaskHistoryRpc, async (request, caller) => {
      await readable(request.taskId, caller);
      return { items: await deps.queries.history(request.taskId) };
    }),
    serve(TaskWatchRpc, async (request, caller) => {
      const row = await readable(request.taskId, caller);
      return { taskId: row.id, status: row.status, version: row.version };
    }),
    serve(TaskListRpc, async (request, caller) => {
      // An agent lists the tasks it submitted, or (with `read` on it) one type's.
      let submittedBy: string | undefined;
      if (request.type !== undefined) assertTaskAccess(caller, request.type, 'read');
      else if (caller.agentId !== null) submittedBy = caller.principal.id;
      else assertAllowed(caller.principal, { kind: 'operator', scope: 'tasks:read' });
      return deps.queries.list({ ...request, submittedBy });
    }),
    serve(TaskCancelRpc, async (request, caller) => {
      const row = await readable(request.taskId, caller);
      assertTaskAccess(caller, row.type, 'cancel');
      const cancelled = await store.cancel(
        row.id,
        request.reason ?? `cancelled by ${caller.principal.id}`,
      );
      if (cancelled === undefined) {
        throw new SbError(
          'E_CONFLICT',
          `task ${row.id} is already ${row.status}; it cannot be cancelled`,
        );
      }
      deps.publish(cancelled.changes);
      if (cancelled.from === 'running' && cancelled.agentId !== null) {
        void deps.dispatcher.abort(cancelled.agentId, row.id, cancelled.attempt, 'cancelled');
        deps.dispatcher.wake();
      }
      return taskOf((await store.get(row.id)) as TaskRow, deps.codec);
    }),
    serve(TaskExecutorDeclareRpc, async (request, caller) => {
      const agentId = executingAgent(caller);
      const declared = [...new Set(request.types)];
      for (const type of declared) assertTaskAccess(caller, type, 'execute');
      await deps.executors.declare(agentId, declared, request.concurrency);
      deps.dispatcher.wake();
      return { types: declared };
    }),
    serve(TaskProgressRpc, async (request, caller) => {
      const agentId = executingAgent(caller);
      const change = await store.progress(
        agentId,
        request.taskId,
        request.attempt,
        payload(request.progress as JsonValue, 'progress'),
      );
      if (change === undefined) throw refused(request.taskId, request.attempt);
      deps.publish([change]);
      return { version: change.version };
    }),
    ...serveWithBatch(TaskCompleteRpc, TaskCompleteBatchRpc, async (request, caller) => {
      const agentId = executingAgent(caller);
      const failed = 'error' in request;
      const outcome = await deps.reporter.report({
        taskId: request.taskId,
        attempt: request.attempt,
        agentId,
        ...(failed
          ? {
              end: { kind: 'failed', retryable: request.retryable },
              error: payload(request.error as ErrorBody as JsonValue, 'error'),
              reason: request.error.code,
            }
          : {
              end: { kind: 'succeeded' },
              result: payload(request.result as JsonValue, 'result'),
              reason: 'completed',
            }),
      });
      if (!outcome.accepted) throw refused(request.taskId, request.attempt);
      return { status: outcome.status };
    }),
    serve(TaskHeartbeatRpc, async (request, caller) => ({
      lost: await store.heartbeat(executingAgent(caller), request.leases, deps.settings().leaseMs),
    })),
  ];
}
