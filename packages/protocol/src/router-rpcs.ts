import { z } from 'zod';
import { ErrorBodySchema } from './error-body.ts';
import { AgentIdSchema } from './frames/agent.ts';
import {
  DeliveredMessageSchema,
  DeliveryIdSchema,
  MessageIdSchema,
  OutgoingMessageSchema,
  SendResultSchema,
  SubscriptionFilterSchema,
  SubscriptionSchema,
  TopicPatternSchema,
  TopicSchema,
} from './messages.ts';
import { batchRpcOf, defineRpc } from './rpc.ts';
import { TaskAbortSchema, TaskAssignmentSchema } from './tasks.ts';

// The router's RPCs (`<ns>.v1.router.<op>`). The caller is the `sb-principal`: an agent
// (`agent:<id>`, acting through the gateway) sees its own subscriptions and dead letters; an
// operator needs `messages:read` / `messages:write`.

/** Most items one page of a router listing holds. */
export const MAX_ROUTER_PAGE = 500;

const page = {
  limit: z.int().min(1).max(MAX_ROUTER_PAGE).default(50),
  /** `nextCursor` of the previous page. */
  cursor: z.string().regex(/^\d+$/).max(40).optional(),
};

/**
 * `send`: accepts a message once it and its deliveries are in Postgres. The sender is the
 * principal (`from` is its agent id when it is an agent). Re-sending an accepted id answers
 * `duplicate: true` and stores nothing. Errors: `E_FORBIDDEN` (topic, broadcast), `E_NOT_FOUND`
 * (direct to an unknown agent, anycast with no connected candidate), `E_PAYLOAD_TOO_LARGE`.
 */
export const RouterSendRpc = defineRpc(
  'send',
  z.strictObject({ message: OutgoingMessageSchema }),
  SendResultSchema,
);

/**
 * `send.batch`: the sends one agent's connection made within a tick, each accepted (or refused)
 * as `send` would; the gateway's hot path (one request and one group commit for many sends).
 */
export const RouterSendBatchRpc = batchRpcOf(RouterSendRpc);

/** A negative acknowledgement: the handler failed; retry after `retryAfterMs` if given. */
export const NackSchema = z.strictObject({
  deliveryId: DeliveryIdSchema,
  error: ErrorBodySchema.optional(),
  retryAfterMs: z.int().min(0).max(86_400_000).optional(),
});
export type Nack = z.infer<typeof NackSchema>;

/**
 * `ack`: the recipient's acks and nacks (the principal must be the recipient). Ids that are not
 * in flight for it any more (acked before, expired, redelivered) are ignored and counted.
 */
export const RouterAckRpc = defineRpc(
  'ack',
  z
    .strictObject({
      acks: z.array(DeliveryIdSchema).max(1000).default([]),
      nacks: z.array(NackSchema).max(1000).default([]),
    })
    .refine((request) => request.acks.length + request.nacks.length > 0, 'nothing to ack'),
  z.strictObject({ applied: z.int().min(0), ignored: z.int().min(0) }),
);

/** `subscribe`: adds (or, for a pattern already held, re-filters) a subscription of the agent. */
export const RouterSubscribeRpc = defineRpc(
  'subscribe',
  z.strictObject({
    pattern: TopicPatternSchema,
    filter: SubscriptionFilterSchema.optional(),
    /** Operators only: whose subscription; agents subscribe themselves. */
    agentId: AgentIdSchema.optional(),
  }),
  SubscriptionSchema,
);

/** `unsubscribe`: removes the subscription of `pattern`; `removed` is false if none existed. */
export const RouterUnsubscribeRpc = defineRpc(
  'unsubscribe',
  z.strictObject({ pattern: TopicPatternSchema, agentId: AgentIdSchema.optional() }),
  z.strictObject({ removed: z.boolean() }),
);

/** `subscriptions`: an agent's subscriptions (the caller's own when it is an agent). */
export const RouterSubscriptionsRpc = defineRpc(
  'subscriptions',
  z.strictObject({ agentId: AgentIdSchema.optional() }),
  z.strictObject({ items: z.array(SubscriptionSchema) }),
);

/** Where a delivery stands. */
export const DeliveryStatuses = ['queued', 'inflight', 'acked', 'dead', 'expired'] as const;
export type DeliveryStatus = (typeof DeliveryStatuses)[number];

/** One recipient's copy of a message and how its delivery went. */
export const DeliveryRecordSchema = z.strictObject({
  id: DeliveryIdSchema,
  messageId: MessageIdSchema,
  agentId: AgentIdSchema,
  status: z.enum(DeliveryStatuses),
  attempts: z.int().min(0),
  nextAttemptAt: z.iso.datetime().nullable(),
  lastError: ErrorBodySchema.nullable(),
  ackedAt: z.iso.datetime().nullable(),
});
export type DeliveryRecord = z.infer<typeof DeliveryRecordSchema>;

/** A stored message, as history shows it. */
export const MessageRecordSchema = DeliveredMessageSchema.extend({
  /** The topic of a topic message (also in `to`), for display and search. */
  topic: TopicSchema.nullable(),
  recipients: z.int().min(0),
});
export type MessageRecord = z.infer<typeof MessageRecordSchema>;

