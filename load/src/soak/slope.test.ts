import { describe, expect, it } from 'vitest';
import { leastSquaresSlope, slopePerMinute } from './slope.ts';

describe('leastSquaresSlope', () => {
  it('fits a line through noisy points', () => {
    expect(
      leastSquaresSlope([
        [0, 1],
        [1, 3],
        [2, 5],
        [3, 7],
      ]),
    ).toBeCloseTo(2);
    // A sawtooth around a flat level has no trend.
    expect(
      leastSquaresSlope([
        [0, 10],
        [1, 12],
        [2, 10],
        [3, 12],
        [4, 10],
        [5, 12],
        [6, 10],
        [7, 12],
      ]),
    ).toBeCloseTo(0.095, 2);
  });

  it('has no slope with fewer than two points or one x', () => {
    expect(leastSquaresSlope([])).toBeUndefined();
    expect(leastSquaresSlope([[1, 1]])).toBeUndefined();
    expect(
      leastSquaresSlope([
        [1, 1],
        [1, 5],
      ]),
    ).toBeUndefined();
  });
});

describe('slopePerMinute', () => {
  it('fits only the points after the warm-up, per minute', () => {
    // Fast growth during the warm-up, then 0.5 a second.
    const points: Array<[number, number]> = [
      [0, 0],
      [30, 100],
      [60, 200],
      [90, 215],
      [120, 230],
    ];
    expect(slopePerMinute(points, 60)).toBeCloseTo(30);
    expect(slopePerMinute(points, 200)).toBeUndefined();
  });
});
