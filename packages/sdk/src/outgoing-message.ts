import {
  type OutgoingMessage,
  OutgoingMessageSchema,
  SubscriptionFilterSchema,
  TopicPatternSchema,
  validationError,
} from '@switchboard/protocol';
import type {
  CallOptions,
  MessageFields,
  MessageInput,
  SubscribeOptions,
} from './messaging-api.ts';

/** The message fields of a convenience call's options (its call options left out). */
export function messageFields(options: MessageFields): MessageFields {
  const { headers, priority, ttlMs, conversationId, receipt } = options;
  return defined({ headers, priority, ttlMs, conversationId, receipt });
}

/** The call options of a convenience call's options. */
export function callOptions(options: CallOptions): CallOptions {
  return defined({ timeoutMs: options.timeoutMs, signal: options.signal });
}

/** The message with its id, checked against the protocol; throws `E_VALIDATION`. */
export function toOutgoingMessage(id: string, input: MessageInput): OutgoingMessage {
  const parsed = OutgoingMessageSchema.safeParse({ ...input, id });
  if (!parsed.success) throw validationError('message', parsed.error);
  return parsed.data;
}

/** A subscribe frame's fields, checked against the protocol; throws `E_VALIDATION`. */
export function subscription(
  pattern: string,
  options: SubscribeOptions,
): { pattern: string; filter?: SubscribeOptions['filter'] } {
  const checkedPattern = TopicPatternSchema.safeParse(pattern);
  if (!checkedPattern.success) throw validationError('pattern', checkedPattern.error);
  if (options.filter === undefined) return { pattern };
  const filter = SubscriptionFilterSchema.safeParse(options.filter);
  if (!filter.success) throw validationError('filter', filter.error);
  return { pattern, filter: filter.data };
}

/** `value` without its undefined properties (so strict schemas and JSON see only what was set). */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
