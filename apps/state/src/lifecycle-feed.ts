import type { Bus, BusSubscription } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import { AgentConnectedEventSchema, AgentDisconnectedEventSchema } from '@switchboard/protocol';
import { z } from 'zod';
import type { LifecycleStore } from './db/lifecycle-store.ts';
import { publishLifecycle } from './handlers/lifecycle-handlers.ts';
import type { StateMetrics } from './state-metrics.ts';

/**
 * Feeds the lifecycle from the gateway's `agent.connected` / `agent.disconnected` events through
 * one durable consumer the replicas share (`state-lifecycle`), from the whole retained stream so a
 * restarted service catches up. One consumer over `agent.>` (nats-server 2.9 takes one filter)
 * keeps an agent's connects and disconnects in stream order on a replica; applying an event twice
 * changes nothing (the store remembers the connection), so redeliveries are safe.
 */
export function startLifecycleFeed(deps: {
  bus: Bus;
  store: LifecycleStore;
  metrics: StateMetrics;
  log: Logger;
}): Promise<BusSubscription> {
  const { bus, store, log, metrics } = deps;
  const connected = bus.subjects.event('agent', 'connected');
  const disconnected = bus.subjects.event('agent', 'disconnected');
  return bus.consumeEvents({
    filterSubject: bus.subjects.event('agent', '>'),
    schema: z.unknown(),
    durableName: 'state-lifecycle',
    deliverFrom: 'all',
    handler: async ({ subject, payload }) => {
      // A malformed gateway event is dropped with a warning: redelivering it cannot help.
      if (subject === connected) {
        const event = AgentConnectedEventSchema.safeParse(payload);
        if (!event.success) return log.warn({ subject }, 'dropped a malformed agent event');
        const change = await store.connected(
          event.data.agentId,
          event.data.connectionId,
          event.data.at,
        );
        await publishLifecycle(bus, log, metrics, change);
      } else if (subject === disconnected) {
        const event = AgentDisconnectedEventSchema.safeParse(payload);
        if (!event.success) return log.warn({ subject }, 'dropped a malformed agent event');
        const { agentId, connectionId, reason } = event.data;
        const change = await store.disconnected(agentId, connectionId, reason);
        await publishLifecycle(bus, log, metrics, change);
      }
    },
  });
}
