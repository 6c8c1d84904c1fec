import { z } from 'zod';
import { AgentIdSchema } from '../frames/agent.ts';

const common = {
  agentId: AgentIdSchema,
  gatewayId: z.string().min(1),
  connectionId: z.string().min(1),
  at: z.iso.datetime(),
};

/** `<ns>.v1.evt.agent.connected`: an agent registered on a connection (ids only, no payloads). */
export const AgentConnectedEventSchema = z.strictObject(common);
export type AgentConnectedEvent = z.infer<typeof AgentConnectedEventSchema>;

/** Why a connection ended. */
export const DisconnectReasons = [
  'closed',
  'replaced',
  'heartbeat_timeout',
  'bad_frames',
  'operator',
  'credential_revoked',
  'credential_changed',
  'gateway_stopped',
  'gateway_lost',
] as const;
export type DisconnectReason = (typeof DisconnectReasons)[number];

/** `<ns>.v1.evt.agent.disconnected`: an agent's current connection ended. */
export const AgentDisconnectedEventSchema = z.strictObject({
  ...common,
  reason: z.enum(DisconnectReasons),
});
export type AgentDisconnectedEvent = z.infer<typeof AgentDisconnectedEventSchema>;
