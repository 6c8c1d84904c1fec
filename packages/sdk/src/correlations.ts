import type { DeliveredMessage } from '@switchboard/protocol';
import { abortReason } from './abort.ts';
import { ExpiringIds, type ExpiringIdsOptions } from './expiring-ids.ts';

/** What a delivered message is to the requests of this client. */
export type Correlation =
  /** It answered a waiting request, which now has it. */
  | 'reply'
  /** It answers a request that ended (timed out, aborted, or answered before). */
  | 'late'
  /** It answers none of this client's requests: it goes to the message handler. */
  | 'none';

interface Waiter {
  resolve(reply: DeliveredMessage): void;
  stop(): void;
}

/**
 * Requests waiting for their reply: a message whose `correlationId` is the request message's
 * id. Ended requests are remembered for a window, so that a reply arriving after its request
 * gave up is recognised (and dropped) instead of reaching the handler.
 */
export class Correlations {
  private readonly waiters = new Map<string, Waiter>();
  private readonly ended: ExpiringIds;

  constructor(options: ExpiringIdsOptions) {
    this.ended = new ExpiringIds(options);
  }

  /** How many requests wait. */
  get size(): number {
    return this.waiters.size;
  }

  /**
   * Waits for the reply to message `id` until `signal` aborts (then rejects with its reason).
   * Call {@link end} once the request is over, however it ended.
   */
  wait(id: string, signal: AbortSignal): Promise<DeliveredMessage> {
    if (signal.aborted) {
      this.end(id);
      return Promise.reject(abortReason(signal));
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.end(id);
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(id, {
        resolve,
        stop: () => signal.removeEventListener('abort', onAbort),
      });
    });
  }

  /** Stops waiting for the reply to `id` (without settling the wait) and remembers it ended. */
  end(id: string): void {
    this.waiters.get(id)?.stop();
    this.waiters.delete(id);
    this.ended.add(id);
  }

  /** Hands `message` to the request it answers, if one waits; says what it was. */
  take(message: DeliveredMessage): Correlation {
    const id = message.correlationId;
    if (id === null) return 'none';
    const waiter = this.waiters.get(id);
    if (waiter !== undefined) {
      this.end(id);
      waiter.resolve(message);
      return 'reply';
    }
    return this.ended.has(id) ? 'late' : 'none';
  }
}
