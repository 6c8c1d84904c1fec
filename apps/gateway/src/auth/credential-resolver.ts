import {
  apiKeyIdOf,
  builtInRoles,
  type Principal,
  principalId,
  type RoleDefinition,
  RoleNameSchema,
  resolvePrincipal,
  tokenMatches,
} from '@switchboard/authz';
import { SbError } from '@switchboard/protocol';
import type { ApiKeyStore } from '../db/api-key-store.ts';
import type { JwtVerifier } from './jwt-verifier.ts';

/** JWT verification as configured. */
export interface JwtAuth {
  verify: JwtVerifier;
  agentIdsClaim: string;
  rolesClaim: string;
}

/** Where the resolver finds what a token means. Getters: the settings behind them are live. */
export interface CredentialResolverDeps {
  keys: ApiKeyStore;
  /** The custom roles, read on every resolution so a changed role applies to the next request. */
  customRoles: () => Promise<readonly RoleDefinition[]>;
  /** SHA-256 of the bootstrap admin key, when configured. */
  bootstrapKeySha256: () => string | undefined;
  /** When JWTs are configured: their verifier and the claims naming agent ids and roles. */
  jwt: () => JwtAuth | undefined;
  now?: () => Date;
}

// `details.keyId` is the public id the token names (never the token): security events use it.
const unknownKey = (keyId: string) =>
  new SbError(
    'E_UNAUTHORIZED',
    'unknown API key: check the token, or create a key with `switchboard keys create`',
    { details: { keyId, reason: 'unknown' } },
  );

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
    ? value
    : undefined;
}

/**
 * Turns a bearer token into the principal it stands for, its roles expanded into grants: the
 * bootstrap admin key, an API key (its hash compared in constant time; revoked or expired keys
 * refused), or a JWT. Every refusal is `E_UNAUTHORIZED` with a reason that never echoes the token.
 */
export function createCredentialResolver(deps: CredentialResolverDeps) {
  const now = deps.now ?? (() => new Date());
  // Built-ins first: a custom role cannot redefine them (resolvePrincipal takes the first).
  const expand = async (principal: Principal) =>
    resolvePrincipal(principal, [...builtInRoles, ...(await deps.customRoles())]).principal;

  const bootstrapPrincipal = (type: 'bootstrap' | 'session'): Principal => ({
    id: principalId('key', 'bootstrap'),
    credential: { type, id: 'bootstrap' },
    agentIds: [],
    roles: ['admin'],
    grants: [],
  });

  // A key that exists, passes `matches` and is neither revoked nor expired.
  const activeKey = async (keyId: string, matches: (sha256: string) => boolean) => {
    const key = await deps.keys.findForVerification(keyId);
    if (key === undefined || !matches(key.sha256)) throw unknownKey(keyId);
    if (key.revokedAt !== null) {
      throw new SbError(
        'E_UNAUTHORIZED',
        `API key ${keyId} was revoked; ask an operator for a new one`,
        { details: { keyId, reason: 'revoked' } },
      );
    }
    if (key.expiresAt !== null && key.expiresAt <= now()) {
      throw new SbError(
        'E_UNAUTHORIZED',
        `API key ${keyId} expired at ${key.expiresAt.toISOString()}`,
        { details: { keyId, reason: 'expired' } },
      );
    }
    return key;
  };

  const keyPrincipal = (
    key: Awaited<ReturnType<typeof activeKey>>,
    type: 'api_key' | 'session',
  ): Principal => ({
    id: principalId('key', key.id),
    credential: { type, id: key.id },
    agentIds: key.agentIds,
    roles: key.roles,
    grants: key.grants,
  });

  const fromApiKey = async (token: string, keyId: string): Promise<Principal> => {
    const bootstrap = deps.bootstrapKeySha256();
    if (bootstrap !== undefined && tokenMatches(token, bootstrap)) {
      return bootstrapPrincipal('bootstrap');
    }
    return keyPrincipal(await activeKey(keyId, (sha256) => tokenMatches(token, sha256)), 'api_key');
  };

  const fromJwt = async (token: string): Promise<Principal> => {
    const jwt = deps.jwt();
    if (jwt === undefined) {
      throw new SbError(
        'E_UNAUTHORIZED',
        'the token is neither an API key nor a JWT this gateway accepts (JWTs are not configured)',
      );
    }
    const claims = await jwt.verify(token);
    const subject = claims.sub as string;
    const roles = (stringList(claims[jwt.rolesClaim]) ?? []).filter(
      (role) => RoleNameSchema.safeParse(role).success,
    );
    return {
      id: principalId('jwt', subject),
      credential: { type: 'jwt', id: subject },
      agentIds: stringList(claims[jwt.agentIdsClaim]) ?? [subject],
      roles,
      grants: [],
    };
  };

  return {
    /** The principal a bearer token stands for. */
    async resolve(token: string): Promise<Principal> {
      const keyId = apiKeyIdOf(token);
      const principal = keyId === undefined ? await fromJwt(token) : await fromApiKey(token, keyId);
      return expand(principal);
    },

    /**
     * The principal of a console session issued for operator key `keyId` (the token was checked
     * at sign-in). Read again on every request, so a revoked or expired key ends its sessions.
     */
    async resolveSession(keyId: string): Promise<Principal> {
      let principal: Principal;
      if (keyId === 'bootstrap') {
        if (deps.bootstrapKeySha256() === undefined) {
          throw new SbError('E_UNAUTHORIZED', 'the bootstrap key was retired; sign in again');
        }
        principal = bootstrapPrincipal('session');
      } else {
        principal = keyPrincipal(await activeKey(keyId, () => true), 'session');
      }
      return expand(principal);
    },
  };
}

/** Resolves bearer tokens to principals. */
export type CredentialResolver = ReturnType<typeof createCredentialResolver>;
