import { randomUUID } from 'node:crypto';
import type { DeliveredMessage, Push } from '@switchboard/protocol';

/** A first-attempt push of a direct message to `agentId`, as the router sends the gateway. */
export function messagePush(
  agentId: string,
  deliveryId: string,
  payload: DeliveredMessage['payload'] = { hello: agentId },
): Extract<Push, { kind: 'message' }> {
  const now = Date.now();
  return {
    kind: 'message',
    agentId,
    deliveryId,
    attempt: 1,
    message: {
      id: randomUUID(),
      from: 'sender',
      sentBy: 'agent:sender',
      to: { kind: 'agent', agentId },
      payload,
      headers: { kind: 'greeting' },
      priority: 4,
      conversationId: null,
      correlationId: null,
      replyTo: null,
      acceptedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 60_000).toISOString(),
    },
  };
}
