import { z } from 'zod';
import { A2aTaskUpdateFields, updateCarriesSomething } from '../a2a.ts';
import { frameBase } from './envelope.ts';

/**
 * Reports progress on an A2A task the agent was sent (a status, an artifact or both): answered
 * like `<ns>.v1.a2a.task.update`. The gateway forwards a connection's updates in order.
 */
export const A2aUpdateFrameSchema = A2aTaskUpdateFields.extend({
  ...frameBase,
  type: z.literal('a2a.update'),
}).refine(updateCarriesSomething, 'an update carries a status, an artifact or both');
export type A2aUpdateFrame = z.infer<typeof A2aUpdateFrameSchema>;

/** The A2A frames the gateway forwards to the a2a-peer. */
export const a2aFrameSchemas = [A2aUpdateFrameSchema] as const;
