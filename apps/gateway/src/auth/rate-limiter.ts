import type { Principal } from '@switchboard/authz';
import type { BucketLimit, Cache, TakeResult } from '@switchboard/cache';
import {
  limitForRoles,
  type RateLimitState,
  rateLimited,
  type SecurityEvents,
} from '@switchboard/service';

/** The gateway's limits (`gateway.rateLimits`). */
export interface GatewayLimits {
  perIp: BucketLimit;
  perCredential: BucketLimit;
  /** Buckets per credential by role: the most generous of a principal's roles wins. */
  perCredentialByRole: Record<string, BucketLimit>;
  frameBatch: number;
}

/** Where a request came from and what it asked for, named in the `rate_limited` event. */
export interface LimitedRequest {
  ip?: string | undefined;
  path: string;
}

/** The Redis key of a bucket (the cache adds the namespace). */
const bucketKey = (scope: 'ip' | 'credential', id: string) => `ratelimit:${scope}:${id}`;

const stateOf = (take: TakeResult, limit: BucketLimit): RateLimitState => ({
  limit: limit.capacity,
  remaining: take.remaining,
  resetMs: take.resetMs,
});

/**
 * Token buckets in Redis shared by every gateway replica: one per client IP (checked before
 * authentication) and one per credential, sized by the credential's roles. Agent frames draw
 * from the credential's bucket in batches held locally, so a busy connection costs one Redis
 * round trip per batch, not per frame. Every refusal is reported as a `rate_limited` event.
 */
export function createRateLimiter(deps: {
  cache: Cache;
  limits: () => GatewayLimits;
  security: SecurityEvents;
}) {
  const credit = new Map<string, number>();
  const refills = new Map<string, Promise<boolean>>();
  const credentialLimit = (principal: Principal) => {
    const limits = deps.limits();
    return limitForRoles(principal.roles, limits.perCredentialByRole, limits.perCredential);
  };
  const refuse = (
    what: string,
    take: TakeResult,
    limit: BucketLimit,
    request: LimitedRequest,
    principal?: Principal,
  ) => {
    const error = rateLimited(`${what}: rate limit`, take, limit);
    deps.security.report({
      kind: 'rate_limited',
      ...(principal === undefined
        ? {}
        : { principal: principal.id, credentialId: principal.credential.id }),
      ...(request.ip === undefined ? {} : { ip: request.ip }),
      path: request.path,
      code: error.code,
      detail: error.message,
    });
    return error;
  };

  /** Spends one frame of the local batch of credential `id`; false when it is spent. */
  function spendCredit(id: string): boolean {
    const left = credit.get(id) ?? 0;
    if (left === 0) return false;
    if (left === 1) credit.delete(id);
    else credit.set(id, left - 1);
    return true;
  }

  /** Takes a batch of frames from the credential's bucket into `credit`; false when short. */
  async function refillFrames(principal: Principal): Promise<boolean> {
    const id = principal.credential.id;
    const limit = credentialLimit(principal);
    const batch = Math.max(1, Math.min(deps.limits().frameBatch, limit.capacity));
    const take = await deps.cache.takeTokens(bucketKey('credential', id), limit, batch);
    if (take.allowed) credit.set(id, (credit.get(id) ?? 0) + batch);
    return take.allowed;
  }

  return {
    /** Takes one token from the IP's bucket; throws `E_RATE_LIMITED` when empty. */
    async checkIp(ip: string, path: string): Promise<RateLimitState> {
      const limit = deps.limits().perIp;
      const take = await deps.cache.takeTokens(bucketKey('ip', ip), limit);
      if (!take.allowed) throw refuse(`client ${ip}`, take, limit, { ip, path });
      return stateOf(take, limit);
    },

    /** Takes one token from the credential's bucket; throws `E_RATE_LIMITED` when empty. */
    async checkCredential(principal: Principal, request: LimitedRequest): Promise<RateLimitState> {
      const limit = credentialLimit(principal);
      const id = principal.credential.id;
      const take = await deps.cache.takeTokens(bucketKey('credential', id), limit);
      if (!take.allowed) throw refuse(`credential ${id}`, take, limit, request, principal);
      return stateOf(take, limit);
    },

    /** Spends one frame of the credential's budget; refills the local batch from Redis. */
    async spendFrame(principal: Principal): Promise<void> {
      const id = principal.credential.id;
      while (!spendCredit(id)) {
        // One refill per credential at a time: the frames that find the batch spent while it
        // is on its way wait for it, instead of each taking a batch of its own.
        const pending = refills.get(id);
        if (pending !== undefined) {
          await pending;
          continue;
        }
        const refill = refillFrames(principal).finally(() => refills.delete(id));
        refills.set(id, refill);
        if (await refill) continue;
        // Less than a batch left: take just this one.
        const limit = credentialLimit(principal);
        const single = await deps.cache.takeTokens(bucketKey('credential', id), limit, 1);
        if (!single.allowed) {
          throw refuse(
            `credential ${id}`,
            single,
            limit,
            { path: '/v1/connect (frames)' },
            principal,
          );
        }
        return;
      }
    },
  };
}

/** Rate limits shared across gateway replicas. */
export type RateLimiter = ReturnType<typeof createRateLimiter>;
