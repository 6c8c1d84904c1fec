import type { Bus } from '@switchboard/bus';
import type { Cache } from '@switchboard/cache';
import { AgentDisconnectedEventSchema, type DisconnectReason } from '@switchboard/protocol';
import type { AgentConnectionRef, AgentStore } from '../db/agent-store.ts';
import { presenceKey } from './presence.ts';

/**
 * The one way an agent's connection is recorded as ended, whoever notices (its own gateway, an
 * operator, or a survivor of a lost instance): the catalog row (only while that connection is
 * still the agent's), its presence (only while it points at that connection), and one
 * `agent.disconnected` event.
 */
export function createDisconnections(deps: { agents: AgentStore; cache: Cache; bus: Bus }) {
  const { bus } = deps;
  const announce = async (ref: AgentConnectionRef, reason: DisconnectReason, at: Date) => {
    await deps.cache.deleteIfEquals(presenceKey(ref.agentId), {
      gatewayId: ref.gatewayId,
      connectionId: ref.connectionId,
    });
    await bus.publishEvent(
      bus.subjects.event('agent', 'disconnected'),
      AgentDisconnectedEventSchema,
      {
        ...ref,
        reason,
        at: at.toISOString(),
      },
    );
  };
  return {
    /** Records one connection's end; false when a newer connection holds the agent. */
    async record(
      ref: AgentConnectionRef,
      reason: DisconnectReason,
      at = new Date(),
    ): Promise<boolean> {
      if (!(await deps.agents.markDisconnected(ref, reason, at))) return false;
      await announce(ref, reason, at);
      return true;
    },

    /** Records the end of every connection a lost gateway instance held; how many. */
    async recordGatewayLost(gatewayId: string, at = new Date()): Promise<number> {
      const lost = await deps.agents.disconnectGateway(gatewayId, 'gateway_lost', at);
      for (const ref of lost) await announce(ref, 'gateway_lost', at);
      return lost.length;
    },
  };
}

/** How agent disconnections are recorded. */
export type Disconnections = ReturnType<typeof createDisconnections>;
