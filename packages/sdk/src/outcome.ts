import { type ErrorBody, isSbError, toErrorBody } from '@switchboard/protocol';

// The most a nack may ask the router to wait (NackSchema's bound: a day).
const MAX_RETRY_AFTER_MS = 86_400_000;

/** How a delivery is answered: `ack`, or `nack` with the error and when to retry. */
export type DeliveryOutcome = { kind: 'ack' } | NackOutcome;

/** A nack: the handler's error and, when it asked for one, the delay before the next attempt. */
export interface NackOutcome {
  kind: 'nack';
  error: ErrorBody;
  retryAfterMs?: number;
}

/**
 * The nack for a handler that threw `error`: an `SbError` keeps its code, message and details
 * (and its `details.retryAfterMs` becomes the nack's), anything else is `E_INTERNAL` without
 * its text (it may hold what must not leave the agent; the SDK logs it in full).
 */
export function outcomeOfError(error: unknown): NackOutcome {
  if (!isSbError(error)) {
    return {
      kind: 'nack',
      error: { code: 'E_INTERNAL', message: 'the message handler failed; the agent logged why' },
    };
  }
  const retryAfterMs = error.details?.retryAfterMs;
  if (typeof retryAfterMs !== 'number' || !Number.isFinite(retryAfterMs) || retryAfterMs < 0) {
    return { kind: 'nack', error: toErrorBody(error) };
  }
  return {
    kind: 'nack',
    error: toErrorBody(error),
    retryAfterMs: Math.min(Math.round(retryAfterMs), MAX_RETRY_AFTER_MS),
  };
}
