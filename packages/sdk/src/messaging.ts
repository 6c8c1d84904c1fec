import {
  type DeliveredMessage,
  type DeliverFrame,
  type JsonValue,
  RouterSubscriptionsRpc,
  RouterUnsubscribeRpc,
  SbError,
  type SendResult,
  type Subscription,
  SubscriptionSchema,
} from '@switchboard/protocol';
import { v7 as uuidv7 } from 'uuid';
import { type A2aHandler, A2aInbox, isA2aCancel, isA2aMessage } from './a2a.ts';
import { deadlineSignal } from './abort.ts';
import { Correlations } from './correlations.ts';
import { createDeadLettersApi, type DeadLettersApi } from './dead-letters-api.ts';
import type { OutgoingFrame } from './frames.ts';
import { Inbox } from './inbox.ts';
import type { SdkLogger } from './logger.ts';
import type {
  AnycastOptions,
  BroadcastOptions,
  CallOptions,
  MessageHandler,
  MessageInput,
  MessagingApi,
  RequestOptions,
  SendOptions,
  SubscribeOptions,
} from './messaging-api.ts';
import type { DeliveryOutcome } from './outcome.ts';
import {
  callOptions,
  defined,
  messageFields,
  subscription,
  toOutgoingMessage,
} from './outgoing-message.ts';
import { requestResult, type SendRequest } from './request-result.ts';
import { type SendSession, sendUntilAccepted } from './send-until-accepted.ts';

/** How the SDK receives: handler concurrency, the duplicate window, A2A's `working` report. */
export interface InboxSettings {
  messageConcurrency: number;
  dedupWindowMs: number;
  dedupMaxEntries: number;
  a2aWorkingDelayMs: number;
}

/** What {@link Messaging} needs from the client. */
export interface MessagingHost {
  log: SdkLogger;
  settings: InboxSettings & { requestTimeoutMs: number };
  /** Aborts when the client closes for good. */
  lifetime: AbortSignal;
  /** The current session, waiting for a reconnect while there is none. */
  session(signal: AbortSignal): Promise<SendSession>;
  /** The delay before re-sending on an open connection that failed attempt `attempt`. */
  backoffMs(attempt: number): number;
  /** Sends a frame without reply over the current connection; false when not connected. */
  notify(frame: OutgoingFrame): boolean;
  /** A request over the current connection (no waiting for a reconnect). */
  request: SendRequest;
}

/** The messaging half of the client: {@link MessagingApi} plus the `deliver` frames it takes. */
export class Messaging implements MessagingApi {
  readonly deadLetters: DeadLettersApi;
  private readonly correlations: Correlations;
  private readonly inbox: Inbox;
  private readonly a2a: A2aInbox;
  private handler: MessageHandler | undefined;
  private removeDispatch: (() => void) | undefined;

  constructor(private readonly host: MessagingHost) {
    const { dedupWindowMs, dedupMaxEntries, messageConcurrency } = host.settings;
    const dedup = { windowMs: dedupWindowMs, maxEntries: dedupMaxEntries };
    this.deadLetters = createDeadLettersApi(host.request);
    this.correlations = new Correlations(dedup);
    this.inbox = new Inbox({
      concurrency: messageConcurrency,
      runsAtOnce: isA2aCancel,
      dedup,
      correlations: this.correlations,
      answer: (deliveryId, outcome) => this.answer(deliveryId, outcome),
      reply: (replyTo, request, payload) => this.reply(replyTo, request, payload),
      log: host.log,
    });
    this.a2a = new A2aInbox({
      request: host.request,
      log: host.log,
      workingDelayMs: host.settings.a2aWorkingDelayMs,
      retry: {
        backoffMs: host.backoffMs,
        lifetime: host.lifetime,
        retryForMs: host.settings.requestTimeoutMs,
      },
    });
  }

  send(message: MessageInput, options: CallOptions = {}): Promise<SendResult> {
    return this.sendWithId(uuidv7(), message, options);
  }

  sendTo(agentId: string, payload: JsonValue, options: SendOptions = {}): Promise<SendResult> {
    const to = { kind: 'agent' as const, agentId };
    return this.send({ to, payload, ...messageFields(options) }, callOptions(options));
  }

  publish(topic: string, payload: JsonValue, options: SendOptions = {}): Promise<SendResult> {
    const to = { kind: 'topic' as const, topic };
    return this.send({ to, payload, ...messageFields(options) }, callOptions(options));
  }

  broadcast(payload: JsonValue, options: BroadcastOptions = {}): Promise<SendResult> {
    const { capability, labels } = options;
    const to = { kind: 'broadcast' as const, ...defined({ capability, labels }) };
    return this.send({ to, payload, ...messageFields(options) }, callOptions(options));
  }

  anycast(
    capability: string,
    payload: JsonValue,
    options: AnycastOptions = {},
  ): Promise<SendResult> {
    const { strategy, labels } = options;
    const to = { kind: 'anycast' as const, capability, ...defined({ strategy, labels }) };
    return this.send({ to, payload, ...messageFields(options) }, callOptions(options));
  }

