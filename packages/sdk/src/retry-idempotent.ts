import { isSbError, SbError } from '@switchboard/protocol';
import { sleep } from './abort.ts';
import { isRetryable, retryAfterMsOf } from './retry-policy.ts';

/** How long and how often {@link retryIdempotent} tries. */
export interface IdempotentRetry {
  /** The delay after failed try `attempt`. */
  backoffMs(attempt: number): number;
  /** Aborts when the client closes for good. */
  lifetime: AbortSignal;
  /** How long it keeps trying. */
  retryForMs: number;
}

/**
 * Sends `request` until it succeeds, fails with an error another try cannot help (see
 * `isRetryable`), `retryForMs` has passed or the client closes; between tries it waits the
 * backoff, or the `retryAfterMs` a throttled answer asked for when that is longer. Only for
 * requests the other side applies once however often they arrive: a submit with an idempotency
 * key, an A2A update with its update id.
 */
export async function retryIdempotent<T>(
  request: () => Promise<T>,
  retry: IdempotentRetry,
): Promise<T> {
  const deadline = Date.now() + retry.retryForMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      const failure = isSbError(error) ? error : new SbError('E_INTERNAL', String(error));
      if (!isRetryable(failure) || Date.now() >= deadline || retry.lifetime.aborted) throw failure;
      await sleep(Math.max(retry.backoffMs(attempt), retryAfterMsOf(failure)), retry.lifetime);
    }
  }
}
