import type { BucketLimit, TakeResult } from '@switchboard/cache';
import { SbError } from '@switchboard/protocol';

/** A caller's bucket after a take: what `RateLimit-*` headers tell it. */
export interface RateLimitState {
  /** The bucket's capacity. */
  limit: number;
  remaining: number;
  /** How long until the bucket is full again. */
  resetMs: number;
}

/**
 * The refusal of an empty bucket: `E_RATE_LIMITED` with `retryAfterMs`, `resetMs` and `limit`
 * in its details, which {@link rateLimitHeaders} turns into headers.
 */
export function rateLimited(what: string, take: TakeResult, limit: BucketLimit): SbError {
  return new SbError('E_RATE_LIMITED', `${what} reached; retry in ${take.retryAfterMs} ms`, {
    details: { retryAfterMs: take.retryAfterMs, resetMs: take.resetMs, limit: limit.capacity },
  });
}

/**
 * The `RateLimit-Limit`, `-Remaining` and `-Reset` headers (whole seconds, rounded up) of a
 * bucket, plus `Retry-After` when `error` is an `E_RATE_LIMITED` refusal from {@link rateLimited}.
 */
export function rateLimitHeaders(
  source: RateLimitState | SbError | undefined,
): Record<string, string> {
  if (source === undefined) return {};
  if (source instanceof SbError) {
    const { retryAfterMs, resetMs, limit } = source.details ?? {};
    if (source.code !== 'E_RATE_LIMITED' || typeof retryAfterMs !== 'number') return {};
    const headers: Record<string, string> = {
      'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
      'ratelimit-remaining': '0',
    };
    if (typeof limit === 'number') headers['ratelimit-limit'] = String(limit);
    if (typeof resetMs === 'number') headers['ratelimit-reset'] = String(Math.ceil(resetMs / 1000));
    return headers;
  }
  return {
    'ratelimit-limit': String(source.limit),
    'ratelimit-remaining': String(Math.max(0, Math.floor(source.remaining))),
    'ratelimit-reset': String(Math.ceil(source.resetMs / 1000)),
  };
}
