import { describe, expect, it } from 'vitest';
import { judgeStep, kneesOf, type RampStep } from './knee.ts';

const figures = (okPerSecond: number, p99Ms: number, errors = 0) => ({
  count: okPerSecond * 10,
  okPerSecond,
  errors,
  p50Ms: p99Ms / 4,
  p99Ms,
});

const criteria = { p99TargetMs: 100, minSamples: 100 };

const steps: RampStep[] = [
  {
    offeredPerSecond: 100,
    allP99Ms: 30,
    operations: { direct: figures(60, 20), task: figures(40, 30), tool: figures(5, 400) },
  },
  {
    offeredPerSecond: 150,
    allP99Ms: 60,
    operations: { direct: figures(90, 40), task: figures(60, 300) },
  },
  {
    offeredPerSecond: 225,
    allP99Ms: 90,
    operations: { direct: figures(130, 90, 2), tool: figures(5, 10) },
  },
  {
    offeredPerSecond: 340,
    allP99Ms: 400,
    operations: { tool: figures(8, 10) },
  },
];

describe('judgeStep', () => {
  it('passes a step within the target with no errors, whatever a rare operation’s slowest call', () => {
    expect(judgeStep(steps[0] as RampStep, criteria)).toEqual({
      passed: true,
      allSlow: false,
      slow: [],
      failing: [],
    });
  });

  it('names the operations past the target, those with errors, and all together too slow', () => {
    expect(judgeStep(steps[1] as RampStep, criteria)).toMatchObject({
      passed: false,
      slow: ['task'],
    });
    expect(judgeStep(steps[2] as RampStep, criteria)).toMatchObject({
      passed: false,
      failing: ['direct'],
    });
    expect(judgeStep(steps[3] as RampStep, criteria)).toEqual({
      passed: false,
      allSlow: true,
      slow: [],
      failing: [],
    });
  });
});

describe('kneesOf', () => {
  it('gives each operation the last step it passed before it first failed', () => {
    expect(kneesOf(steps, criteria)).toEqual([
      { operation: 'direct', okPerSecond: 90, p99Ms: 40, offeredPerSecond: 150 },
      { operation: 'task', okPerSecond: 40, p99Ms: 30, offeredPerSecond: 100 },
      { operation: 'tool', okPerSecond: 5, p99Ms: 10, offeredPerSecond: 225 },
    ]);
  });

  it('leaves the knee empty for an operation that failed its first step', () => {
    expect(kneesOf(steps, { ...criteria, p99TargetMs: 25 })).toEqual([
      {
        operation: 'direct',
        okPerSecond: undefined,
        p99Ms: undefined,
        offeredPerSecond: undefined,
      },
      { operation: 'task', okPerSecond: undefined, p99Ms: undefined, offeredPerSecond: undefined },
      { operation: 'tool', okPerSecond: undefined, p99Ms: undefined, offeredPerSecond: undefined },
    ]);
  });
});
