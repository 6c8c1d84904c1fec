import { SbError } from './errors.ts';

// A service whose Postgres restarts or whose Redis drops answers `E_UNAVAILABLE` (try again
// shortly), not `E_INTERNAL` (a bug): a client's retry policy depends on the difference. The
// drivers say so only through error codes and names, so they are recognised here by shape,
// without importing them.

/** Codes of a connection lost or not made: Node's sockets and postgres.js's own. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/**
 * Postgres SQLSTATEs of a server going away or not taking connections: the class 08 connection
 * exceptions, too_many_connections, and admin, crash and startup shutdowns.
 */
const UNAVAILABLE_SQLSTATES = new Set(['53300', '57P01', '57P02', '57P03']);

/** ioredis's errors carry no code: a command on a closed connection, or retried to its limit. */
const REDIS_UNAVAILABLE = (error: Error) =>
  error.name === 'MaxRetriesPerRequestError' || error.message === 'Connection is closed.';

/** How deep a `cause` chain is followed (a wrapped driver error). */
const MAX_CAUSE_DEPTH = 4;

/**
 * The code that shows `error` (or an error it wraps) to be a dependency that is unreachable for
 * now: a lost or refused connection, a Postgres shutting down or full. Undefined for anything else.
 */
export function unavailableCodeOf(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (CONNECTION_CODES.has(code)) return code;
      if (UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))
        return `SQLSTATE ${code}`;
    }
    if (REDIS_UNAVAILABLE(current)) return current.name === 'Error' ? 'redis closed' : current.name;
    current = current.cause;
  }
  return undefined;
}

/** `E_UNAVAILABLE` for an error {@link unavailableCodeOf} recognises; undefined otherwise. */
export function unavailableErrorOf(error: unknown): SbError | undefined {
  const code = unavailableCodeOf(error);
  if (code === undefined) return undefined;
  return new SbError(
    'E_UNAVAILABLE',
    `a store this service depends on is unreachable for now (${code}); retry shortly`,
  );
}
