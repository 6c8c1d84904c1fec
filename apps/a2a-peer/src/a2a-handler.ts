import { randomUUID } from 'node:crypto';
import {
  type AgentCard,
  type CancelTaskRequest,
  type DeleteTaskPushNotificationConfigRequest,
  type GetExtendedAgentCardRequest,
  type GetTaskPushNotificationConfigRequest,
  type GetTaskRequest,
  type ListTaskPushNotificationConfigsRequest,
  type ListTaskPushNotificationConfigsResponse,
  type ListTasksRequest,
  type ListTasksResponse,
  Message,
  type SendMessageRequest,
  type StreamResponse,
  type SubscribeToTaskRequest,
  type Task,
  type TaskPushNotificationConfig,
  TaskState,
} from '@a2a-js/sdk';
import type { A2ARequestHandler, ServerCallContext } from '@a2a-js/sdk/server';
import type { Bus } from '@switchboard/bus';
import {
  A2A_LABEL,
  A2A_PUBLIC,
  A2aHeaders,
  type A2aInbound,
  type A2aMessageKind,
  type A2aTaskUpdate,
  isSbError,
  type JsonValue,
  type MessageTarget,
  RouterSendRpc,
  SbError,
  type SendResult,
} from '@switchboard/protocol';
import type { Caller } from '@switchboard/service';
import type { CardTarget } from './cards.ts';
import { stateName, type TaskRow, type TaskStore } from './db/task-store.ts';
import { derivedUuid } from './domain/derived-uuid.ts';
import {
  type Applied,
  applyAgentUpdate,
  applyCancel,
  applyFollowUp,
  isSettled,
  isTerminal,
  newTask,
  stateOf,
  withHistory,
} from './domain/task-machine.ts';
import { toA2aError } from './domain/to-a2a-error.ts';
import type { InboundEncryption } from './encryption/inbound.ts';
import { stateIn, type TaskFeed } from './task-feed.ts';

/** The caller of an A2A request, as the HTTP layer authenticated it. */
export interface A2aUser {
  readonly isAuthenticated: true;
  readonly userName: string;
  readonly caller: Caller;
}

/** What a request handler needs around it. */
export interface HandlerDeps {
  bus: Bus;
  store: TaskStore;
  feed: TaskFeed;
  /** The target's card (throws `E_NOT_FOUND` when the agent is not published). */
  card: (target: CardTarget) => Promise<AgentCard>;
  /** The agents that have `skill` among the published ones (for the orchestrator). */
  skills: () => Promise<string[]>;
  /** Checks a push notification URL against SSRF. */
  checkPushUrl: (url: string) => Promise<void>;
  /** The abort signal of the HTTP request behind a call (client gone). */
  requestSignal: (context: ServerCallContext) => AbortSignal | undefined;
  /** The encrypted-payloads extension: opens sealed messages, seals the answers. */
  encryption: InboundEncryption;
  settings: () => {
    blockingTimeoutMs: number;
    streamMaxMs: number;
    messageTtlMs: number;
    pageSize: number;
  };
}

const MAX_CONVERSATION_ID = 128;
const MAX_PAGE_SIZE = 100;

function callerOf(context: ServerCallContext): Caller {
  const user = context.user as A2aUser | undefined;
  if (user?.caller === undefined) throw new SbError('E_UNAUTHORIZED', 'no credentials');
  return user.caller;
}

const targetKey = (target: CardTarget) =>
  target.kind === 'orchestrator' ? 'orchestrator' : `agent:${target.agentId}`;

/**
 * The A2A methods for one card (a local agent, or the orchestrator that routes by skill), over
 * the peer's task records. Inbound messages go to the agent through the router (at least once,
 * queued while it is offline); its updates come back through `a2a.task.update` and reach the
 * callers here through the task feed.
 */
