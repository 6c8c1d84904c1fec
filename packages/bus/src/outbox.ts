import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';

/** What one queued publish carries. */
export interface OutgoingMessage {
  subject: string;
  data: Uint8Array;
  reply?: string;
  headers?: MsgHdrs;
  /** Told when the client refuses the message (closed connection, invalid subject, too large). */
  onError: (error: unknown) => void;
}

/** Publishes through one NATS connection, a turn of the event loop at a time. */
export interface Outbox {
  publish(message: OutgoingMessage): void;
}

/**
 * The NATS client writes to its socket once per microtask checkpoint, so requests and replies
 * made while handling separate socket events (two agents' frames, two Postgres results) each
 * cost a write, and a wake-up of the server and of the reader. The outbox holds what is
 * published during one turn of the event loop and hands it to the client at the turn's end
 * (`setImmediate`), so it leaves in one write: under load, dozens of messages per system call
 * (the messaging benchmark's gateways spent a fifth of their CPU in socket writes).
 */
export function createOutbox(nc: NatsConnection): Outbox {
  let queued: OutgoingMessage[] = [];
  const flush = () => {
    const batch = queued;
    queued = [];
    for (const message of batch) {
      try {
        nc.publish(message.subject, message.data, {
          ...(message.reply === undefined ? {} : { reply: message.reply }),
          ...(message.headers === undefined ? {} : { headers: message.headers }),
        });
      } catch (error) {
        message.onError(error);
      }
    }
  };
  return {
    publish(message) {
      if (queued.length === 0) setImmediate(flush);
      queued.push(message);
    },
  };
}
