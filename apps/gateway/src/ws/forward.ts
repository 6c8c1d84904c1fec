import {
  A2aTaskUpdateRpc,
  agentScope,
  DlqGetRpc,
  DlqListRpc,
  DlqPurgeRpc,
  DlqReplayRpc,
  LifecycleGetRpc,
  LifecycleTransitionRpc,
  RemoteSendRpc,
  RouterSendBatchRpc,
  RouterSendRpc,
  RouterSubscribeRpc,
  RouterSubscriptionsRpc,
  RouterUnsubscribeRpc,
  type RpcDefinition,
  remoteRecipientOf,
  type ServiceFrame,
  type ServiceShortName,
  StateDeleteRpc,
  StateGetRpc,
  StateHistoryRpc,
  StatePatchRpc,
  StatePutRpc,
  StateWatchRpc,
  TOOL_CALL_GRACE_MS,
  ToolsCallRpc,
  ToolsGetRpc,
  ToolsListRpc,
  ToolsRegisterRpc,
} from '@switchboard/protocol';
import type { z } from 'zod';
import { taskForwardRoutes } from '../tasks/task-forward-routes.ts';

/** Where a frame goes: a service's RPC, and the request it makes for the registered agent. */
export interface ForwardRoute<F extends ServiceFrame = ServiceFrame> {
  service: ServiceShortName;
  rpc: RpcDefinition;
  request(frame: F, agentId: string): unknown;
  /** How long the gateway waits for the answer, when not the bus's default. */
  timeoutMs?(frame: F): number | undefined;
  /**
   * The batch form of `rpc` (`batchRpcOf`), for hot frames: what one connection sends within a
   * tick then travels as one request (see `service-forwarder.ts`).
   */
  batch?: RpcDefinition;
}

// Typed where a route is written (the request must fit the RPC), erased in the table.
function route<F extends ServiceFrame, Req extends z.ZodType, Res extends z.ZodType>(
  service: ServiceShortName,
  rpc: RpcDefinition<Req, Res>,
  request: (frame: F, agentId: string) => z.input<Req>,
  timeoutMs?: (frame: F) => number | undefined,
): ForwardRoute<F> {
  return timeoutMs === undefined ? { service, rpc, request } : { service, rpc, request, timeoutMs };
}

type Of<T extends ServiceFrame['type']> = Extract<ServiceFrame, { type: T }>;

// A frame without a scope addresses the agent's own state.
const scopeOf = (frame: { scope?: string | undefined }, agentId: string) =>
  frame.scope ?? agentScope(agentId);

