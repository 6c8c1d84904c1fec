import { abortReason } from './abort.ts';

/** Callers waiting for the next value of something (e.g. the next connection). */
export class Waiters<T> {
  private readonly pending = new Set<(value: T) => void>();

  /** How many wait. */
  get size(): number {
    return this.pending.size;
  }

  /** Waits for the next {@link resolveAll}, or rejects with the reason once `signal` aborts. */
  wait(signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(waiter);
        reject(abortReason(signal));
      };
      const waiter = (value: T) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      };
      this.pending.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands `value` to everyone waiting, in the order they began to wait. */
  resolveAll(value: T): void {
    const waiting = [...this.pending];
    this.pending.clear();
    for (const waiter of waiting) waiter(value);
  }
}
