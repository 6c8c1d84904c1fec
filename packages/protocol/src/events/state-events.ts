import { z } from 'zod';
import { AgentIdSchema } from '../frames/agent.ts';
import { LifecycleStatuses } from '../lifecycle.ts';
import { StateKeySchema, StateOps, StateScopeSchema } from '../state-rpcs.ts';

/** `<ns>.v1.evt.state.changed`: a key got a new version (ids and versions, never the document). */
export const StateChangedEventSchema = z.strictObject({
  scope: StateScopeSchema,
  key: StateKeySchema,
  version: z.int().min(1),
  op: z.enum(StateOps),
});

/** A state change (see {@link StateChangedEventSchema}). */
export type StateChangedEvent = z.infer<typeof StateChangedEventSchema>;

/** `<ns>.v1.evt.agent.lifecycle`: an agent's lifecycle status changed. */
export const AgentLifecycleEventSchema = z.strictObject({
  agentId: AgentIdSchema,
  from: z.enum(LifecycleStatuses),
  to: z.enum(LifecycleStatuses),
  version: z.int().min(1),
  reason: z.string().nullable(),
});

/** A lifecycle transition (see {@link AgentLifecycleEventSchema}). */
export type AgentLifecycleEvent = z.infer<typeof AgentLifecycleEventSchema>;