const forwardRoutes: { [T in ServiceFrame['type']]: ForwardRoute<Of<T>> } = {
  'state.get': route('state', StateGetRpc, (frame: Of<'state.get'>, agentId) => ({
    scope: scopeOf(frame, agentId),
    key: frame.key,
  })),
  'state.put': route('state', StatePutRpc, (frame: Of<'state.put'>, agentId) => ({
    scope: scopeOf(frame, agentId),
    key: frame.key,
    expectedVersion: frame.expectedVersion,
    document: frame.document,
  })),
  'state.patch': route('state', StatePatchRpc, (frame: Of<'state.patch'>, agentId) => ({
    scope: scopeOf(frame, agentId),
    key: frame.key,
    expectedVersion: frame.expectedVersion,
    patch: frame.patch,
  })),
  'state.delete': route('state', StateDeleteRpc, (frame: Of<'state.delete'>, agentId) => ({
    scope: scopeOf(frame, agentId),
    key: frame.key,
    expectedVersion: frame.expectedVersion,
  })),
  'state.history': route('state', StateHistoryRpc, (frame: Of<'state.history'>, agentId) => ({
    scope: scopeOf(frame, agentId),
    key: frame.key,
    ...(frame.limit === undefined ? {} : { limit: frame.limit }),
    ...(frame.cursor === undefined ? {} : { cursor: frame.cursor }),
  })),
  // Asks the owner whether the agent may watch; the gateway keeps the watch (watch/).
  'state.watch': route('state', StateWatchRpc, (frame: Of<'state.watch'>, agentId) => ({
    scope: scopeOf(frame, agentId),
  })),
  'lifecycle.transition': route(
    'state',
    LifecycleTransitionRpc,
    (frame: Of<'lifecycle.transition'>, agentId) => ({
      agentId,
      to: frame.to,
      ...(frame.reason === undefined ? {} : { reason: frame.reason }),
    }),
  ),
  'lifecycle.get': route('state', LifecycleGetRpc, (_frame: Of<'lifecycle.get'>, agentId) => ({
    agentId,
  })),
  // The router reads the sending agent from the principal; these name no agent themselves.
  // Sends are the hot path: batched per connection.
  send: {
    ...route('router', RouterSendRpc, (frame: Of<'send'>) => ({ message: frame.message })),
    batch: RouterSendBatchRpc,
  },
  subscribe: route('router', RouterSubscribeRpc, (frame: Of<'subscribe'>) => ({
    pattern: frame.pattern,
    ...(frame.filter === undefined ? {} : { filter: frame.filter }),
  })),
  unsubscribe: route('router', RouterUnsubscribeRpc, (frame: Of<'unsubscribe'>) => ({
    pattern: frame.pattern,
  })),
  subscriptions: route('router', RouterSubscriptionsRpc, () => ({})),
  'dlq.list': route('router', DlqListRpc, (frame: Of<'dlq.list'>, agentId) => ({
    agentId,
    ...(frame.limit === undefined ? {} : { limit: frame.limit }),
    ...(frame.cursor === undefined ? {} : { cursor: frame.cursor }),
  })),
  'dlq.get': route('router', DlqGetRpc, (frame: Of<'dlq.get'>) => ({ id: frame.deliveryId })),
  'dlq.replay': route('router', DlqReplayRpc, (frame: Of<'dlq.replay'>, agentId) => ({
    agentId,
    ...(frame.ids === undefined ? {} : { ids: frame.ids }),
  })),
  'dlq.purge': route('router', DlqPurgeRpc, (frame: Of<'dlq.purge'>, agentId) => ({
    agentId,
    ...(frame.ids === undefined ? {} : { ids: frame.ids }),
  })),
  // The registry reads the providing or calling agent from the principal.
  'tools.register': route('tools', ToolsRegisterRpc, (frame: Of<'tools.register'>) => ({
    tools: frame.tools,
  })),
  'tools.call': route(
    'tools',
    ToolsCallRpc,
    (frame: Of<'tools.call'>) => ({
      name: frame.name,
      ...(frame.range === undefined ? {} : { range: frame.range }),
      ...(frame.arguments === undefined ? {} : { arguments: frame.arguments }),
      ...(frame.timeoutMs === undefined ? {} : { timeoutMs: frame.timeoutMs }),
    }),
    // The registry enforces the call's timeout; the gateway waits a little longer for its answer.
    (frame) => (frame.timeoutMs === undefined ? undefined : frame.timeoutMs + TOOL_CALL_GRACE_MS),
  ),
  'tools.list': route('tools', ToolsListRpc, (frame: Of<'tools.list'>) => ({
    ...(frame.tag === undefined ? {} : { tag: frame.tag }),
    ...(frame.limit === undefined ? {} : { limit: frame.limit }),
    ...(frame.cursor === undefined ? {} : { cursor: frame.cursor }),
  })),
  'tools.get': route('tools', ToolsGetRpc, (frame: Of<'tools.get'>) => ({
    name: frame.name,
    ...(frame.range === undefined ? {} : { range: frame.range }),
  })),
  // Tasks: forwarded to the task worker.
  ...taskForwardRoutes,
  // The a2a-peer reads the reporting agent from the principal.
  'a2a.update': route('a2a', A2aTaskUpdateRpc, (frame: Of<'a2a.update'>) => {
    const { v: _v, id: _id, type: _type, ...update } = frame;
    return update;
  }),
};

// A message to `a2a:<peer>` goes to the a2a-peer, which sends it over A2A.
const remoteSend = route('a2a', RemoteSendRpc, (frame: Of<'send'>) => ({
  message: frame.message,
}));

/** The route of a frame the gateway forwards to a service. */
export function forwardRouteOf<F extends ServiceFrame>(frame: F): ForwardRoute<F> {
  if (
    frame.type === 'send' &&
    frame.message.to.kind === 'agent' &&
    remoteRecipientOf(frame.message.to.agentId) !== undefined
  ) {
    return remoteSend as unknown as ForwardRoute<F>;
  }
  // The table pairs each type with its own frame; TS cannot correlate the lookup by itself.
  return forwardRoutes[frame.type] as ForwardRoute<F>;
}
