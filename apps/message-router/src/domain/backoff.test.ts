import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.ts';

const settings = { backoffBaseMs: 100, backoffMaxMs: 1000 };

describe('retryDelayMs', () => {
  it('doubles with every attempt, between half and all of the ceiling', () => {
    expect(retryDelayMs(1, settings, () => 0)).toBe(50);
    expect(retryDelayMs(1, settings, () => 1)).toBe(100);
    expect(retryDelayMs(2, settings, () => 0)).toBe(100);
    expect(retryDelayMs(3, settings, () => 1)).toBe(400);
  });

  it('stops growing at the maximum', () => {
    expect(retryDelayMs(5, settings, () => 1)).toBe(1000);
    expect(retryDelayMs(500, settings, () => 0)).toBe(500);
  });

  it('treats attempt 0 like the first', () => {
    expect(retryDelayMs(0, settings, () => 1)).toBe(100);
  });

  it('uses Math.random by default', () => {
    const delay = retryDelayMs(1, settings);
    expect(delay).toBeGreaterThanOrEqual(50);
    expect(delay).toBeLessThanOrEqual(100);
  });
});
