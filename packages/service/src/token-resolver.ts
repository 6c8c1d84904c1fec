import { createHash } from 'node:crypto';
import { AuthChangedEventSchema, AuthResolveRpc, type Principal } from '@switchboard/authz';
import type { Bus, BusSubscription } from '@switchboard/bus';

interface Entry {
  principal: Principal;
  expiresAt: number;
}

/**
 * Resolves bearer tokens that reach a service directly (tool-registry `/mcp`, a2a-peer) through
 * the gateway's `auth.resolve`, caching each principal for `ttlMs` (never the token itself: the
 * key is its SHA-256) and dropping the entries of a key as soon as `auth.changed` says it was
 * revoked (and those naming a role whose grants changed), so a revocation or a role change takes
 * effect everywhere at once rather than after the TTL.
 */
export function createTokenResolver(deps: { bus: Bus; ttlMs: () => number; maxEntries?: number }) {
  const cache = new Map<string, Entry>();
  const maxEntries = deps.maxEntries ?? 10_000;
  let changes: BusSubscription | undefined;
  const subject = deps.bus.subjects.rpc('gateway', AuthResolveRpc.operation);
  const keyOf = (token: string) => createHash('sha256').update(token).digest('hex');

  return {
    /** Starts following `auth.changed`; call before serving outside traffic. */
    async start(): Promise<void> {
      changes = await deps.bus.consumeEvents({
        filterSubject: deps.bus.subjects.event('auth', 'changed'),
        schema: AuthChangedEventSchema,
        handler: async ({ payload }) => {
          // Roles are expanded by the gateway: a principal naming a changed role is stale.
          const isStale =
            payload.change === 'role_changed'
              ? (principal: Principal) => principal.roles.includes(payload.role)
              : (principal: Principal) =>
                  payload.change === 'revoked' && principal.credential.id === payload.keyId;
          for (const [key, entry] of cache) {
            if (isStale(entry.principal)) cache.delete(key);
          }
        },
      });
    },

    /** The principal of a token; `E_UNAUTHORIZED` (from the gateway) when it is not valid. */
    async resolve(token: string): Promise<Principal> {
      const key = keyOf(token);
      const hit = cache.get(key);
      if (hit !== undefined && hit.expiresAt > Date.now()) return hit.principal;
      const principal = await deps.bus.request(subject, AuthResolveRpc, { token });
      // Oldest first out: a Map iterates in insertion order.
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(key, { principal, expiresAt: Date.now() + deps.ttlMs() });
      return principal;
    },

    async stop(): Promise<void> {
      await changes?.stop();
      cache.clear();
    },
  };
}

/** A cached client of the gateway's `auth.resolve`. */
export type TokenResolver = ReturnType<typeof createTokenResolver>;