/**
 * `history`: messages newest first, filtered by any of: an agent (sent by it or delivered to it),
 * a topic (exact, or a pattern), a conversation, a time range. An agent sees only messages it
 * sent or received.
 */
export const RouterHistoryRpc = defineRpc(
  'history',
  z.strictObject({
    agentId: AgentIdSchema.optional(),
    topic: TopicPatternSchema.optional(),
    conversationId: z.string().min(1).max(128).optional(),
    since: z.iso.datetime().optional(),
    until: z.iso.datetime().optional(),
    ...page,
  }),
  z.strictObject({ items: z.array(MessageRecordSchema), nextCursor: z.string().nullable() }),
);

/** `message.get`: one message with its deliveries, or `E_NOT_FOUND`. */
export const RouterMessageGetRpc = defineRpc(
  'message.get',
  z.strictObject({ id: MessageIdSchema }),
  MessageRecordSchema.extend({ deliveries: z.array(DeliveryRecordSchema) }),
);

/** Why a delivery became a dead letter (one reason so far; the field leaves room for more). */
export const DeadLetterReasons = ['max_attempts'] as const;

/** A delivery that ran out of attempts, with the message it carried. */
export const DeadLetterSchema = z.strictObject({
  id: DeliveryIdSchema,
  agentId: AgentIdSchema,
  attempts: z.int().min(0),
  reason: z.enum(DeadLetterReasons),
  lastError: ErrorBodySchema.nullable(),
  deadAt: z.iso.datetime(),
  message: DeliveredMessageSchema,
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

/** `dlq.list`: dead letters newest first, of one recipient or (operators) all. */
export const DlqListRpc = defineRpc(
  'dlq.list',
  z.strictObject({ agentId: AgentIdSchema.optional(), ...page }),
  z.strictObject({ items: z.array(DeadLetterSchema), nextCursor: z.string().nullable() }),
);

/** `dlq.get`: one dead letter, or `E_NOT_FOUND`. */
export const DlqGetRpc = defineRpc(
  'dlq.get',
  z.strictObject({ id: DeliveryIdSchema }),
  DeadLetterSchema,
);

/** Which dead letters a replay or purge acts on: listed ids, or all of one recipient. */
const DlqSelectionSchema = z
  .strictObject({
    ids: z.array(DeliveryIdSchema).min(1).max(1000).optional(),
    agentId: AgentIdSchema.optional(),
  })
  .refine((selection) => selection.ids !== undefined || selection.agentId !== undefined, {
    message: 'name the dead letters: `ids`, or `agentId` for all of one recipient',
  });

/**
 * `dlq.replay`: queues each selected dead letter again as a fresh delivery (attempts from zero,
 * same message id, so a recipient that handled it after all drops the copy).
 */
export const DlqReplayRpc = defineRpc(
  'dlq.replay',
  DlqSelectionSchema,
  z.strictObject({ replayed: z.int().min(0) }),
);

/** `dlq.purge`: deletes the selected dead letters for good. */
export const DlqPurgeRpc = defineRpc(
  'dlq.purge',
  DlqSelectionSchema,
  z.strictObject({ purged: z.int().min(0) }),
);

/** One push to an agent connected to a gateway instance. */
export const PushSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('message'),
    agentId: AgentIdSchema,
    deliveryId: DeliveryIdSchema,
    /** 1 on the first attempt. */
    attempt: z.int().min(1),
    message: DeliveredMessageSchema,
  }),
  /** The sender asked for a receipt: `recipient` acked `messageId`. */
  z.strictObject({
    kind: z.literal('receipt'),
    agentId: AgentIdSchema,
    messageId: MessageIdSchema,
    recipient: AgentIdSchema,
    at: z.iso.datetime(),
  }),
  // Tasks: the task worker pushes through the same endpoint.
  /** A task for its executor. */
  TaskAssignmentSchema.extend({ kind: z.literal('task'), agentId: AgentIdSchema }),
  /** The executor must stop an attempt (cancelled, timed out). */
  TaskAbortSchema.extend({ kind: z.literal('task_abort'), agentId: AgentIdSchema }),
]);
export type Push = z.infer<typeof PushSchema>;

/** Why a gateway could not push a delivery. */
export const PushMissReasons = ['not_connected', 'backpressure'] as const;
export type PushMissReason = (typeof PushMissReasons)[number];

/**
 * `<ns>.v1.gw.<gatewayId>.deliver` (subject from `subjects(ns).gatewayDeliver(id)`): pushes for
 * agents connected to one gateway instance, many per request. The reply lists the deliveries it
 * could not write to a socket, so the router puts them back at once instead of waiting out the
 * ack timeout.
 */
export const GatewayDeliverRpc = defineRpc(
  'deliver',
  z.strictObject({ pushes: z.array(PushSchema).min(1) }),
  z.strictObject({
    missed: z.array(
      z.strictObject({ deliveryId: DeliveryIdSchema, reason: z.enum(PushMissReasons) }),
    ),
    /** Task pushes not written (absent when none): the task worker puts them back at once. */
    missedTasks: z
      .array(
        z.strictObject({
          taskId: z.uuid(),
          attempt: z.int().min(1),
          reason: z.enum(PushMissReasons),
        }),
      )
      .optional(),
  }),
);
