import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff.ts';

const settings = { backoffBaseMs: 100, backoffMaxMs: 1000 };

describe('backoffMs', () => {
  it('doubles the delay each attempt, between half and all of it', () => {
    expect([0, 1, 2].map((attempt) => backoffMs(attempt, settings, () => 0))).toEqual([
      50, 100, 200,
    ]);
    expect([0, 1, 2].map((attempt) => backoffMs(attempt, settings, () => 1))).toEqual([
      100, 200, 400,
    ]);
    expect(backoffMs(1, settings, () => 0.5)).toBe(150);
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    expect(backoffMs(4, settings, () => 1)).toBe(1000);
    expect(backoffMs(60, settings, () => 1)).toBe(1000);
    expect(backoffMs(60, settings, () => 0)).toBe(500);
  });

  it('spreads retries with the default random jitter', () => {
    for (let n = 0; n < 50; n += 1) {
      const delay = backoffMs(3, settings);
      expect(delay).toBeGreaterThanOrEqual(400);
      expect(delay).toBeLessThanOrEqual(800);
    }
  });
});
