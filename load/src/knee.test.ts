import { describe, expect, it } from 'vitest';
import { judgeStep, kneesOf, type RampStep } from './knee.ts';

const figures = (okPerSecond: number, p99Ms: number, errors = 0) => ({
  okPerSecond,
  errors,
  p50Ms: p99Ms / 4,
  p99Ms,
});

const steps: RampStep[] = [
  { offeredPerSecond: 100, operations: { direct: figures(60, 20), task: figures(40, 30) } },
  { offeredPerSecond: 150, operations: { direct: figures(90, 40), task: figures(60, 300) } },
  { offeredPerSecond: 225, operations: { direct: figures(130, 90, 2), tool: figures(5, 10) } },
];

describe('judgeStep', () => {
  it('passes a step within the target with no errors', () => {
    expect(judgeStep(steps[0] as RampStep, 100)).toEqual({ passed: true, slow: [], failing: [] });
  });

  it('names the operations past the target and those that returned errors', () => {
    expect(judgeStep(steps[1] as RampStep, 100)).toEqual({
      passed: false,
      slow: ['task'],
      failing: [],
    });
    expect(judgeStep(steps[2] as RampStep, 100)).toEqual({
      passed: false,
      slow: [],
      failing: ['direct'],
    });
  });
});

describe('kneesOf', () => {
  it('gives each operation the last step it passed before it first failed', () => {
    expect(kneesOf(steps, 100)).toEqual([
      { operation: 'direct', okPerSecond: 90, p99Ms: 40, offeredPerSecond: 150 },
      { operation: 'task', okPerSecond: 40, p99Ms: 30, offeredPerSecond: 100 },
      { operation: 'tool', okPerSecond: 5, p99Ms: 10, offeredPerSecond: 225 },
    ]);
  });

  it('leaves the knee empty for an operation that failed its first step', () => {
    expect(kneesOf(steps, 25)).toEqual([
      { operation: 'direct', okPerSecond: 60, p99Ms: 20, offeredPerSecond: 100 },
      { operation: 'task', okPerSecond: undefined, p99Ms: undefined, offeredPerSecond: undefined },
      { operation: 'tool', okPerSecond: 5, p99Ms: 10, offeredPerSecond: 225 },
    ]);
  });
});
