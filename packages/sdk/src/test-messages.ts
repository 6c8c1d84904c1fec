import type { DeliveredMessage, DeliverFrame } from '@switchboard/protocol';
import { v7 as uuidv7 } from 'uuid';

/** A delivered message with plausible defaults: a direct message from `sender` to `receiver`. */
export function deliveredMessage(overrides: Partial<DeliveredMessage> = {}): DeliveredMessage {
  return {
    id: uuidv7(),
    from: 'sender',
    sentBy: 'agent:sender',
    to: { kind: 'agent', agentId: 'receiver' },
    payload: { hello: 'world' },
    headers: {},
    priority: 4,
    conversationId: null,
    correlationId: null,
    replyTo: null,
    acceptedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-02T00:00:00.000Z',
    ...overrides,
  };
}

let deliveries = 0;

/** A `deliver` frame for `message` (a fresh delivery id unless given). */
export function deliverFrame(
  message: DeliveredMessage,
  options: { deliveryId?: string; attempt?: number } = {},
): DeliverFrame {
  deliveries += 1;
  return {
    v: 1,
    type: 'deliver',
    id: `deliver-${deliveries}`,
    deliveryId: options.deliveryId ?? String(deliveries),
    attempt: options.attempt ?? 1,
    message,
  };
}

/** A promise and the functions that settle it, for handlers that wait on the test. */
export function gate<T = void>(): {
  promise: Promise<T>;
  open(value: T): void;
  fail(error: unknown): void;
} {
  let open: (value: T) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}
