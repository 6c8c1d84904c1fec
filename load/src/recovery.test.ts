import { describe, expect, it } from 'vitest';
import { isHealthySecond, recoverySecondsOf } from './recovery.ts';

const second = (atS: number, p99Ms: number, errorsPerSecond = 0) => ({
  atS,
  p99Ms,
  errorsPerSecond,
});

describe('recoverySecondsOf', () => {
  it('counts the seconds until a run of healthy seconds begins', () => {
    const seconds = [
      second(9, 900),
      second(10, 2000),
      second(11, 80),
      second(12, 700),
      second(13, 90),
      second(14, 95),
      second(15, 99),
      second(16, 900),
    ];
    expect(recoverySecondsOf(seconds, 10, 100, 3)).toBe(3);
    expect(recoverySecondsOf(seconds, 10, 100, 1)).toBe(1);
  });

  it('treats a second with errors as not recovered', () => {
    expect(recoverySecondsOf([second(0, 10, 1), second(1, 10), second(2, 10)], 0, 100, 2)).toBe(1);
    expect(isHealthySecond(second(0, 10, 1), 100)).toBe(false);
  });

  it('is 0 when the mesh never suffered and undefined when it never settled', () => {
    expect(recoverySecondsOf([second(5, 10), second(6, 10)], 5, 100, 2)).toBe(0);
    expect(recoverySecondsOf([second(5, 10), second(6, 500)], 5, 100, 2)).toBeUndefined();
    expect(recoverySecondsOf([], 5, 100, 1)).toBeUndefined();
  });
});
