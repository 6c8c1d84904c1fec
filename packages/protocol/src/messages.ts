import { z } from 'zod';
import { AgentIdSchema, LabelsSchema } from './frames/agent.ts';
import { isValidSubject, MAX_PATTERN_CHARS, SubjectPatternSchema } from './patterns.ts';

// The message model shared by the SDK, the gateway and the router (DESIGN.md, Messages).

/** A concrete topic: dot-separated non-empty tokens without whitespace or wildcards. */
export const TopicSchema = z
  .string()
  .min(1)
  .max(MAX_PATTERN_CHARS)
  .refine(
    isValidSubject,
    'a topic is dot-separated non-empty tokens without whitespace, `*` or `>`',
  );

/**
 * A topic pattern: tokens as in a topic, where `*` stands for exactly one token and `>` (last
 * only) for one or more trailing tokens. Grants use the same patterns.
 */
export const TopicPatternSchema = SubjectPatternSchema;

/** Lowest and highest priority; higher is delivered first. */
export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 9;
/** The priority of a message that names none. */
export const DEFAULT_PRIORITY = 4;

/** A priority from 0 (lowest) to 9 (highest). */
export const PrioritySchema = z.int().min(MIN_PRIORITY).max(MAX_PRIORITY);

/** Message headers: short keys and values that subscription filters match on. */
export const MessageHeadersSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'header names: letters, digits, . _ -'),
    z.string().max(1024),
  )
  .refine((headers) => Object.keys(headers).length <= 32, 'at most 32 headers');
export type MessageHeaders = z.infer<typeof MessageHeadersSchema>;

/** How an anycast picks its one recipient among the agents that have the capability. */
export const AnycastStrategies = ['round_robin', 'least_loaded', 'weighted'] as const;
export type AnycastStrategy = (typeof AnycastStrategies)[number];

/** Where a message goes. */
export const MessageTargetSchema = z.discriminatedUnion('kind', [
  /** One agent, by id. */
  z.strictObject({ kind: z.literal('agent'), agentId: AgentIdSchema }),
  /** Every agent subscribed to a pattern that matches the topic (and whose filter passes). */
  z.strictObject({ kind: z.literal('topic'), topic: TopicSchema }),
  /** Every registered agent but the sender, optionally narrowed by capability and labels. */
  z.strictObject({
    kind: z.literal('broadcast'),
    capability: z.string().min(1).max(128).optional(),
    labels: LabelsSchema.optional(),
  }),
  /** One connected agent that has the capability, chosen by `strategy`. */
  z.strictObject({
    kind: z.literal('anycast'),
    capability: z.string().min(1).max(128),
    labels: LabelsSchema.optional(),
    strategy: z.enum(AnycastStrategies).optional(),
  }),
]);
export type MessageTarget = z.infer<typeof MessageTargetSchema>;

/** A message id: a UUID (the SDK makes UUIDv7, so ids sort by time). */
export const MessageIdSchema = z.uuid();

/** What a sender hands to the router. */
export const OutgoingMessageSchema = z.strictObject({
  /** Chosen by the sender: re-sending the same id is accepted once (idempotent). */
  id: MessageIdSchema,
  to: MessageTargetSchema,
  payload: z.json(),
  headers: MessageHeadersSchema.optional(),
  priority: PrioritySchema.optional(),
  /** Dropped (and counted) when not delivered within this time; the router has a default. */
  ttlMs: z.int().positive().optional(),
  /** Groups the messages of one conversation (A2A's `contextId`); searchable in history. */
  conversationId: z.string().min(1).max(128).optional(),
  /** Set on a reply: the id of the message it answers. */
  correlationId: MessageIdSchema.optional(),
  /** Asks the recipient to reply (request/reply); the router fills in the sender as `replyTo`. */
  expectsReply: z.boolean().optional(),
  /** Asks for a `receipt` frame once the recipient acked. */
  receipt: z.boolean().optional(),
});
export type OutgoingMessage = z.infer<typeof OutgoingMessageSchema>;

/** A message as its recipient gets it. */
export const DeliveredMessageSchema = z.strictObject({
  id: MessageIdSchema,
  /** The sending agent, or null when an operator sent it. */
  from: AgentIdSchema.nullable(),
  /** The principal that sent it (`agent:<id>`, `key:<id>`, ...). */
  sentBy: z.string(),
  to: MessageTargetSchema,
  payload: z.json(),
  headers: MessageHeadersSchema,
  priority: PrioritySchema,
  conversationId: z.string().nullable(),
  correlationId: MessageIdSchema.nullable(),
  /** The agent a reply goes to, when the sender asked for one. */
  replyTo: AgentIdSchema.nullable(),
  acceptedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});
export type DeliveredMessage = z.infer<typeof DeliveredMessageSchema>;

/** A delivery id: one recipient's copy of a message. */
export const DeliveryIdSchema = z
  .string()
  .regex(/^[0-9]{1,19}$/, 'a delivery id is a decimal number');

/**
 * A subscription filter: every header named here must be present on the message and equal to
 * the value (or one of the values) given.
 */
export const SubscriptionFilterSchema = z.strictObject({
  headers: z
    .record(
      z.string().min(1).max(64),
      z.union([z.string().max(1024), z.array(z.string().max(1024)).min(1).max(64)]),
    )
    .refine((headers) => Object.keys(headers).length <= 32, 'at most 32 header conditions'),
});
export type SubscriptionFilter = z.infer<typeof SubscriptionFilterSchema>;

/** A stored subscription of an agent. */
export const SubscriptionSchema = z.strictObject({
  agentId: AgentIdSchema,
  pattern: TopicPatternSchema,
  filter: SubscriptionFilterSchema.nullable(),
  createdAt: z.iso.datetime(),
});
export type Subscription = z.infer<typeof SubscriptionSchema>;

/** What the sender learns when the router accepted a message. */
export const SendResultSchema = z.strictObject({
  messageId: MessageIdSchema,
  /** How many deliveries the message has (0 for a topic nobody subscribes to). */
  recipients: z.int().min(0),
  /** True when this id was accepted before (a re-send): nothing new was stored. */
  duplicate: z.boolean(),
});
export type SendResult = z.infer<typeof SendResultSchema>;
