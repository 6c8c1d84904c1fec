import type { Operation } from './operations.ts';

/** One operation's figures over one ramp step. */
export interface StepFigures {
  /** Operations completed per second. */
  okPerSecond: number;
  /** Errors other than the expected ones (E_CONFLICT on conflicting state writes). */
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/** One ramp step: the offered rate (all operations) and each operation's figures. */
export interface RampStep {
  offeredPerSecond: number;
  operations: Partial<Record<Operation, StepFigures>>;
}

/** Why a step failed: the operations past the p99 target and those with errors. */
export interface StepVerdict {
  passed: boolean;
  slow: Operation[];
  failing: Operation[];
}

/** A step passes when every operation's p99 is within the target and none returned errors. */
export function judgeStep(step: RampStep, p99TargetMs: number): StepVerdict {
  const entries = Object.entries(step.operations) as Array<[Operation, StepFigures]>;
  const slow = entries.filter(([, figures]) => figures.p99Ms > p99TargetMs).map(([name]) => name);
  const failing = entries.filter(([, figures]) => figures.errors > 0).map(([name]) => name);
  return { passed: slow.length === 0 && failing.length === 0, slow, failing };
}

/** An operation's knee: the highest rate it sustained within the target, and at which step. */
export interface Knee {
  operation: Operation;
  /** Its own completed rate at the last step it passed (undefined: it passed none). */
  okPerSecond: number | undefined;
  p99Ms: number | undefined;
  /** The offered total rate of that step. */
  offeredPerSecond: number | undefined;
}

/**
 * The knee of each operation over a ramp: the last step, before the first failing step of that
 * operation, where its p99 was within the target and it returned no errors.
 */
export function kneesOf(steps: RampStep[], p99TargetMs: number): Knee[] {
  const names = new Set(steps.flatMap((step) => Object.keys(step.operations) as Operation[]));
  return [...names].map((operation) => {
    let knee: Knee = {
      operation,
      okPerSecond: undefined,
      p99Ms: undefined,
      offeredPerSecond: undefined,
    };
    for (const step of steps) {
      const figures = step.operations[operation];
      if (figures === undefined) continue;
      if (figures.errors > 0 || figures.p99Ms > p99TargetMs) break;
      knee = {
        operation,
        okPerSecond: figures.okPerSecond,
        p99Ms: figures.p99Ms,
        offeredPerSecond: step.offeredPerSecond,
      };
    }
    return knee;
  });
}
