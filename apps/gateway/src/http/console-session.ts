import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '@switchboard/authz';
import type { Cache } from '@switchboard/cache';
import { SbError } from '@switchboard/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CredentialSource } from './operator-auth.ts';
import type { SessionSettings } from './settings.ts';

/** The cookie that carries a console session: httpOnly, `SameSite=Strict`, never readable by scripts. */
export const SESSION_COOKIE = 'sb_session';

/** The header every change made with a session must carry (the session's CSRF token). */
export const CSRF_HEADER = 'x-csrf-token';

const SessionRecordSchema = z.strictObject({
  keyId: z.string().min(1),
  csrfToken: z.string().min(1),
  expiresAt: z.iso.datetime(),
});

/** A console session as the gateway keeps it in Redis (under the hash of its id). */
export type SessionRecord = z.infer<typeof SessionRecordSchema>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const token = () => randomBytes(32).toString('base64url');

// The cookie value is a bearer secret: Redis holds only its hash, like API keys in Postgres.
const keyOf = (sessionId: string) =>
  `gw:session:${createHash('sha256').update(sessionId).digest('hex')}`;

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Console sessions in Redis, shared by every gateway replica: issued for an operator API key at
 * sign-in, each with its own CSRF token, ended by sign-out or by their TTL.
 */
export function createSessionStore(deps: { cache: Cache; settings: () => SessionSettings }) {
  return {
    /** Issues a session for `keyId`: the cookie value and the record (with its CSRF token). */
    async create(keyId: string): Promise<{ sessionId: string; record: SessionRecord }> {
      const ttlMs = deps.settings().ttlMs;
      const sessionId = token();
      const record = {
        keyId,
        csrfToken: token(),
        expiresAt: new Date(Date.now() + ttlMs).toISOString(),
      };
      await deps.cache.setJson(keyOf(sessionId), record, ttlMs);
      return { sessionId, record };
    },

    /** The live session of a cookie value, or undefined (unknown, expired or signed out). */
    async get(sessionId: string): Promise<SessionRecord | undefined> {
      const parsed = SessionRecordSchema.safeParse(await deps.cache.getJson(keyOf(sessionId)));
      return parsed.success ? parsed.data : undefined;
    },

    async delete(sessionId: string): Promise<void> {
      await deps.cache.delete(keyOf(sessionId));
    },
  };
}

/** Console sessions (see {@link createSessionStore}). */
export type SessionStore = ReturnType<typeof createSessionStore>;

/** The session cookie's value on a request, if any. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  const value = request.cookies[SESSION_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Refuses a request that changes anything (any method but GET, HEAD, OPTIONS) without the
 * session's CSRF token in `X-CSRF-Token`.
 */
export function assertCsrf(request: FastifyRequest, session: SessionRecord): void {
  if (SAFE_METHODS.has(request.method)) return;
  const given = request.headers[CSRF_HEADER];
  if (typeof given !== 'string' || !sameToken(given, session.csrfToken)) {
    throw new SbError(
      'E_FORBIDDEN',
      `a change made with a console session needs its CSRF token in the ${CSRF_HEADER} header`,
    );
  }
}

/**
 * The console's credential source: the session cookie. A request that changes anything must
 * also carry the session's CSRF token in `X-CSRF-Token`: SameSite=Strict keeps other sites'
 * requests from sending the cookie, and the token covers browsers or proxies that do not honour
 * it. The principal is read again from the key on every request (see `resolveSession`).
 */
export function sessionCredentials(deps: {
  sessions: () => SessionStore;
  resolveSession: (keyId: string) => Promise<Principal>;
}): CredentialSource {
  return async (request) => {
    const sessionId = sessionIdOf(request);
    if (sessionId === undefined) return undefined;
    const session = await deps.sessions().get(sessionId);
    if (session === undefined) {
      throw new SbError('E_UNAUTHORIZED', 'the console session ended; sign in again');
    }
    assertCsrf(request, session);
    return deps.resolveSession(session.keyId);
  };
}
