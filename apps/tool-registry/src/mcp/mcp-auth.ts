import { encodePrincipal, resolvePrincipal } from '@switchboard/authz';
import type { BucketLimit, Cache } from '@switchboard/cache';
import { SbError } from '@switchboard/protocol';
import type { Caller, TokenResolver } from '@switchboard/service';

/** The Redis key of a credential's MCP bucket (the cache adds the namespace). */
const bucketKey = (credentialId: string) => `ratelimit:mcp:credential:${credentialId}`;

/** The bearer token of an `Authorization` header, or undefined. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Who calls `/mcp`: the bearer token (an API key or a JWT) resolved through the gateway, then
 * one token from the credential's bucket in Redis (shared by every registry replica).
 * @throws SbError `E_UNAUTHORIZED` (no or bad token), `E_RATE_LIMITED` (with `retryAfterMs`),
 * `E_UNAVAILABLE` (the gateway did not answer).
 */
export function createMcpAuthenticator(deps: {
  tokens: TokenResolver;
  cache: Cache;
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
    const take = await deps.cache.takeTokens(bucketKey(principal.credential.id), deps.limit());
    if (!take.allowed) {
      throw new SbError(
        'E_RATE_LIMITED',
        `credential ${principal.credential.id}: MCP rate limit reached; retry in ${take.retryAfterMs} ms`,
        { details: { retryAfterMs: take.retryAfterMs, resetMs: take.resetMs } },
      );
    }
    return { principal, header: encodePrincipal(principal), agentId: null };
  };
}

/** Resolves and rate-limits an MCP caller (see {@link createMcpAuthenticator}). */
export type McpAuthenticator = ReturnType<typeof createMcpAuthenticator>;
