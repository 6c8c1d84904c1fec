import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { rateLimited, rateLimitHeaders } from './rate-limit-headers.ts';

describe('rateLimitHeaders', () => {
  it('tells an admitted caller its limit, what remains and when the bucket is full (whole seconds)', () => {
    expect(rateLimitHeaders({ limit: 10, remaining: 6.7, resetMs: 1200 })).toEqual({
      'ratelimit-limit': '10',
      'ratelimit-remaining': '6',
      'ratelimit-reset': '2',
    });
  });

  it('adds Retry-After (at least a second) to a refusal', () => {
    const refusal = rateLimited(
      'credential k1: MCP rate limit',
      { allowed: false, remaining: 0, retryAfterMs: 20, resetMs: 4500 },
      { capacity: 3, refillPerSecond: 1 },
    );
    expect(refusal.message).toBe('credential k1: MCP rate limit reached; retry in 20 ms');
    expect(rateLimitHeaders(refusal)).toEqual({
      'retry-after': '1',
      'ratelimit-remaining': '0',
      'ratelimit-limit': '3',
      'ratelimit-reset': '5',
    });
  });

  it('adds nothing for other errors, nor without a state', () => {
    expect(rateLimitHeaders(new SbError('E_FORBIDDEN', 'no'))).toEqual({});
    expect(rateLimitHeaders(new SbError('E_RATE_LIMITED', 'no retry time'))).toEqual({});
    expect(rateLimitHeaders(undefined)).toEqual({});
    expect(
      rateLimitHeaders(new SbError('E_RATE_LIMITED', 'bare', { details: { retryAfterMs: 2500 } })),
    ).toEqual({ 'retry-after': '3', 'ratelimit-remaining': '0' });
  });
});
