import { encodePrincipal, type Principal, resolvePrincipal } from '@switchboard/authz';
import type { BucketLimit, Cache } from '@switchboard/cache';
import { isSbError, SbError } from '@switchboard/protocol';
import type { Caller } from './caller.ts';
import { type RateLimitState, rateLimited } from './rate-limit-headers.ts';
import type { SecurityEvents } from './security-events.ts';
import type { TokenResolver } from './token-resolver.ts';

/** The bearer token of an `Authorization` header, or undefined. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** A caller let through, with what is left of its bucket (for `RateLimit-*` headers). */
export interface BearerCaller extends Caller {
  rateLimit: RateLimitState;
}

/** The request a bearer token came with. */
export interface BearerRequest {
  /** The client's address, named in security events. */
  ip?: string | undefined;
}

/**
 * Who calls an endpoint a service serves to the outside itself (`/mcp`, A2A): the bearer token
 * (an API key or a JWT) resolved through the gateway, then one token from the credential's
 * bucket for `path` in Redis (shared by every replica), sized by the caller's roles (`limit`);
 * with `ipLimit`, first one from the client address's bucket.
 * Every refusal is reported as a security event (`auth_failed`, `revoked_key_used`,
 * `rate_limited`) naming the credential when known and the client's address.
 * @throws SbError `E_UNAUTHORIZED` (no or bad token), `E_RATE_LIMITED` (with `retryAfterMs`,
 * `resetMs` and `limit` in details), `E_UNAVAILABLE` (the gateway did not answer).
 */
export function createBearerAuthenticator(deps: {
  tokens: TokenResolver;
  cache: Cache;
  /** Names the endpoint in the bucket key, in messages and in events (`mcp`, `a2a`). */
  path: string;
  /** The bucket of a principal (see `limitForRoles`). */
  limit: (principal: Principal) => BucketLimit;
  /**
   * The bucket of a client address, taken before the token is resolved, so a flood of bad
   * tokens from one address is turned away without asking the gateway each time.
   */
  ipLimit?: () => BucketLimit;
  security?: SecurityEvents;
}) {
  const path = `/${deps.path}`;
  const refused = (error: SbError, request: BearerRequest): SbError => {
    const keyId = error.details?.keyId;
    deps.security?.report({
      kind: error.details?.reason === 'revoked' ? 'revoked_key_used' : 'auth_failed',
      ...(typeof keyId === 'string' ? { credentialId: keyId } : {}),
      ...(request.ip === undefined ? {} : { ip: request.ip }),
      path,
      code: error.code,
      detail: error.message,
    });
    return error;
  };

  return async (
    authorization: string | undefined,
    request: BearerRequest = {},
  ): Promise<BearerCaller> => {
    if (deps.ipLimit !== undefined && request.ip !== undefined) {
      const limit = deps.ipLimit();
      const take = await deps.cache.takeTokens(`ratelimit:${deps.path}:ip:${request.ip}`, limit);
      if (!take.allowed) {
        const error = rateLimited(
          `address ${request.ip}: ${deps.path.toUpperCase()} rate limit`,
          take,
          limit,
        );
        deps.security?.report({
          kind: 'rate_limited',
          ip: request.ip,
          path,
          code: error.code,
          detail: error.message,
        });
        throw error;
      }
    }
    const token = bearerTokenOf(authorization);
    if (token === undefined) {
      throw refused(
        new SbError(
          'E_UNAUTHORIZED',
          'send an API key or a JWT as `Authorization: Bearer <token>`',
        ),
        request,
      );
    }
    let resolved: Principal;
    try {
      resolved = await deps.tokens.resolve(token);
    } catch (error) {
      if (isSbError(error) && error.code === 'E_UNAUTHORIZED') throw refused(error, request);
      throw error;
    }
    const { principal } = resolvePrincipal(resolved);
    const limit = deps.limit(principal);
    const bucket = `ratelimit:${deps.path}:credential:${principal.credential.id}`;
    const take = await deps.cache.takeTokens(bucket, limit);
    if (!take.allowed) {
      const error = rateLimited(
        `credential ${principal.credential.id}: ${deps.path.toUpperCase()} rate limit`,
        take,
        limit,
      );
      deps.security?.report({
        kind: 'rate_limited',
        principal: principal.id,
        credentialId: principal.credential.id,
        ...(request.ip === undefined ? {} : { ip: request.ip }),
        path,
        code: error.code,
        detail: error.message,
      });
      throw error;
    }
    return {
      principal,
      header: encodePrincipal(principal),
      agentId: null,
      rateLimit: { limit: limit.capacity, remaining: take.remaining, resetMs: take.resetMs },
    };
  };
}

/** Resolves and rate-limits a bearer caller (see {@link createBearerAuthenticator}). */
export type BearerAuthenticator = ReturnType<typeof createBearerAuthenticator>;
