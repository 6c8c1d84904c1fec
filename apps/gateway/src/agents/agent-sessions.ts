import { ANY_AGENT, assertAllowed, type Principal } from '@switchboard/authz';
import type { Bus, BusSubscription } from '@switchboard/bus';
import type { Cache } from '@switchboard/cache';
import type { Logger } from '@switchboard/logger';
import { AgentConnectedEventSchema, type AgentRegistration, SbError } from '@switchboard/protocol';
import type { AgentStore } from '../db/agent-store.ts';
import type { AgentConnection, ConnectionHandlers } from '../ws/agent-connection.ts';
import type { ConnectionRegistry } from '../ws/connection-registry.ts';
import { createDisconnections } from './disconnections.ts';
import { type Presence, presenceKey } from './presence.ts';

/** The agent id a registration acts as: the one it names, or its credential's only binding. */
function agentIdOf(principal: Principal, registration: AgentRegistration): string {
  if (registration.id !== undefined) return registration.id;
  const [only, ...others] = principal.agentIds;
  if (only !== undefined && others.length === 0 && only !== ANY_AGENT) return only;
  throw new SbError(
    'E_VALIDATION',
    'register names no agent id, and the credential is not bound to exactly one: set agent.id',
  );
}

/**
 * Registration, presence and connection status of the agents on this gateway instance: the
 * catalog row in Postgres, presence in Redis (refreshed by heartbeats, expiring on its own if
 * this instance dies), and `agent.connected` / `agent.disconnected` events. The newer
 * connection of an agent wins, here or on another replica.
 */
export function createAgentSessions(deps: {
  gatewayId: string;
  agents: AgentStore;
  cache: Cache;
  bus: Bus;
  registry: ConnectionRegistry;
  log: Logger;
  /** Presence lives this long without a heartbeat (live setting). */
  presenceTtlMs: () => number;
}) {
  const { gatewayId, registry, bus } = deps;
  const pending = new Set<Promise<unknown>>();
  const lastRefresh = new WeakMap<AgentConnection, number>();
  let replacedWatch: BusSubscription | undefined;

  const track = (work: Promise<unknown>) => {
    const tracked = work.catch((err: unknown) =>
      deps.log.error({ err }, 'could not record an agent connection change'),
    );
    pending.add(tracked);
    void tracked.finally(() => pending.delete(tracked));
  };

  const disconnections = createDisconnections({ agents: deps.agents, cache: deps.cache, bus });

  const presenceOf = (connection: AgentConnection): Presence => ({
    gatewayId,
    connectionId: connection.connectionId,
  });

  const handlers: Omit<
    ConnectionHandlers,
    | 'admit'
    | 'forward'
    | 'acknowledge'
    | 'watch'
    | 'unwatch'
    | 'watchTask'
    | 'unwatchTask'
    | 'registered'
  > = {
    async register(connection, registration) {
      const agentId = agentIdOf(connection.principal, registration);
      assertAllowed(connection.principal, { kind: 'agent', agentId });
      if (connection.agentId !== undefined && connection.agentId !== agentId) {
        throw new SbError(
          'E_CONFLICT',
          `this connection is registered as ${connection.agentId}; open another connection for ${agentId}`,
        );
      }
      const at = new Date();
      await deps.agents.markConnected({
        agentId,
        registration,
        registeredBy: connection.principal.id,
        gatewayId,
        connectionId: connection.connectionId,
        at,
      });
      connection.agentId = agentId;
      const replaced = registry.bind(agentId, connection);
      await deps.cache.setJson(presenceKey(agentId), presenceOf(connection), deps.presenceTtlMs());
      lastRefresh.set(connection, Date.now());
      await bus.publishEvent(bus.subjects.event('agent', 'connected'), AgentConnectedEventSchema, {
        agentId,
        gatewayId,
        connectionId: connection.connectionId,
        at: at.toISOString(),
      });
      replaced?.close('replaced');
      return { agentId };
    },

    alive(connection) {
      const agentId = connection.agentId;
      if (agentId === undefined || registry.get(agentId) !== connection) return;
      // One write per third of the presence lifetime, not one per frame.
      const ttlMs = deps.presenceTtlMs();
      if (Date.now() - (lastRefresh.get(connection) ?? 0) < ttlMs / 3) return;
      lastRefresh.set(connection, Date.now());
      track(deps.cache.setJson(presenceKey(agentId), presenceOf(connection), ttlMs));
    },

    closed(connection, reason) {
      registry.remove(connection);
      const agentId = connection.agentId;
      if (agentId !== undefined) {
        track(disconnections.record({ agentId, ...presenceOf(connection) }, reason));
      }
    },
  };

  return {
    handlers,

    /** Closes this instance's connection of an agent that registered on another replica. */
    async start(): Promise<void> {
      replacedWatch = await bus.consumeEvents({
        filterSubject: bus.subjects.event('agent', 'connected'),
        schema: AgentConnectedEventSchema,
        deliverFrom: 'new',
        handler: async (event) => {
          const local = registry.get(event.payload.agentId);
          if (local !== undefined && local.connectionId !== event.payload.connectionId) {
            local.close('replaced');
          }
        },
      });
    },

    /** Closes every connection (agents reconnect elsewhere) and waits for their records. */
    async stop(): Promise<void> {
      await replacedWatch?.stop();
      for (const connection of registry.connections()) connection.close('gateway_stopped');
      await Promise.all([...pending]);
    },

    /** Where an agent is connected, from any replica's point of view. */
    async presence(agentId: string): Promise<Presence | undefined> {
      return (await deps.cache.getJson(presenceKey(agentId))) as Presence | undefined;
    },
  };
}

/** Registration and presence of this gateway's agents. */
export type AgentSessions = ReturnType<typeof createAgentSessions>;
