import { AuthChangedEventSchema } from '@switchboard/authz';
import type { Bus, BusSubscription } from '@switchboard/bus';
import type { Cache } from '@switchboard/cache';
import type { Logger } from '@switchboard/logger';
import { GatewayControlRpc, isSbError, SbError } from '@switchboard/protocol';
import { z } from 'zod';
import { createDisconnections } from '../agents/disconnections.ts';
import { type Presence, presenceKey } from '../agents/presence.ts';
import type { AgentStore } from '../db/agent-store.ts';
import type { ConnectionRegistry } from '../ws/connection-registry.ts';

/** How an operator's disconnect went. */
export const DisconnectOutcomeSchema = z.strictObject({
  agentId: z.string(),
  /**
   * `closed`: a gateway closed the agent's connection (the catalog follows at once);
   * `marked_disconnected`: no gateway held it, so the catalog was corrected;
   * `not_connected`: it was not connected.
   */
  outcome: z.enum(['closed', 'marked_disconnected', 'not_connected']),
  /** The gateway instance that closed the connection, when one did. */
  gatewayId: z.string().nullable(),
});

/** The outcome of {@link AgentControl.disconnect}. */
export type DisconnectOutcome = z.infer<typeof DisconnectOutcomeSchema>;

/**
 * Operator control over agent connections wherever they are: on this instance, on another
 * gateway instance (found through presence, asked on `<ns>.v1.gw.<gatewayId>.control`), or on
 * none (the catalog is corrected). Also closes this instance's connections that used a key
 * once `<ns>.v1.evt.auth.changed` says it was revoked, whichever replica revoked it.
 */
export function createAgentControl(deps: {
  gatewayId: string;
  registry: ConnectionRegistry;
  agents: AgentStore;
  cache: Cache;
  bus: Bus;
  log: Logger;
}) {
  const { bus, registry, gatewayId } = deps;
  const subscriptions: BusSubscription[] = [];

  const closeLocal = (agentId: string): boolean => {
    const connection = registry.get(agentId);
    if (connection === undefined) return false;
    connection.close('operator');
    return true;
  };

  /** Asks the instance that holds the agent to close it; false when it cannot be reached. */
  const closeRemote = async (target: string, agentId: string): Promise<boolean> => {
    try {
      const reply = await bus.request(bus.subjects.gatewayControl(target), GatewayControlRpc, {
        action: 'disconnect',
        agentId,
      });
      return reply.done;
    } catch (error) {
      if (!isSbError(error) || !['E_UNAVAILABLE', 'E_TIMEOUT'].includes(error.code)) throw error;
      deps.log.warn({ agentId, gatewayId: target, code: error.code }, 'gateway did not answer');
      return false;
    }
  };

  const disconnections = createDisconnections({ agents: deps.agents, cache: deps.cache, bus });

  /** Marks the agent disconnected in the catalog (no gateway holds it) and announces it. */
  const markDisconnected = (
    agentId: string,
    connection: { gatewayId: string | null; connectionId: string | null },
  ): Promise<boolean> =>
    disconnections.record(
      {
        agentId,
        gatewayId: connection.gatewayId ?? '',
        connectionId: connection.connectionId ?? '',
      },
      'operator',
    );

  const closeConnectionsOfKey = (keyId: string): number => {
    let closed = 0;
    for (const connection of registry.connections()) {
      const { credential } = connection.principal;
      if (credential.type === 'api_key' && credential.id === keyId) {
        connection.close('credential_revoked');
        closed += 1;
      }
    }
    return closed;
  };

  // A connection's principal is resolved once: the agent reconnects to pick up the new grants.
  const closeConnectionsOfRole = (role: string): number => {
    let closed = 0;
    for (const connection of registry.connections()) {
      if (connection.principal.roles.includes(role)) {
        connection.close('credential_changed');
        closed += 1;
      }
    }
    return closed;
  };

  return {
    /** Closes the agent's connection wherever it is. Unknown agent: `E_NOT_FOUND`. */
    async disconnect(agentId: string): Promise<DisconnectOutcome> {
      const row = await deps.agents.get(agentId);
      if (row === undefined) {
        throw new SbError('E_NOT_FOUND', `no agent ${agentId} in the catalog`);
      }
      if (closeLocal(agentId)) return { agentId, outcome: 'closed', gatewayId };
      const presence = (await deps.cache.getJson(presenceKey(agentId))) as Presence | undefined;
      const holder = presence?.gatewayId ?? (row.connected ? row.gatewayId : null);
      if (holder !== null && holder !== gatewayId && (await closeRemote(holder, agentId))) {
        return { agentId, outcome: 'closed', gatewayId: holder };
      }
      if (row.connected && (await markDisconnected(agentId, row))) {
        return { agentId, outcome: 'marked_disconnected', gatewayId: null };
      }
      return { agentId, outcome: 'not_connected', gatewayId: null };
    },

    /** Closes this instance's agent connections that authenticated with `keyId`; their count. */
    closeConnectionsOfKey,
    closeConnectionsOfRole,

    /** Serves this instance's control subject and follows key revocations. */
    async start(): Promise<void> {
      const control = bus.subjects.gatewayControl(gatewayId);
      subscriptions.push(
        bus.serve(
          control,
          GatewayControlRpc,
          async (request) => {
            switch (request.action) {
              case 'disconnect':
                return { done: closeLocal(request.agentId) };
              default: {
                const unknown: never = request.action;
                throw new SbError('E_VALIDATION', `unknown control action ${String(unknown)}`);
              }
            }
          },
          { queue: control },
        ),
      );
      subscriptions.push(
        await bus.consumeEvents({
          filterSubject: bus.subjects.event('auth', 'changed'),
          schema: AuthChangedEventSchema,
          deliverFrom: 'new',
          handler: async ({ payload }) => {
            if (payload.change === 'role_changed') {
              const closed = closeConnectionsOfRole(payload.role);
              if (closed > 0) {
                deps.log.info(
                  { role: payload.role, closed },
                  'closed the connections holding a changed role',
                );
              }
              return;
            }
            if (payload.change !== 'revoked') return;
            const closed = closeConnectionsOfKey(payload.keyId);
            if (closed > 0) {
              deps.log.info(
                { keyId: payload.keyId, closed },
                'closed the connections of a revoked key',
              );
            }
          },
        }),
      );
    },

    async stop(): Promise<void> {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
    },
  };
}

/** Operator control over agent connections. */
export type AgentControl = ReturnType<typeof createAgentControl>;
