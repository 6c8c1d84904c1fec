import type { ErrorCode, SbError } from '@switchboard/protocol';

/** How the client waits between connection attempts: exponential backoff with jitter. */
export interface ReconnectOptions {
  /** The first delay's upper bound, in ms. */
  initialDelayMs: number;
  /** No delay is longer than this, in ms. */
  maxDelayMs: number;
  /** Each attempt multiplies the bound by this (>= 1). */
  factor: number;
  /**
   * How much of the bound is random, from 0 (always the bound) to 1 ("full jitter": uniform
   * between 0 and the bound, so that many agents cut off at once do not return at once).
   */
  jitter: number;
}

/** The defaults: 0.5 s, doubling, up to 30 s, full jitter. */
export const defaultReconnectOptions: ReconnectOptions = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 1,
};

/**
 * The delay before attempt `attempt` (1 is the first retry): the bound
 * `min(maxDelayMs, initialDelayMs * factor^(attempt-1))` less a random share of `jitter`, and
 * never less than the gateway's `retryAfterMs` when it asked for one.
 */
export function backoffDelayMs(
  attempt: number,
  options: ReconnectOptions,
  retryAfterMs = 0,
  random: () => number = Math.random,
): number {
  const bound = Math.min(
    options.maxDelayMs,
    options.initialDelayMs * options.factor ** Math.max(0, attempt - 1),
  );
  const delay = Math.round(bound * (1 - options.jitter * random()));
  return Math.max(delay, retryAfterMs);
}

// Trying again cannot help with these: the credential, the registration or the protocol is wrong.
const finalCodes: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'E_UNAUTHORIZED',
  'E_FORBIDDEN',
  'E_VALIDATION',
  'E_NOT_FOUND',
  'E_CONFLICT',
  'E_PAYLOAD_TOO_LARGE',
  'E_UNSUPPORTED_VERSION',
  'E_UNKNOWN_FRAME',
]);

/** True when another attempt may succeed (the gateway is unreachable, busy or slow). */
export function isRetryable(error: SbError): boolean {
  return !finalCodes.has(error.code);
}

/** The `retryAfterMs` an error carries (a throttled handshake or request), or 0. */
export function retryAfterMsOf(error: SbError | undefined): number {
  const value = error?.details?.retryAfterMs;
  return typeof value === 'number' && value > 0 ? value : 0;
}
