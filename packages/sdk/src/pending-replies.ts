import {
  type ErrorFrame,
  type ResultFrame,
  SbError,
  type WelcomeFrame,
} from '@switchboard/protocol';
import { abortReason } from './abort.ts';
import { errorOfFrame } from './frames.ts';

/** A frame that answers a request of the client. */
export type ReplyFrame = WelcomeFrame | ResultFrame;

interface Waiter {
  resolve(frame: ReplyFrame): void;
  reject(error: SbError): void;
}

/**
 * Requests waiting for their reply, by frame id: the reply settles one (an error frame rejects
 * it with the gateway's code), a timeout rejects it with `E_TIMEOUT`, and the end of the
 * connection rejects every one left.
 */
export class PendingReplies {
  private readonly waiters = new Map<string, Waiter>();
  private closedWith: SbError | undefined;

  /** How many requests are waiting. */
  get size(): number {
    return this.waiters.size;
  }

  /**
   * Waits for the reply to frame `id` for up to `timeoutMs`, or until `signal` aborts (then it
   * rejects with the abort reason).
   */
  wait(id: string, what: string, timeoutMs: number, signal?: AbortSignal): Promise<ReplyFrame> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiters.delete(id);
        done();
        reject(abortReason(signal as AbortSignal));
      };
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        done();
        reject(
          new SbError('E_TIMEOUT', `the gateway did not answer ${what} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(id, {
        resolve: (frame) => {
          done();
          resolve(frame);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
    });
  }

  /** Settles the request a reply names; false when none waits for it. */
  settle(frame: ReplyFrame | ErrorFrame): boolean {
    if (frame.re === null) return false;
    const waiter = this.waiters.get(frame.re);
    if (waiter === undefined) return false;
    this.waiters.delete(frame.re);
    if (frame.type === 'error') waiter.reject(errorOfFrame(frame.error));
    else waiter.resolve(frame);
    return true;
  }

  /** Rejects a waiting request (it could not be sent). */
  cancel(id: string, error: SbError): void {
    this.waiters.get(id)?.reject(error);
    this.waiters.delete(id);
  }

  /** Rejects every waiting request, and every later one, with `error`. */
  close(error: SbError): void {
    this.closedWith = error;
    for (const waiter of this.waiters.values()) waiter.reject(error);
    this.waiters.clear();
  }
}
