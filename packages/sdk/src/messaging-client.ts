import type { DeliveredMessage, JsonValue, SendResult, Subscription } from '@switchboard/protocol';
import type { A2aApi } from './a2a.ts';
import type { DeadLettersApi } from './dead-letters-api.ts';
import type { Messaging } from './messaging.ts';
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

/** {@link MessagingApi} on a client, passed on to its {@link Messaging}. */
export abstract class MessagingClient implements MessagingApi {
  protected abstract readonly messaging: Messaging;

  /** A2A: the handler of the A2A messages this agent receives. */
  get a2a(): A2aApi {
    return { serve: (handler) => this.messaging.serveA2a(handler) };
  }

  get deadLetters(): DeadLettersApi {
    return this.messaging.deadLetters;
  }

  send(message: MessageInput, options?: CallOptions): Promise<SendResult> {
    return this.messaging.send(message, options);
  }

  sendTo(agentId: string, payload: JsonValue, options?: SendOptions): Promise<SendResult> {
    return this.messaging.sendTo(agentId, payload, options);
  }

  publish(topic: string, payload: JsonValue, options?: SendOptions): Promise<SendResult> {
    return this.messaging.publish(topic, payload, options);
  }

  broadcast(payload: JsonValue, options?: BroadcastOptions): Promise<SendResult> {
    return this.messaging.broadcast(payload, options);
  }

  anycast(capability: string, payload: JsonValue, options?: AnycastOptions): Promise<SendResult> {
    return this.messaging.anycast(capability, payload, options);
  }

  request(
    agentId: string,
    payload: JsonValue,
    options?: RequestOptions,
  ): Promise<DeliveredMessage> {
    return this.messaging.request(agentId, payload, options);
  }

  onMessage(handler: MessageHandler): () => void {
    return this.messaging.onMessage(handler);
  }

  subscribe(pattern: string, options?: SubscribeOptions): Promise<Subscription> {
    return this.messaging.subscribe(pattern, options);
  }

  unsubscribe(pattern: string): Promise<boolean> {
    return this.messaging.unsubscribe(pattern);
  }

  subscriptions(): Promise<Subscription[]> {
    return this.messaging.subscriptions();
  }
}