export function createA2aHandler(target: CardTarget, deps: HandlerDeps): A2ARequestHandler {
  // Reads a task the caller owns through this card; anything else is "not found".
  async function ownTask(id: string, caller: Caller): Promise<TaskRow> {
    const row = await deps.store.get(id);
    if (
      row === undefined ||
      row.owner !== caller.principal.id ||
      row.target !== targetKey(target)
    ) {
      throw new SbError('E_NOT_FOUND', `no task ${id} here`);
    }
    return row;
  }

  async function route(
    row: { task: Task; agentId: string | null; skill: string | null },
    kind: A2aMessageKind,
    message: Message | undefined,
    routerMessageId: string,
    caller: Caller,
  ): Promise<SendResult> {
    const to: MessageTarget =
      row.agentId !== null
        ? { kind: 'agent', agentId: row.agentId }
        : {
            kind: 'anycast',
            capability: row.skill as string,
            labels: { [A2A_LABEL]: A2A_PUBLIC },
          };
    const payload: A2aInbound | { taskId: string; contextId: string } =
      message === undefined
        ? { taskId: row.task.id, contextId: row.task.contextId }
        : {
            taskId: row.task.id,
            contextId: row.task.contextId,
            skill: row.skill,
            message: Message.toJSON(message) as A2aInbound['message'],
          };
    const contextId = row.task.contextId;
    return deps.bus.request(
      deps.bus.subjects.rpc('router', RouterSendRpc.operation),
      RouterSendRpc,
      {
        message: {
          id: routerMessageId,
          to,
          payload: payload as JsonValue,
          headers: { [A2aHeaders.task]: row.task.id, [A2aHeaders.kind]: kind },
          ttlMs: deps.settings().messageTtlMs,
          ...(contextId.length <= MAX_CONVERSATION_ID ? { conversationId: contextId } : {}),
        },
      },
      { principal: caller.header },
    );
  }

  async function announce(row: TaskRow, lastSeq: number): Promise<void> {
    if (lastSeq > 0) {
      await deps.feed.announce({ taskId: row.task.id, seq: lastSeq, state: stateName(row.task) });
    }
  }

  // A message that could not reach its agent ends the task as failed, with the reason.
  async function failRouting(taskId: string, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    const update: A2aTaskUpdate = {
      taskId,
      updateId: `routing-failed:${randomUUID()}`,
      status: { state: 'failed', message: { parts: [{ text: reason }] } },
    };
    const changed = await deps.store.change(taskId, (row) => ({
      applied: applyAgentUpdate(row.task, update, new Date()),
      agentId: row.agentId,
    }));
    await announce(changed.row, changed.lastSeq);
  }

  function skillOf(params: SendMessageRequest, message: Message): string | undefined {
    const named = message.metadata?.skill ?? params.metadata?.skill;
    return typeof named === 'string' && named.length > 0 ? named : undefined;
  }

  // Takes the caller's message: a new task, or the next turn of one; routes it to the agent.
  async function accept(
    params: SendMessageRequest,
    caller: Caller,
    context: ServerCallContext,
  ): Promise<{ taskId: string; afterSeq: number }> {
    const received = params.message;
    if (received === undefined || received.parts.length === 0) {
      throw new SbError('E_VALIDATION', 'a message with at least one part is required');
    }
    if (received.messageId === '') {
      throw new SbError('E_VALIDATION', 'the message needs a messageId');
    }
    if (received.taskId !== '') {
      const row = await ownTask(received.taskId, caller);
      const { message } = deps.encryption.open(received, context, row.task);
      if (message.contextId !== '' && message.contextId !== row.task.contextId) {
        throw new SbError(
          'E_VALIDATION',
          `task ${row.task.id} belongs to context ${row.task.contextId}, not ${message.contextId}`,
        );
      }
      const routerMessageId = derivedUuid('a2a', row.task.id, message.messageId);
      const changed = await deps.store.change(
        row.task.id,
        (current) => ({
          applied: applyFollowUp(current.task, message, new Date()),
          agentId: current.agentId,
        }),
        { received: { messageId: message.messageId, routerMessageId } },
      );
      await route(changed.row, 'message', message, routerMessageId, caller);
      await announce(changed.row, changed.lastSeq);
      return { taskId: row.task.id, afterSeq: changed.duplicate ? 0 : changed.lastSeq - 1 };
    }

    // A first message: its task id comes from the caller and the message id, so a re-send
    // finds the task the first copy made.
    const { message, keyId } = deps.encryption.open(received, context);
    const taskId = derivedUuid('task', caller.principal.id, targetKey(target), message.messageId);
    const routerMessageId = derivedUuid('a2a', taskId, message.messageId);
    let skill: string | null = null;
    if (target.kind === 'orchestrator') {
      skill = skillOf(params, message) ?? null;
      const skills = await deps.skills();
      if (skill === null || !skills.includes(skill)) {
        throw new SbError(
          'E_VALIDATION',
          `${skill === null ? 'name a skill' : `no agent has skill ${skill}`}: set message.metadata.skill to one of ${skills.join(', ') || '(none published)'}`,
        );
      }
    }
    const existing = await deps.store.get(taskId);
    if (existing !== undefined) {
      const routed = await route(existing, 'message', message, routerMessageId, caller);
      // The router stored it only now (the first copy never reached it): its TTL starts now,
      // and so does the time the task waits for an agent before it is failed as undelivered.
      if (!routed.duplicate) await deps.store.markRouted(taskId);
      return { taskId, afterSeq: 0 };
    }
    const contextId = message.contextId !== '' ? message.contextId : randomUUID();
    const applied: Applied = newTask({
      id: taskId,
      contextId,
      message,
      now: new Date(),
      metadata: deps.encryption.metadataFor(keyId),
    });
    const pushConfig = params.configuration?.taskPushNotificationConfig;
    if (pushConfig !== undefined) await deps.checkPushUrl(pushConfig.url);
    const agentId = target.kind === 'agent' ? target.agentId : null;
    try {
      await deps.store.create({
        applied,
        target: targetKey(target),
        skill,
        agentId,
        owner: caller.principal.id,
        messageId: message.messageId,
        routerMessageId,
        pushConfig:
          pushConfig === undefined
            ? undefined
            : { ...pushConfig, taskId, id: pushConfig.id !== '' ? pushConfig.id : randomUUID() },
      });
    } catch (error) {
      // Two copies of one message raced: the other made the task.
      if ((error as { code?: string }).code !== '23505') throw error;
    }
    try {
      await route(
        { task: applied.task, agentId, skill },
        'message',
        message,
        routerMessageId,
        caller,
      );
    } catch (error) {
      if (isSbError(error) && ['E_NOT_FOUND', 'E_FORBIDDEN'].includes(error.code)) {
        await failRouting(taskId, error);
      }
      throw error;
    }
    return { taskId, afterSeq: 0 };
  }

  async function currentTask(taskId: string, historyLength?: number): Promise<Task> {
    const row = await deps.store.get(taskId);
    if (row === undefined) throw new SbError('E_NOT_FOUND', `no task ${taskId} here`);
    return withHistory(row.task, historyLength);
  }

  // The task's stream responses from `afterSeq` until it ends (or waits for input), the
  // stream's time runs out, or the client goes away.
  async function* follow(
    taskId: string,
    afterSeq: number,
    context: ServerCallContext,
    untilSettled: boolean,
    seal: (event: StreamResponse) => StreamResponse,
  ): AsyncGenerator<StreamResponse> {
    const signals = [AbortSignal.timeout(deps.settings().streamMaxMs)];
    const client = deps.requestSignal(context);
    if (client !== undefined) signals.push(client);
    const controller = new AbortController();
    const signal = AbortSignal.any([...signals, controller.signal]);
    try {
      for await (const { event } of deps.feed.follow(taskId, afterSeq, signal)) {
        yield seal(event);
        const state = stateIn(event);
        if (state !== undefined && (untilSettled ? isSettled(state) : isTerminal(state))) return;
      }
    } finally {
      controller.abort();
    }
  }

  const guarded =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error) {
        throw toA2aError(error);
      }
    };

  const guardedStream = <A extends unknown[]>(fn: (...args: A) => AsyncGenerator<StreamResponse>) =>
    async function* (...args: A): AsyncGenerator<StreamResponse> {
      try {
        yield* fn(...args);
      } catch (error) {
        throw toA2aError(error);
      }
    };

  // A stream's response headers (the activated extensions among them) go out before its first
  // event: the extension is activated when the SDK asks for the stream, before it runs.
  const activatedStream =
    <P>(fn: (params: P, context: ServerCallContext) => AsyncGenerator<StreamResponse>) =>
    (params: P, context: ServerCallContext): AsyncGenerator<StreamResponse> => {
      deps.encryption.activate(context);
      return fn(params, context);
    };

  return {
    getAgentCard: guarded(() => deps.card(target)),

    getAuthenticatedExtendedAgentCard: guarded(
      async (_params: GetExtendedAgentCardRequest, context: ServerCallContext) => {
        callerOf(context);
        return deps.card(target);
      },
    ),

    sendMessage: guarded(async (params: SendMessageRequest, context: ServerCallContext) => {
      const caller = callerOf(context);
      deps.encryption.activate(context);
      const { taskId, afterSeq } = await accept(params, caller, context);
      const historyLength = params.configuration?.historyLength;
      if (params.configuration?.returnImmediately !== true) {
        const current = await currentTask(taskId);
        if (!isSettled(stateOf(current))) {
          const signal = AbortSignal.any([
            AbortSignal.timeout(deps.settings().blockingTimeoutMs),
            ...(deps.requestSignal(context) === undefined
              ? []
              : [deps.requestSignal(context) as AbortSignal]),
          ]);
          for await (const { event } of deps.feed.follow(taskId, afterSeq, signal)) {
            const state = stateIn(event);
            if (state !== undefined && isSettled(state)) break;
          }
        }
      }
      return deps.encryption.answer(await currentTask(taskId, historyLength), context);
    }),

    sendMessageStream: activatedStream(
      guardedStream(async function* (params: SendMessageRequest, context: ServerCallContext) {
        const caller = callerOf(context);
        const { taskId } = await accept(params, caller, context);
        // The task as it is, then every change after it.
        const afterSeq = await deps.store.lastSeq(taskId);
        const task = await currentTask(taskId);
        const seal = deps.encryption.streamFor(task, context);
        yield seal({ payload: { $case: 'task', value: task } });
        if (isSettled(stateOf(task))) return;
        yield* follow(taskId, afterSeq, context, true, seal);
      }),
    ),

    getTask: guarded(async (params: GetTaskRequest, context: ServerCallContext) => {
      deps.encryption.activate(context);
      const row = await ownTask(params.id, callerOf(context));
      return deps.encryption.answer(withHistory(row.task, params.historyLength), context);
    }),

    listTasks: guarded(
      async (params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> => {
        const caller = callerOf(context);
        deps.encryption.activate(context);
        const pageSize = Math.min(params.pageSize ?? deps.settings().pageSize, MAX_PAGE_SIZE);
        if (pageSize < 1) throw new SbError('E_VALIDATION', 'pageSize must be at least 1');
        if (params.pageToken !== '' && !/^\d+$/.test(params.pageToken)) {
          throw new SbError('E_VALIDATION', 'pageToken is not one this server gave');
        }
        const { rows, total } = await deps.store.list({
          owner: caller.principal.id,
          target: targetKey(target),
          contextId: params.contextId === '' ? undefined : params.contextId,
          state:
            params.status === TaskState.TASK_STATE_UNSPECIFIED
              ? undefined
              : TaskState[params.status],
          updatedAfter:
            params.statusTimestampAfter === undefined
              ? undefined
              : new Date(params.statusTimestampAfter),
          limit: pageSize,
          cursor: params.pageToken === '' ? undefined : Number(params.pageToken),
        });
        const tasks = rows.map((row) => {
          const task = withHistory(row.task, params.historyLength);
          return deps.encryption.answer(
            params.includeArtifacts === true ? task : { ...task, artifacts: [] },
            context,
          );
        });
        const last = rows.at(-1);
        return {
          tasks,
          nextPageToken: rows.length === pageSize && last !== undefined ? String(last.seq) : '',
          pageSize,
          totalSize: total,
        };
      },
    ),

    cancelTask: guarded(async (params: CancelTaskRequest, context: ServerCallContext) => {
      const caller = callerOf(context);
      deps.encryption.activate(context);
      await ownTask(params.id, caller);
      const changed = await deps.store.change(params.id, (row) => ({
        applied: applyCancel(row.task, new Date()),
        agentId: row.agentId,
      }));
      await announce(changed.row, changed.lastSeq);
      // Tells the agent to stop; it cannot change the task any more either way.
      if (changed.row.agentId !== null) {
        await route(
          changed.row,
          'cancel',
          undefined,
          derivedUuid('a2a-cancel', params.id),
          caller,
        ).catch(() => undefined);
      }
      return deps.encryption.answer(changed.row.task, context);
    }),

    resubscribe: activatedStream(
      guardedStream(async function* (params: SubscribeToTaskRequest, context: ServerCallContext) {
        const row = await ownTask(params.id, callerOf(context));
        if (isTerminal(stateOf(row.task))) {
          throw new SbError(
            'E_CONFLICT',
            `task ${params.id} has ended (${stateName(row.task)}): read it with GetTask`,
          );
        }
        const afterSeq = await deps.store.lastSeq(params.id);
        const task = await currentTask(params.id);
        const seal = deps.encryption.streamFor(task, context);
        yield seal({ payload: { $case: 'task', value: task } });
        yield* follow(params.id, afterSeq, context, false, seal);
      }),
    ),

    createTaskPushNotificationConfig: guarded(
      async (params: TaskPushNotificationConfig, context: ServerCallContext) => {
        await ownTask(params.taskId, callerOf(context));
        await deps.checkPushUrl(params.url);
        const config = { ...params, id: params.id !== '' ? params.id : randomUUID() };
        await deps.store.putPushConfig(config);
        return config;
      },
    ),

    getTaskPushNotificationConfig: guarded(
      async (params: GetTaskPushNotificationConfigRequest, context: ServerCallContext) => {
        await ownTask(params.taskId, callerOf(context));
        const config = await deps.store.pushConfig(params.taskId, params.id);
        if (config === undefined) {
          throw new SbError('E_NOT_FOUND', `task ${params.taskId} has no push config ${params.id}`);
        }
        return config;
      },
    ),

    listTaskPushNotificationConfigs: guarded(
      async (
        params: ListTaskPushNotificationConfigsRequest,
        context: ServerCallContext,
      ): Promise<ListTaskPushNotificationConfigsResponse> => {
        await ownTask(params.taskId, callerOf(context));
        return { configs: await deps.store.pushConfigs(params.taskId), nextPageToken: '' };
      },
    ),

    deleteTaskPushNotificationConfig: guarded(
      async (params: DeleteTaskPushNotificationConfigRequest, context: ServerCallContext) => {
        await ownTask(params.taskId, callerOf(context));
        await deps.store.deletePushConfig(params.taskId, params.id);
      },
    ),
  };
}
