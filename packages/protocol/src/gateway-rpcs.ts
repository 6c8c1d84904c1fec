import { z } from 'zod';
import { DisconnectReasons } from './events/agent-events.ts';
import { AgentIdSchema, CapabilitySchema, LabelsSchema } from './frames/agent.ts';
import { defineRpc } from './rpc.ts';

/** Whether an agent has a live connection, as the catalog says. */
export const AgentStatuses = ['connected', 'disconnected'] as const;

/** One of {@link AgentStatuses}. */
export type AgentStatus = (typeof AgentStatuses)[number];

/** One agent of the gateway's catalog: what it registered and its connection status. */
export const AgentRecordSchema = z.strictObject({
  id: AgentIdSchema,
  name: z.string(),
  version: z.string(),
  description: z.string().nullable(),
  capabilities: z.array(CapabilitySchema),
  labels: LabelsSchema,
  status: z.enum(AgentStatuses),
  /** The gateway instance holding its connection (the last one, once disconnected). */
  gatewayId: z.string().nullable(),
  connectionId: z.string().nullable(),
  /** The principal that registered it last (`key:<id>`, `jwt:<sub>`). */
  registeredBy: z.string(),
  registeredAt: z.iso.datetime(),
  connectedAt: z.iso.datetime().nullable(),
  disconnectedAt: z.iso.datetime().nullable(),
  disconnectReason: z.enum(DisconnectReasons).nullable(),
});

/** One agent of the catalog (see {@link AgentRecordSchema}). */
export type AgentRecord = z.infer<typeof AgentRecordSchema>;

/** Most agents one page of a catalog query holds. */
export const MAX_AGENTS_PAGE = 500;

/** A catalog query: every filter given must hold; pages follow agent ids in order. */
export const AgentsQuerySchema = z.strictObject({
  /** Only these agents (those of them that exist). */
  ids: z.array(AgentIdSchema).min(1).max(MAX_AGENTS_PAGE).optional(),
  /** Agents that registered a capability of this name. */
  capability: z.string().min(1).max(128).optional(),
  /** Agents whose labels include every one of these. */
  labels: LabelsSchema.optional(),
  status: z.enum(AgentStatuses).optional(),
  limit: z.int().min(1).max(MAX_AGENTS_PAGE).default(100),
  /** `nextCursor` of the previous page. */
  cursor: z.string().min(1).max(512).optional(),
});

/** A catalog query (see {@link AgentsQuerySchema}). */
export type AgentsQuery = z.infer<typeof AgentsQuerySchema>;

/** A page of agents and the cursor of the next page (null on the last one). */
export const AgentsPageSchema = z.strictObject({
  items: z.array(AgentRecordSchema),
  nextCursor: z.string().nullable(),
});

/** A page of agents (see {@link AgentsPageSchema}). */
export type AgentsPage = z.infer<typeof AgentsPageSchema>;

/**
 * `<ns>.v1.gateway.agents.query`: the agent catalog, filtered and paged. The gateway owns it;
 * every other service reads agents here. An unreadable cursor is `E_VALIDATION`.
 */
export const AgentsQueryRpc = defineRpc('agents.query', AgentsQuerySchema, AgentsPageSchema);

/** What one gateway instance is asked to do on `<ns>.v1.gw.<gatewayId>.control`. */
export const GatewayControlRequestSchema = z.discriminatedUnion('action', [
  z.strictObject({
    /** Close the agent's connection held by this instance (reason `operator`). */
    action: z.literal('disconnect'),
    agentId: AgentIdSchema,
  }),
]);

/** A control request to one gateway instance. */
export type GatewayControlRequest = z.infer<typeof GatewayControlRequestSchema>;

/**
 * `<ns>.v1.gw.<gatewayId>.control` (subject from `subjects(ns).gatewayControl(id)`): `done` is
 * false when the instance had nothing to act on (the agent is not connected there).
 */
export const GatewayControlRpc = defineRpc(
  'control',
  GatewayControlRequestSchema,
  z.strictObject({ done: z.boolean() }),
);
