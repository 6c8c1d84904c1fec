import { z } from 'zod';

/** Where an agent is connected, as presence in Redis holds it (any service reads it). */
export const PresenceSchema = z.object({
  gatewayId: z.string().min(1),
  connectionId: z.string().min(1),
});
export type Presence = z.infer<typeof PresenceSchema>;

/** The Redis key of an agent's presence (the cache adds the namespace). */
export const presenceKey = (agentId: string) => `presence:agent:${agentId}`;
