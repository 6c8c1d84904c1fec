import { z } from 'zod';
import { DeliveredMessageSchema, DeliveryIdSchema, MessageIdSchema } from '../messages.ts';
import {
  DlqGetRpc,
  DlqListRpc,
  NackSchema,
  RouterSendRpc,
  RouterSubscribeRpc,
  RouterUnsubscribeRpc,
} from '../router-rpcs.ts';
import { AgentIdSchema } from './agent.ts';
import { frameBase } from './envelope.ts';

// Messaging frames. Requests are answered with `result` (or `error`); `ack` and `nack` answer a
// `deliver` push and get no reply unless they are malformed.

/** Sends a message: answered with a `SendResult` once it is durably accepted. */
export const SendFrameSchema = RouterSendRpc.request.extend({
  ...frameBase,
  type: z.literal('send'),
});
export type SendFrame = z.infer<typeof SendFrameSchema>;

/** Subscribes the agent to a topic pattern, optionally filtered: answered with the subscription. */
export const SubscribeFrameSchema = RouterSubscribeRpc.request
  .omit({ agentId: true })
  .extend({ ...frameBase, type: z.literal('subscribe') });
export type SubscribeFrame = z.infer<typeof SubscribeFrameSchema>;

/** Removes a subscription: answered with `{ removed }`. */
export const UnsubscribeFrameSchema = RouterUnsubscribeRpc.request
  .omit({ agentId: true })
  .extend({ ...frameBase, type: z.literal('unsubscribe') });
export type UnsubscribeFrame = z.infer<typeof UnsubscribeFrameSchema>;

/** Lists the agent's subscriptions. */
export const SubscriptionsFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('subscriptions'),
});
export type SubscriptionsFrame = z.infer<typeof SubscriptionsFrameSchema>;

/** Lists the agent's dead letters, newest first. */
export const DlqListFrameSchema = DlqListRpc.request.omit({ agentId: true }).extend({
  ...frameBase,
  type: z.literal('dlq.list'),
  limit: DlqListRpc.request.shape.limit.unwrap().optional(),
});
export type DlqListFrame = z.infer<typeof DlqListFrameSchema>;

/** Reads one of the agent's dead letters (`deliveryId`: its id; `id` names the frame). */
export const DlqGetFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('dlq.get'),
  deliveryId: DlqGetRpc.request.shape.id,
});
export type DlqGetFrame = z.infer<typeof DlqGetFrameSchema>;

const dlqIds = { ids: z.array(DeliveryIdSchema).min(1).max(1000).optional() };

/** Replays the agent's dead letters: the listed ones, or all of them without `ids`. */
export const DlqReplayFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('dlq.replay'),
  ...dlqIds,
});
export type DlqReplayFrame = z.infer<typeof DlqReplayFrameSchema>;

/** Purges the agent's dead letters: the listed ones, or all of them without `ids`. */
export const DlqPurgeFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('dlq.purge'),
  ...dlqIds,
});
export type DlqPurgeFrame = z.infer<typeof DlqPurgeFrameSchema>;

/** The handler took the message: the delivery is done. */
export const AckFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('ack'),
  deliveryId: DeliveryIdSchema,
});
export type AckFrame = z.infer<typeof AckFrameSchema>;

/** The handler failed: the router retries (after `retryAfterMs` when given) or dead-letters. */
export const NackFrameSchema = NackSchema.extend({ ...frameBase, type: z.literal('nack') });
export type NackFrame = z.infer<typeof NackFrameSchema>;

/** A message for the agent; answer with `ack` or `nack` naming `deliveryId`. */
export const DeliverFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('deliver'),
  deliveryId: DeliveryIdSchema,
  attempt: z.int().min(1),
  message: DeliveredMessageSchema,
});
export type DeliverFrame = z.infer<typeof DeliverFrameSchema>;

/** A message the agent sent with `receipt: true` was acked by `recipient`. */
export const ReceiptFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('receipt'),
  messageId: MessageIdSchema,
  recipient: AgentIdSchema,
  at: z.iso.datetime(),
});
export type ReceiptFrame = z.infer<typeof ReceiptFrameSchema>;

/** The messaging frames the gateway forwards to the router as RPCs. */
export const routerFrameSchemas = [
  SendFrameSchema,
  SubscribeFrameSchema,
  UnsubscribeFrameSchema,
  SubscriptionsFrameSchema,
  DlqListFrameSchema,
  DlqGetFrameSchema,
  DlqReplayFrameSchema,
  DlqPurgeFrameSchema,
] as const;
