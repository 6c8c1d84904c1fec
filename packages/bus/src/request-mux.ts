import { createInbox, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { SbError } from '@switchboard/protocol';
import type { BusLogger } from './logger.ts';
import type { Outbox } from './outbox.ts';

/** A request on its way: how to settle it, and its deadline. */
interface Pending {
  subject: string;
  resolve: (msg: Msg) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/** Requests over one NATS connection, their replies read from one inbox subscription. */
export interface RequestMux {
  request(
    subject: string,
    data: Uint8Array,
    options: { timeoutMs: number; headers: MsgHdrs },
  ): Promise<Msg>;
}

/** The status NATS answers a request with when nobody subscribes to its subject. */
const NO_RESPONDERS = 503;

/**
 * Request/reply over one subscription to `<inbox>.*`, each request a token under it. The NATS
 * client's own `request` does the same but publishes at once (see {@link createOutbox} for why
 * that costs) and builds an `Error`, with its stack, for every request it completes.
 * Errors are the bus's own: `E_TIMEOUT` when no reply comes in time, `E_UNAVAILABLE` when no
 * service subscribes to the subject or the connection is closed.
 */
export function createRequestMux(nc: NatsConnection, outbox: Outbox, log: BusLogger): RequestMux {
  const inbox = createInbox();
  const prefixLength = inbox.length + 1;
  const pending = new Map<string, Pending>();
  let counter = 0;

  const settle = (token: string): Pending | undefined => {
    const entry = pending.get(token);
    if (entry === undefined) return undefined;
    pending.delete(token);
    clearTimeout(entry.timer);
    return entry;
  };

  const subscription = nc.subscribe(`${inbox}.*`, {
    callback: (error, msg) => {
      if (error !== null) {
        log.error({ err: error }, 'the subscription to the reply inbox failed');
        return;
      }
      const entry = settle(msg.subject.slice(prefixLength));
      // A reply after its deadline: the caller has its E_TIMEOUT already.
      if (entry === undefined) return;
      if (msg.data.length === 0 && msg.headers?.code === NO_RESPONDERS) {
        entry.reject(
          new SbError('E_UNAVAILABLE', `no service answers ${entry.subject}; is it running?`),
        );
        return;
      }
      entry.resolve(msg);
    },
  });
  // Nothing answers once the connection is closed: fail what still waits instead of letting
  // each wait out its deadline.
  void subscription.closed.finally(() => {
    for (const token of [...pending.keys()]) {
      settle(token)?.reject(
        new SbError('E_UNAVAILABLE', 'the NATS connection closed before the reply came'),
      );
    }
  });

  return {
    request(subject, data, { timeoutMs, headers }) {
      if (subscription.isClosed()) {
        const closed = `cannot send to ${subject}: the NATS connection is closed`;
        return Promise.reject(new SbError('E_UNAVAILABLE', closed));
      }
      counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
      const token = counter.toString(36);
      return new Promise<Msg>((resolve, reject) => {
        const timer = setTimeout(() => {
          if (settle(token) === undefined) return;
          reject(new SbError('E_TIMEOUT', `no reply from ${subject} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(token, { subject, resolve, reject, timer });
        outbox.publish({
          subject,
          data,
          reply: `${inbox}.${token}`,
          headers,
          onError: (error) => settle(token)?.reject(error),
        });
      });
    },
  };
}
