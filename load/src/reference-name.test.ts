import { describe, expect, it } from 'vitest';
import { referenceNameOf } from './report.ts';

describe('referenceNameOf', () => {
  it('names a stress run that kept the rate limits apart from one that lifted them', () => {
    expect(referenceNameOf({ scenario: 'stress', settings: { rateLimits: 'lifted' } })).toBe(
      'stress',
    );
    expect(referenceNameOf({ scenario: 'stress', settings: { rateLimits: { a: '1' } } })).toBe(
      'stress-limits',
    );
    expect(referenceNameOf({ scenario: 'soak', settings: { rateLimits: { a: '1' } } })).toBe(
      'soak',
    );
  });
});
