import type { BucketLimit, Cache, TakeResult } from '@switchboard/cache';
import { SbError } from '@switchboard/protocol';

/** The refusal a caller gets: `E_RATE_LIMITED`, with when to try again. */
export function rateLimited(what: string, take: TakeResult): SbError {
  return new SbError(
    'E_RATE_LIMITED',
    `${what}: rate limit reached; retry in ${take.retryAfterMs} ms`,
    { details: { retryAfterMs: take.retryAfterMs, resetMs: take.resetMs } },
  );
}

/** The Redis key of a bucket (the cache adds the namespace). */
const bucketKey = (scope: 'ip' | 'credential', id: string) => `ratelimit:${scope}:${id}`;

/**
 * Token buckets in Redis shared by every gateway replica: one per client IP (checked before
 * authentication) and one per credential. Agent frames draw from the credential's bucket in
 * batches held locally, so a busy connection costs one Redis round trip per batch, not per frame.
 */
export function createRateLimiter(deps: {
  cache: Cache;
  limits: () => { perIp: BucketLimit; perCredential: BucketLimit; frameBatch: number };
}) {
  const credit = new Map<string, number>();
  return {
    /** Takes one token from the IP's bucket; throws `E_RATE_LIMITED` when empty. */
    async checkIp(ip: string): Promise<TakeResult> {
      const take = await deps.cache.takeTokens(bucketKey('ip', ip), deps.limits().perIp);
      if (!take.allowed) throw rateLimited(`client ${ip}`, take);
      return take;
    },

    /** Takes one token from the credential's bucket; throws `E_RATE_LIMITED` when empty. */
    async checkCredential(credentialId: string): Promise<TakeResult> {
      const take = await deps.cache.takeTokens(
        bucketKey('credential', credentialId),
        deps.limits().perCredential,
      );
      if (!take.allowed) throw rateLimited(`credential ${credentialId}`, take);
      return take;
    },

    /** Spends one frame of the credential's budget; refills the local batch from Redis. */
    async spendFrame(credentialId: string): Promise<void> {
      const left = credit.get(credentialId) ?? 0;
      if (left > 0) {
        if (left === 1) credit.delete(credentialId);
        else credit.set(credentialId, left - 1);
        return;
      }
      const { perCredential, frameBatch } = deps.limits();
      const key = bucketKey('credential', credentialId);
      const batch = Math.max(1, Math.min(frameBatch, perCredential.capacity));
      const take = await deps.cache.takeTokens(key, perCredential, batch);
      if (take.allowed) {
        if (batch > 1) credit.set(credentialId, batch - 1);
        return;
      }
      // Less than a batch left: take just this one.
      const single = await deps.cache.takeTokens(key, perCredential, 1);
      if (!single.allowed) throw rateLimited(`credential ${credentialId}`, single);
    },
  };
}

/** Rate limits shared across gateway replicas. */
export type RateLimiter = ReturnType<typeof createRateLimiter>;
