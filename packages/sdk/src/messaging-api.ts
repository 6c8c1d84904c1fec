import type {
  AnycastStrategy,
  DeliveredMessage,
  JsonValue,
  Labels,
  MessageHeaders,
  MessageTarget,
  SendResult,
  Subscription,
  SubscriptionFilter,
} from '@switchboard/protocol';
import type { DeadLettersApi } from './dead-letters-api.ts';

/** How long a call may take, and a signal that cancels it. */
export interface CallOptions {
  /** How long to wait, in ms (default: the client's `requestTimeoutMs`). */
  timeoutMs?: number;
  /** Aborting it rejects the call with the abort reason (an `SbError`). */
  signal?: AbortSignal;
}

/** A message's settings besides where it goes and what it carries. */
export interface MessageFields {
  /** Short string pairs that subscription filters match on (at most 32). */
  headers?: MessageHeaders;
  /** 0 (lowest) to 9 (highest), default 4: per recipient, higher priorities come first. */
  priority?: number;
  /** Dropped (never delivered late) when not delivered within this, in ms; the router has a default. */
  ttlMs?: number;
  /** Groups the messages of one conversation; searchable in history. */
  conversationId?: string;
  /** Asks for a `receipt` event once each recipient has acked the message. */
  receipt?: boolean;
}

/** A message for {@link MessagingApi.send}: where it goes, what it carries; the SDK adds its id. */
export interface MessageInput extends MessageFields {
  /** One agent, a topic, every agent (broadcast) or one agent with a capability (anycast). */
  to: MessageTarget;
  /** Any JSON value (at most the gateway's `maxPayloadBytes` once serialised). */
  payload: JsonValue;
  /** Marks the message as the reply to the message with this id. */
  correlationId?: string;
  /** Asks the recipient to reply: it gets the sender as `replyTo` (see {@link MessagingApi.request}). */
  expectsReply?: boolean;
}

/** The options of {@link MessagingApi.sendTo} and {@link MessagingApi.publish}. */
export interface SendOptions extends MessageFields, CallOptions {}

/** The options of {@link MessagingApi.broadcast}: who gets it besides every registered agent. */
export interface BroadcastOptions extends SendOptions {
  /** Only agents that have this capability. */
  capability?: string;
  /** Only agents whose labels include all of these. */
  labels?: Labels;
}

/** The options of {@link MessagingApi.anycast}. */
export interface AnycastOptions extends SendOptions {
  /** How the router picks the one recipient (default: the router's configured strategy). */
  strategy?: AnycastStrategy;
  /** Only agents whose labels include all of these. */
  labels?: Labels;
}

/**
 * The options of {@link MessagingApi.request}. `timeoutMs` covers sending and the reply, and
 * is also the message's `ttlMs` unless given: a request is never delivered after the caller
 * stopped waiting.
 */
export interface RequestOptions extends MessageFields, CallOptions {}

/** Which delivery of a message the handler is running for. */
export interface DeliveryContext {
  /** The recipient's copy of the message (what `ack`/`nack` name). */
  deliveryId: string;
  /** 1 on the first attempt, more when the router delivers it again. */
  attempt: number;
}

/**
 * Handles one delivered message. Resolving acks the delivery; throwing (or rejecting) nacks it,
 * so the router retries it later (after `details.retryAfterMs` of a thrown `SbError`, if any).
 * When the message has a `replyTo`, a value other than `undefined` is sent back as the reply.
 */
export type MessageHandler = (
  message: DeliveredMessage,
  context: DeliveryContext,
) => JsonValue | undefined | Promise<JsonValue | undefined> | Promise<void> | void;

/** The options of {@link MessagingApi.subscribe}. */
export interface SubscribeOptions {
  /** Only messages whose headers match (each named header equal to the value, or one of them). */
  filter?: SubscriptionFilter;
}

/**
 * Messaging: send (direct, topic, broadcast, anycast), receive with at-least-once delivery and
 * duplicate suppression, request/reply, topic subscriptions and dead letters.
 */
export interface MessagingApi {
  /**
   * Sends a message; resolves once the router has durably accepted it. The SDK gives it a
   * UUIDv7 id; a send that is not accepted yet when the connection drops is sent again with the
   * same id after the reconnect (the router stores it once), until `timeoutMs` or `signal`.
   * Rejects with `E_VALIDATION`, `E_FORBIDDEN` (topic or broadcast without a grant),
   * `E_NOT_FOUND` (unknown agent, no agent for an anycast), `E_PAYLOAD_TOO_LARGE`,
   * `E_RATE_LIMITED`, or `E_TIMEOUT`.
   */
  send(message: MessageInput, options?: CallOptions): Promise<SendResult>;
  /** Sends `payload` to one agent (see {@link send}). */
  sendTo(agentId: string, payload: JsonValue, options?: SendOptions): Promise<SendResult>;
  /** Publishes `payload` on a topic, to every agent subscribed to a matching pattern. */
  publish(topic: string, payload: JsonValue, options?: SendOptions): Promise<SendResult>;
  /** Sends `payload` to every registered agent but this one, optionally narrowed. */
  broadcast(payload: JsonValue, options?: BroadcastOptions): Promise<SendResult>;
  /** Sends `payload` to one connected agent that has `capability`. */
  anycast(capability: string, payload: JsonValue, options?: AnycastOptions): Promise<SendResult>;
  /**
   * Sends `payload` to `agentId` asking for a reply; resolves with the reply message (its
   * `correlationId` is the request's id). Rejects with `E_TIMEOUT` when no reply comes within
   * `timeoutMs`, or with the send's error.
   */
  request(agentId: string, payload: JsonValue, options?: RequestOptions): Promise<DeliveredMessage>;
  /**
   * Sets the one message handler (replacing any other); returns a function that removes it.
   * Deliveries that arrive while no handler is set wait in the SDK, in order, until one is.
   */
  onMessage(handler: MessageHandler): () => void;
  /** Subscribes this agent to a topic pattern (`*` one token, `>` the rest); kept by the router. */
  subscribe(pattern: string, options?: SubscribeOptions): Promise<Subscription>;
  /** Removes the subscription of `pattern`; resolves with false when there was none. */
  unsubscribe(pattern: string): Promise<boolean>;
  /** This agent's subscriptions. */
  subscriptions(): Promise<Subscription[]>;
  /** This agent's dead letters: deliveries that ran out of attempts. */
  readonly deadLetters: DeadLettersApi;
}
