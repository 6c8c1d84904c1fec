import { SbError } from '@switchboard/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retryIdempotent } from './retry-idempotent.ts';

const policy = (retryForMs = 10_000, lifetime = new AbortController().signal) => ({
  backoffMs: () => 10,
  lifetime,
  retryForMs,
});

describe('retryIdempotent', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('tries again after the backoff, or after the retryAfterMs a throttled answer asks for', async () => {
    const tries: number[] = [];
    const answers = [
      new SbError('E_UNAVAILABLE', 'no router'),
      new SbError('E_RATE_LIMITED', 'slow down', { details: { retryAfterMs: 500 } }),
    ];
    const done = retryIdempotent(async () => {
      tries.push(Date.now());
      const answer = answers.shift();
      if (answer !== undefined) throw answer;
      return 'stored';
    }, policy());
    await vi.advanceTimersByTimeAsync(10);
    expect(tries).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(499);
    expect(tries).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await expect(done).resolves.toBe('stored');
    expect(tries).toHaveLength(3);
  });

  it('gives up on an error no try helps, once its time is up, and when the client closes', async () => {
    const forbidden = new SbError('E_FORBIDDEN', 'no');
    await expect(retryIdempotent(() => Promise.reject(forbidden), policy())).rejects.toBe(
      forbidden,
    );

    const late = retryIdempotent(() => Promise.reject(new Error('socket hang up')), policy(25));
    const settled = expect(late).rejects.toMatchObject({
      code: 'E_INTERNAL',
      message: 'Error: socket hang up',
    });
    await vi.advanceTimersByTimeAsync(40);
    await settled;

    const closing = new AbortController();
    const closed = retryIdempotent(
      () => Promise.reject(new SbError('E_TIMEOUT', 'slow')),
      policy(10_000, closing.signal),
    );
    const rejected = expect(closed).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    await vi.advanceTimersByTimeAsync(5);
    closing.abort(new SbError('E_UNAVAILABLE', 'the client is closed'));
    await rejected;
  });
});
