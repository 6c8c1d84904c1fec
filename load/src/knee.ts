import type { Operation } from './operations.ts';

/** One operation's figures over one ramp step. */
export interface StepFigures {
  /** Operations completed in the step (how much its p99 can be trusted). */
  count: number;
  /** Operations completed per second. */
  okPerSecond: number;
  /** Errors other than the expected ones (E_CONFLICT on conflicting state writes). */
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/** One ramp step: the offered rate, the p99 of all operations together, and each operation's. */
export interface RampStep {
  offeredPerSecond: number;
  allP99Ms: number;
  operations: Partial<Record<Operation, StepFigures>>;
}

/** What a step must meet. */
export interface RampCriteria {
  p99TargetMs: number;
  /**
   * Completions an operation needs in a step for its own p99 to count: below that its "p99" is
   * its slowest few calls, one stall of the machine away from failing the step. Such an
   * operation is held to the p99 of all operations together, like every other.
   */
  minSamples: number;
}

/** Why a step failed: all operations too slow together, single ones too slow, or with errors. */
export interface StepVerdict {
  passed: boolean;
  allSlow: boolean;
  slow: Operation[];
  failing: Operation[];
}

function isSlow(figures: StepFigures, criteria: RampCriteria): boolean {
  return figures.count >= criteria.minSamples && figures.p99Ms > criteria.p99TargetMs;
}

/**
 * A step passes when the p99 of all operations together is within the target, so is that of
 * every operation with enough completions to have a p99, and no operation returned an error.
 */
export function judgeStep(step: RampStep, criteria: RampCriteria): StepVerdict {
  const entries = Object.entries(step.operations) as Array<[Operation, StepFigures]>;
  const allSlow = step.allP99Ms > criteria.p99TargetMs;
  const slow = entries.filter(([, figures]) => isSlow(figures, criteria)).map(([name]) => name);
  const failing = entries.filter(([, figures]) => figures.errors > 0).map(([name]) => name);
  return {
    passed: !allSlow && slow.length === 0 && failing.length === 0,
    allSlow,
    slow,
    failing,
  };
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
 * The knee of each operation over a ramp: its figures at the last step before the first one
 * where it returned errors, its own p99 (with enough completions) passed the target, or the
 * p99 of all operations together did.
 */
export function kneesOf(steps: RampStep[], criteria: RampCriteria): Knee[] {
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
      if (figures.errors > 0 || isSlow(figures, criteria) || step.allP99Ms > criteria.p99TargetMs) {
        break;
      }
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
