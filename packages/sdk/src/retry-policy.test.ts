import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  defaultReconnectOptions,
  isRetryable,
  retryAfterMsOf,
} from './retry-policy.ts';

const noJitter = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0 };

describe('backoffDelayMs', () => {
  it('grows by the factor from the initial delay up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, noJitter))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('with full jitter, spreads delays between 0 and the bound', () => {
    const full = { ...noJitter, jitter: 1 };
    expect(backoffDelayMs(3, full, 0, () => 0)).toBe(400);
    expect(backoffDelayMs(3, full, 0, () => 0.5)).toBe(200);
    expect(backoffDelayMs(3, full, 0, () => 0.999_999)).toBe(0);
  });

  it('with partial jitter, keeps the rest of the bound', () => {
    expect(backoffDelayMs(1, { ...noJitter, jitter: 0.25 }, 0, () => 1)).toBe(75);
  });

  it('never waits less than the gateway asked for', () => {
    expect(backoffDelayMs(1, noJitter, 5000)).toBe(5000);
    expect(backoffDelayMs(1, noJitter, 10)).toBe(100);
  });

  it('defaults to 0.5 s doubling up to 30 s with full jitter', () => {
    expect(defaultReconnectOptions).toEqual({
      initialDelayMs: 500,
      maxDelayMs: 30_000,
      factor: 2,
      jitter: 1,
    });
  });
});

describe('isRetryable', () => {
  it('retries what time may fix, not refusals', () => {
    for (const code of ['E_UNAVAILABLE', 'E_TIMEOUT', 'E_RATE_LIMITED', 'E_INTERNAL'] as const) {
      expect(isRetryable(new SbError(code, 'x'))).toBe(true);
    }
    for (const code of [
      'E_UNAUTHORIZED',
      'E_FORBIDDEN',
      'E_VALIDATION',
      'E_NOT_FOUND',
      'E_CONFLICT',
      'E_PAYLOAD_TOO_LARGE',
      'E_UNSUPPORTED_VERSION',
      'E_UNKNOWN_FRAME',
    ] as const) {
      expect(isRetryable(new SbError(code, 'x'))).toBe(false);
    }
  });
});

describe('retryAfterMsOf', () => {
  it('reads a positive retryAfterMs from the details, else 0', () => {
    const throttled = new SbError('E_RATE_LIMITED', 'x', { details: { retryAfterMs: 250 } });
    expect(retryAfterMsOf(throttled)).toBe(250);
    expect(
      retryAfterMsOf(new SbError('E_RATE_LIMITED', 'x', { details: { retryAfterMs: -1 } })),
    ).toBe(0);
    expect(
      retryAfterMsOf(new SbError('E_RATE_LIMITED', 'x', { details: { retryAfterMs: '9' } })),
    ).toBe(0);
    expect(retryAfterMsOf(new SbError('E_UNAVAILABLE', 'x'))).toBe(0);
    expect(retryAfterMsOf(undefined)).toBe(0);
  });
});
