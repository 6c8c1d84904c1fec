import { describe, expect, it } from 'vitest';
import { healthOf } from './health.ts';

const thresholds = { degradedRatio: 0.1, failingRatio: 0.5 };

describe('healthOf', () => {
  it('is unknown without recent calls', () => {
    expect(healthOf({ ok: 0, failed: 0 }, thresholds)).toBe('unknown');
  });

  it('is healthy below the degraded ratio, degraded from it, failing from the failing ratio', () => {
    expect(healthOf({ ok: 95, failed: 5 }, thresholds)).toBe('healthy');
    expect(healthOf({ ok: 9, failed: 1 }, thresholds)).toBe('degraded');
    expect(healthOf({ ok: 1, failed: 1 }, thresholds)).toBe('failing');
    expect(healthOf({ ok: 0, failed: 3 }, thresholds)).toBe('failing');
  });
});
