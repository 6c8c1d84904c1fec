import { describe, expect, it } from 'vitest';
import { nextStep, retryDelayMs } from './attempt-end.ts';

const policy = { maxAttempts: 3, backoffBaseMs: 100, backoffMaxMs: 350 };

describe('retryDelayMs', () => {
  it('doubles per attempt up to the maximum, jittered down to half', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, policy, 0.999999))).toEqual([
      100, 200, 350, 350,
    ]);
    expect([1, 2, 3].map((attempt) => retryDelayMs(attempt, policy, 0))).toEqual([50, 100, 175]);
  });
});

describe('nextStep', () => {
  it('ends a success at once, whatever attempts are left', () => {
    expect(nextStep({ kind: 'succeeded' }, 1, policy, 0)).toEqual({
      retry: false,
      status: 'succeeded',
    });
  });

  it('retries failures, lost leases and timeouts while attempts are left', () => {
    for (const end of [
      { kind: 'failed', retryable: true },
      { kind: 'lease_expired' },
      { kind: 'timed_out' },
    ] as const) {
      expect(nextStep(end, 2, policy, 0)).toEqual({ retry: true, delayMs: 100 });
    }
  });

  it('ends the last attempt failed, or timed_out when it timed out', () => {
    expect(nextStep({ kind: 'failed', retryable: true }, 3, policy, 0)).toEqual({
      retry: false,
      status: 'failed',
    });
    expect(nextStep({ kind: 'lease_expired' }, 3, policy, 0)).toEqual({
      retry: false,
      status: 'failed',
    });
    expect(nextStep({ kind: 'timed_out' }, 3, policy, 0)).toEqual({
      retry: false,
      status: 'timed_out',
    });
  });

  it('never retries a failure the handler marked not retryable', () => {
    expect(nextStep({ kind: 'failed', retryable: false }, 1, policy, 0)).toEqual({
      retry: false,
      status: 'failed',
    });
  });
});
