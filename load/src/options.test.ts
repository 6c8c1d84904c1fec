import { describe, expect, it } from 'vitest';
import { isStress, parseLoadArgs } from './options.ts';

describe('parseLoadArgs', () => {
  it('gives each smoke the small defaults CI runs, which flags still override', () => {
    const stress = parseLoadArgs(['stress-smoke']);
    expect(stress).toMatchObject({
      scenario: 'stress-smoke',
      agents: 40,
      rate: 60,
      baselineMs: 6000,
      overloadMs: 8000,
      recoveryMs: 15000,
      keepRateLimits: true,
    });
    // Both smokes draw broadcasts often enough that every run completes some.
    expect(parseLoadArgs(['smoke']).parsedMix.broadcast).toBe(2);
    expect(stress.parsedMix.broadcast).toBe(2);
    expect(parseLoadArgs(['stress-smoke', '--rate', '80']).rate).toBe(80);
    expect(parseLoadArgs(['smoke'])).toMatchObject({ agents: 40, rate: 40, keepRateLimits: false });
  });

  it('leaves the full scenarios at their reference sizes', () => {
    expect(parseLoadArgs(['stress'])).toMatchObject({ agents: 1000, keepRateLimits: false });
    expect(parseLoadArgs(['soak'])).toMatchObject({ rate: 203, durationMs: 600_000 });
  });

  it('refuses an unknown scenario or flag value with the usage', () => {
    expect(() => parseLoadArgs(['stres'])).toThrow(/name one scenario[\s\S]*stress-smoke/);
    expect(() => parseLoadArgs(['stress', '--rate', '0'])).toThrow(/--rate:/);
  });
});

describe('isStress', () => {
  it('holds for stress and its smoke only', () => {
    expect(isStress('stress')).toBe(true);
    expect(isStress('stress-smoke')).toBe(true);
    expect(isStress('smoke')).toBe(false);
    expect(isStress('soak')).toBe(false);
  });
});
