import type { FinalTaskStatus } from '@switchboard/protocol';

/** How one attempt of a task ended. */
export type AttemptEnd =
  | { kind: 'succeeded' }
  /** The handler failed; `retryable: false` asks for no retry. */
  | { kind: 'failed'; retryable: boolean }
  /** The executor stopped renewing its lease (agent or worker gone). */
  | { kind: 'lease_expired' }
  /** The attempt ran past its timeout. */
  | { kind: 'timed_out' };

/** What comes after an attempt: another one after `delayMs`, or a final status. */
export type NextStep = { retry: true; delayMs: number } | { retry: false; status: FinalTaskStatus };

/** The retry policy a task was submitted with. */
export interface RetrySettings {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/**
 * The delay before attempt `attempt + 1`: `backoffBaseMs` doubled per attempt made, at most
 * `backoffMaxMs`, with jitter down to half (so retries of many tasks spread out, and each delay is
 * still at least the previous one's lower bound). `random` is in [0, 1).
 */
export function retryDelayMs(attempt: number, policy: RetrySettings, random: number): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/**
 * Decides what follows attempt `attempt` (1-based): a success is final; a failure, lost lease or
 * timeout is retried while attempts are left (a failure the handler marked not retryable never
 * is); the last one ends `failed`, or `timed_out` when it timed out.
 */
export function nextStep(
  end: AttemptEnd,
  attempt: number,
  policy: RetrySettings,
  random: number,
): NextStep {
  if (end.kind === 'succeeded') return { retry: false, status: 'succeeded' };
  const attemptsLeft = attempt < policy.maxAttempts;
  const retryable = end.kind !== 'failed' || end.retryable;
  if (attemptsLeft && retryable) {
    return { retry: true, delayMs: retryDelayMs(attempt, policy, random) };
  }
  return { retry: false, status: end.kind === 'timed_out' ? 'timed_out' : 'failed' };
}
