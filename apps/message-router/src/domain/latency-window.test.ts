import { describe, expect, it } from 'vitest';
import { LatencyWindow } from './latency-window.ts';

const within5Percent = (value: number | undefined, expected: number) => {
  expect(value).toBeGreaterThanOrEqual(expected);
  expect(value).toBeLessThanOrEqual(expected * 1.05);
};

describe('LatencyWindow', () => {
  it('reports quantiles of what it recorded, at most 5% high', () => {
    const window = new LatencyWindow(60);
    for (let ms = 1; ms <= 100; ms++) window.record(10_000, ms);
    within5Percent(window.quantile(10_000, 0.5), 50);
    within5Percent(window.quantile(10_000, 0.99), 99);
    within5Percent(window.quantile(10_000, 1), 100);
  });

  it('says nothing when empty, and forgets seconds that left the window', () => {
    const window = new LatencyWindow(60);
    expect(window.quantile(0, 0.99)).toBeUndefined();
    window.record(1_000, 500);
    window.record(30_000, 5);
    within5Percent(window.quantile(30_000, 0.99), 500);
    // 61 s after the first sample, only the second one is left.
    within5Percent(window.quantile(61_000, 0.99), 5);
    expect(window.quantile(120_000, 0.99)).toBeUndefined();
  });

  it('reuses a slot for a new second instead of adding to the old one', () => {
    const window = new LatencyWindow(2);
    window.record(0, 1000);
    window.record(2_000, 10);
    within5Percent(window.quantile(2_000, 1), 10);
  });

  it('clamps the extremes into its first and last buckets', () => {
    const window = new LatencyWindow(10);
    window.record(0, 0);
    expect(window.quantile(0, 0.5)).toBeCloseTo(0.1);
    window.record(0, 10_000_000);
    expect(window.quantile(0, 1)).toBeGreaterThan(600_000);
  });
});
