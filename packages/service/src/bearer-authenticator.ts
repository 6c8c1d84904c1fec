import { encodePrincipal, resolvePrincipal } from '@switchboard/authz';
import type { BucketLimit, Cache } from '@switchboard/cache';
import { SbError } from '@switchboard/protocol';
import type { Caller } from './caller.ts';
import type { TokenResolver } from './token-resolver.ts';

/** The bearer token of an `Authorization` header, or undefined. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Who calls an endpoint a service serves to the outside itself (`/mcp`, A2A): the bearer token
 * (an API key or a JWT) resolved through the gateway, then one token from the credential's
 * bucket for `path` in Redis (shared by every replica).
 * @throws SbError `E_UNAUTHORIZED` (no or bad token), `E_RATE_LIMITED` (with `retryAfterMs` and
 * `resetMs` in details), `E_UNAVAILABLE` (the gateway did not answer).
 */
export function createBearerAuthenticator(deps: {
  tokens: TokenResolver;
  cache: Cache;
  /** Names the endpoint in the bucket key and in messages (`mcp`, `a2a`). */
  path: string;
  limit: () => BucketLimit;
}) {
  return async (authorization: string | undefined): Promise<Caller> => {
    const token = bearerTokenOf(authorization);
    if (token === undefined) {
      throw new SbError(
        'E_UNAUTHORIZED',
        'send an API key or a JWT as `Authorization: Bearer <token>`',
      );
    }
    const { principal } = resolvePrincipal(await deps.tokens.resolve(token));
    const bucket = `ratelimit:${deps.path}:credential:${principal.credential.id}`;
    const take = await deps.cache.takeTokens(bucket, deps.limit());
    if (!take.allowed) {
      throw new SbError(
        'E_RATE_LIMITED',
        `credential ${principal.credential.id}: ${deps.path.toUpperCase()} rate limit reached; retry in ${take.retryAfterMs} ms`,
        { details: { retryAfterMs: take.retryAfterMs, resetMs: take.resetMs } },
      );
    }
    return { principal, header: encodePrincipal(principal), agentId: null };
  };
}

/** Resolves and rate-limits a bearer caller (see {@link createBearerAuthenticator}). */
export type BearerAuthenticator = ReturnType<typeof createBearerAuthenticator>;
