/** Where an agent is connected, as presence in Redis holds it (any gateway replica reads it). */
export interface Presence {
  gatewayId: string;
  connectionId: string;
}

/** The Redis key of an agent's presence (the cache adds the namespace). */
export const presenceKey = (agentId: string) => `presence:agent:${agentId}`;
