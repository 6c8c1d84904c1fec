import { assertAllowed } from '@switchboard/authz';
import type { Bus, BusSubscription } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import {
  DlqGetRpc,
  DlqListRpc,
  DlqPurgeRpc,
  DlqReplayRpc,
  RouterAckRpc,
  RouterHistoryRpc,
  RouterMessageGetRpc,
  RouterSendBatchRpc,
  RouterSendRpc,
  RouterSubscribeRpc,
  RouterSubscriptionsRpc,
  RouterUnsubscribeRpc,
  SbError,
  SubscriptionChangedEventSchema,
} from '@switchboard/protocol';
import { answerEach, serveAs } from '@switchboard/service';
import { subjectAgent } from '../caller.ts';
import type { RouterSettings } from '../config.ts';
import type { DeadLetterStore } from '../db/dead-letter-store.ts';
import type { HistoryStore } from '../db/history-store.ts';
import type { SubscriptionStore } from '../db/subscription-store.ts';
import type { Dispatcher } from '../dispatcher.ts';
import type { SubscriptionCache } from '../subscription-cache.ts';
import type { createAcceptor } from './accept.ts';
import type { Settler } from './acks.ts';

/** Serves every router RPC in the `router` queue group. */
export function serveRouterRpcs(deps: {
  bus: Bus;
  acceptor: ReturnType<typeof createAcceptor>;
  settler: Settler;
  subscriptions: SubscriptionStore;
  subscriptionCache: SubscriptionCache;
  deadLetters: DeadLetterStore;
  history: HistoryStore;
  dispatcher: Dispatcher;
  settings: () => RouterSettings;
  log: Logger;
}): BusSubscription[] {
  const { bus } = deps;
  const serve = serveAs(bus, 'router');

  const announce = (
    agentId: string,
    pattern: string,
    change: 'subscribed' | 'unsubscribed',
    version: number,
  ) =>
    bus.publishEvent(bus.subjects.event('router', 'subscription'), SubscriptionChangedEventSchema, {
      agentId,
      pattern,
      change,
      version,
    });

  return [
    serve(RouterSendRpc, (request, caller) => deps.acceptor.accept(request.message, caller)),
    // The gateway's batch of one agent's sends: each accepted or refused on its own.
    serve(RouterSendBatchRpc, ({ items }, caller) =>
      answerEach(items, (item) => deps.acceptor.accept(item.message, caller), deps.log),
    ),
    serve(RouterAckRpc, (request, caller) =>
      deps.settler.settle(caller, request.acks, request.nacks),
    ),
    serve(RouterSubscribeRpc, async (request, caller) => {
      const agentId = subjectAgent(caller, request.agentId, 'messages:write') as string;
      // The agent's own grants bound what it may listen to; an operator acting for an agent
      // holds messages:write instead.
      if (caller.agentId !== null) {
        assertAllowed(caller.principal, { kind: 'subscribe', topic: request.pattern });
      }
      const { subscription, version } = await deps.subscriptions.upsert(
        agentId,
        request.pattern,
        request.filter ?? null,
        deps.settings().maxSubscriptionsPerAgent,
      );
      deps.subscriptionCache.invalidate(version);
      await announce(agentId, request.pattern, 'subscribed', version);
      return subscription;
    }),
    serve(RouterUnsubscribeRpc, async (request, caller) => {
      const agentId = subjectAgent(caller, request.agentId, 'messages:write') as string;
      const version = await deps.subscriptions.remove(agentId, request.pattern);
      if (version === undefined) return { removed: false };
      deps.subscriptionCache.invalidate(version);
      await announce(agentId, request.pattern, 'unsubscribed', version);
      return { removed: true };
    }),
    serve(RouterSubscriptionsRpc, async (request, caller) => ({
      items: await deps.subscriptions.ofAgent(
        subjectAgent(caller, request.agentId, 'messages:read') as string,
      ),
    })),
    serve(RouterHistoryRpc, async (request, caller) => {
      const agentId = subjectAgent(caller, request.agentId, 'messages:read', true);
      return deps.history.search({ ...request, agentId });
    }),
    serve(RouterMessageGetRpc, async (request, caller) => {
      // An agent reads messages it sent or received; an operator (messages:read) any.
      const reader = subjectAgent(caller, undefined, 'messages:read', true);
      const message = await deps.history.message(request.id);
      const visible =
        message !== undefined &&
        (reader === undefined ||
          message.from === reader ||
          message.deliveries.some((delivery) => delivery.agentId === reader));
      if (!visible) throw new SbError('E_NOT_FOUND', `no message ${request.id}`);
      return message;
    }),
    serve(DlqListRpc, async (request, caller) => {
      const agentId = subjectAgent(caller, request.agentId, 'messages:read', true);
      return deps.deadLetters.list({ ...request, agentId });
    }),
    serve(DlqGetRpc, async (request, caller) => {
      const agentId = subjectAgent(caller, undefined, 'messages:read', true);
      const deadLetter = await deps.deadLetters.get(request.id);
      if (deadLetter === undefined || (agentId !== undefined && deadLetter.agentId !== agentId)) {
        throw new SbError('E_NOT_FOUND', `no dead letter ${request.id}`);
      }
      return deadLetter;
    }),
    serve(DlqReplayRpc, async (request, caller) => {
      const agentId = subjectAgent(caller, request.agentId, 'messages:write', true);
      const woken = await deps.deadLetters.replay(
        { ids: request.ids, agentId },
        deps.settings().defaultTtlMs,
      );
      deps.dispatcher.wake(woken.agents);
      return { replayed: woken.count };
    }),
    serve(DlqPurgeRpc, async (request, caller) => {
      const agentId = subjectAgent(caller, request.agentId, 'messages:write', true);
      return { purged: await deps.deadLetters.purge({ ids: request.ids, agentId }) };
    }),
  ];
}
