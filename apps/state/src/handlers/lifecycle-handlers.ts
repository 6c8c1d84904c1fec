import type { Bus } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import {
  AgentLifecycleEventSchema,
  agentScope,
  LifecycleGetRpc,
  LifecycleHistoryRpc,
  LifecycleTransitionRpc,
} from '@switchboard/protocol';
import type { LifecycleChange, LifecycleStore } from '../db/lifecycle-store.ts';
import { authorizeState } from '../domain/access.ts';
import { versionPage } from '../domain/version-page.ts';
import type { StateMetrics } from '../state-metrics.ts';

/** Publishes a committed change's transitions, in order; a lost event is logged, not retried. */
export async function publishLifecycle(
  bus: Bus,
  log: Logger,
  metrics: StateMetrics,
  change: LifecycleChange,
): Promise<void> {
  for (const event of change.events) {
    metrics.transitioned(event.to);
    await bus
      .publishEvent(bus.subjects.event('agent', 'lifecycle'), AgentLifecycleEventSchema, event)
      .catch((err: unknown) => log.warn({ err }, 'agent.lifecycle event not published'));
  }
}

/**
 * Serves `<ns>.v1.state.lifecycle.{get,transition,history}`. An agent reads and moves its own
 * lifecycle; others need a state grant on the agent's scope `agent:<id>`.
 */
export function serveLifecycleRpcs(deps: {
  bus: Bus;
  store: LifecycleStore;
  metrics: StateMetrics;
  log: Logger;
}) {
  const { bus, store } = deps;
  const queue = { queue: bus.subjects.queueGroup('state') };
  const subject = (operation: string) => bus.subjects.rpc('state', operation);
  return [
    bus.serve(
      subject(LifecycleGetRpc.operation),
      LifecycleGetRpc,
      async ({ agentId }, context) => {
        authorizeState(context.principal, agentScope(agentId), 'read');
        return store.get(agentId);
      },
      queue,
    ),
    bus.serve(
      subject(LifecycleTransitionRpc.operation),
      LifecycleTransitionRpc,
      async ({ agentId, to, reason }, context) => {
        const by = authorizeState(context.principal, agentScope(agentId), 'write');
        const change = await store.transition(agentId, to, reason ?? null, by);
        await publishLifecycle(bus, deps.log, deps.metrics, change);
        return change.record;
      },
      queue,
    ),
    bus.serve(
      subject(LifecycleHistoryRpc.operation),
      LifecycleHistoryRpc,
      async ({ agentId, limit, cursor }, context) => {
        authorizeState(context.principal, agentScope(agentId), 'read');
        const items = await store.history(
          agentId,
          limit,
          cursor === undefined ? undefined : Number(cursor),
        );
        return versionPage(items, limit);
      },
      queue,
    ),
  ];
}
