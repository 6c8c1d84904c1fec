import { z } from 'zod';
import { AgentIdSchema } from '../frames/agent.ts';
import { TopicPatternSchema } from '../messages.ts';

/**
 * `<ns>.v1.evt.router.subscription`: an agent's subscriptions changed (`version` is the router's
 * subscription counter after the change). Router replicas reload their topic index on it.
 */
export const SubscriptionChangedEventSchema = z.strictObject({
  agentId: AgentIdSchema,
  pattern: TopicPatternSchema,
  change: z.enum(['subscribed', 'unsubscribed']),
  version: z.int().min(0),
});
export type SubscriptionChangedEvent = z.infer<typeof SubscriptionChangedEventSchema>;

/**
 * `<ns>.v1.evt.router.dead_letter`: a delivery ran out of attempts (ids only, never the payload).
 */
export const DeadLetterEventSchema = z.strictObject({
  deliveryId: z.string(),
  messageId: z.uuid(),
  agentId: AgentIdSchema,
});
export type DeadLetterEvent = z.infer<typeof DeadLetterEventSchema>;
