import type { Bus, BusSubscription } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import {
  agentScope,
  type StateChangedEvent,
  StateChangedEventSchema,
  type StateUnwatchFrame,
  type StateUnwatchResult,
  type StateWatchFrame,
} from '@switchboard/protocol';
import type { MessagingMetrics } from '../messaging/messaging-metrics.ts';
import type { AgentConnection, ConnectionHandlers } from '../ws/agent-connection.ts';
import { WatchRegistry } from './watch-registry.ts';

/** What {@link createStateWatches} uses. */
export interface StateWatchDeps {
  bus: Bus;
  /** Forwards `state.watch` to the state service, which decides who may watch a scope. */
  forward: ConnectionHandlers['forward'];
  metrics: Pick<MessagingMetrics, 'pushed'>;
  /** Read on every watch (a live setting). */
  maxWatches: () => number;
  log: Logger;
}

/**
 * State watches of this gateway instance: `state.watch` / `state.unwatch` of its connections,
 * and one consumer of `<ns>.v1.evt.state.changed` that pushes a `state.changed` frame to each
 * connection watching the scope. A push missed (slow agent) is counted, not retried: the frame
 * only says a version exists, which the agent can read whenever it wants.
 */
export function createStateWatches(deps: StateWatchDeps) {
  const watches = new WatchRegistry<AgentConnection>();
  let consumer: BusSubscription | undefined;

  const fanOut = (event: StateChangedEvent) => {
    for (const connection of watches.watchers(event.scope)) {
      const outcome = connection.push({ type: 'state.changed', ...event });
      deps.metrics.pushed('state.changed', outcome);
      if (outcome !== 'written') {
        deps.log.debug(
          { agentId: connection.agentId, scope: event.scope, reason: outcome },
          'state.changed push missed',
        );
      }
    }
  };

  return {
    handlers: {
      async watch(
        connection: AgentConnection,
        agentId: string,
        frame: StateWatchFrame,
      ): Promise<{ scope: string }> {
        const scope = frame.scope ?? agentScope(agentId);
        watches.assertRoom(connection, scope, deps.maxWatches());
        await deps.forward(connection, agentId, { ...frame, scope });
        watches.add(connection, scope, deps.maxWatches());
        return { scope };
      },
      unwatch(
        connection: AgentConnection,
        agentId: string,
        frame: StateUnwatchFrame,
      ): StateUnwatchResult {
        return { removed: watches.remove(connection, frame.scope ?? agentScope(agentId)) };
      },
    },
    /** Ends the watches of a connection that closed. */
    drop(connection: AgentConnection): void {
      watches.drop(connection);
    },
    /** Watches held by this instance's connections. */
    count(): number {
      return watches.size;
    },
    async start(): Promise<void> {
      // Ephemeral and from now on: each instance sees every change, for its own connections.
      consumer = await deps.bus.consumeEvents({
        filterSubject: deps.bus.subjects.event('state', 'changed'),
        schema: StateChangedEventSchema,
        deliverFrom: 'new',
        handler: async ({ payload }) => fanOut(payload),
      });
    },
    async stop(): Promise<void> {
      await consumer?.stop();
      consumer = undefined;
    },
  };
}

/** This instance's state watches (see {@link createStateWatches}). */
export type StateWatches = ReturnType<typeof createStateWatches>;