  async request(
    agentId: string,
    payload: JsonValue,
    options: RequestOptions = {},
  ): Promise<DeliveredMessage> {
    const timeoutMs = options.timeoutMs ?? this.host.settings.requestTimeoutMs;
    const id = uuidv7();
    const deadline = deadlineSignal(
      [this.host.lifetime, options.signal],
      timeoutMs,
      () => new SbError('E_TIMEOUT', `agent ${agentId} did not reply within ${timeoutMs} ms`),
    );
    // Waiting starts before sending: the reply may overtake the send's own answer.
    const reply = this.correlations.wait(id, deadline.signal);
    reply.catch(() => undefined);
    try {
      const message = {
        to: { kind: 'agent' as const, agentId },
        payload,
        ttlMs: timeoutMs,
        ...messageFields(options),
        expectsReply: true,
      };
      await this.sendWithId(id, message, { timeoutMs, signal: deadline.signal });
      return await reply;
    } finally {
      this.correlations.end(id);
      deadline.clear();
    }
  }

  onMessage(handler: MessageHandler): () => void {
    this.handler = handler;
    this.install();
    return () => {
      if (this.handler !== handler) return;
      this.handler = undefined;
      this.install();
    };
  }

  /** Sets the handler of A2A messages (see {@link A2aApi.serve}). */
  serveA2a(handler: A2aHandler): () => void {
    const remove = this.a2a.serve(handler);
    this.install();
    return () => {
      remove();
      this.install();
    };
  }

  // The inbox runs one handler: A2A messages go to the A2A inbox, the rest to `onMessage`'s.
  private readonly dispatch: MessageHandler = async (
    message,
    context,
  ): Promise<JsonValue | undefined> => {
    if (isA2aMessage(message)) {
      await this.a2a.handle(message, this.handler, context);
      return undefined;
    }
    if (this.handler === undefined) {
      throw new SbError('E_UNAVAILABLE', 'this agent has no message handler yet');
    }
    return (await this.handler(message, context)) as JsonValue | undefined;
  };

  private install(): void {
    if (this.handler !== undefined || this.a2a.serving) {
      this.removeDispatch ??= this.inbox.setHandler(this.dispatch);
    } else {
      this.removeDispatch?.();
      this.removeDispatch = undefined;
    }
  }

  async subscribe(pattern: string, options: SubscribeOptions = {}): Promise<Subscription> {
    return requestResult(
      this.host.request,
      { type: 'subscribe', ...subscription(pattern, options) },
      SubscriptionSchema,
    );
  }

  async unsubscribe(pattern: string): Promise<boolean> {
    const frame = { type: 'unsubscribe' as const, ...subscription(pattern, {}) };
    const result = await requestResult(this.host.request, frame, RouterUnsubscribeRpc.response);
    return result.removed;
  }

  async subscriptions(): Promise<Subscription[]> {
    const frame = { type: 'subscriptions' as const };
    const result = await requestResult(this.host.request, frame, RouterSubscriptionsRpc.response);
    return result.items;
  }

  /** Takes a `deliver` frame from the gateway. */
  receive(frame: DeliverFrame): void {
    this.inbox.receive(frame);
  }

  /** Stops taking deliveries (the ones waiting for the handler come back on the next connection). */
  close(): void {
    this.inbox.close();
  }

  private async sendWithId(
    id: string,
    input: MessageInput,
    options: CallOptions,
  ): Promise<SendResult> {
    const message = toOutgoingMessage(id, input);
    const timeoutMs = options.timeoutMs ?? this.host.settings.requestTimeoutMs;
    const deadline = deadlineSignal(
      [this.host.lifetime, options.signal],
      timeoutMs,
      () => new SbError('E_TIMEOUT', `message ${id} was not accepted within ${timeoutMs} ms`),
    );
    try {
      return await sendUntilAccepted(this.host, message, timeoutMs, deadline.signal);
    } finally {
      deadline.clear();
    }
  }

  private async reply(replyTo: string, request: DeliveredMessage, payload: JsonValue) {
    const message: MessageInput = {
      to: { kind: 'agent', agentId: replyTo },
      payload,
      correlationId: request.id,
      ...(request.conversationId === null ? {} : { conversationId: request.conversationId }),
    };
    await this.send(message);
  }

  private answer(deliveryId: string, outcome: DeliveryOutcome): void {
    const frame: OutgoingFrame =
      outcome.kind === 'ack'
        ? { type: 'ack', deliveryId }
        : {
            type: 'nack',
            deliveryId,
            ...defined({ error: outcome.error, retryAfterMs: outcome.retryAfterMs }),
          };
    if (!this.host.notify(frame)) {
      this.host.log.debug(
        { deliveryId, outcome: outcome.kind },
        'not connected: the router will deliver it again',
      );
    }
  }
}
