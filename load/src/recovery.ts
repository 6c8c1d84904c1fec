/** One second of latency figures, as the run records them. */
export interface SecondLatency {
  atS: number;
  p99Ms: number;
  errorsPerSecond: number;
}

/** Whether a second is within the limit and error-free. */
export function isHealthySecond(second: SecondLatency, p99LimitMs: number): boolean {
  return second.p99Ms <= p99LimitMs && second.errorsPerSecond === 0;
}

/**
 * How long after `fromS` the mesh took to recover: the seconds until the first run of
 * `settleSeconds` healthy seconds in a row (p99 within `p99LimitMs`, no errors) begins. A run,
 * not every later second: a shared machine stalls now and then at any load, the baseline too
 * (the report counts those seconds in each phase). Undefined when no such run came.
 */
export function recoverySecondsOf(
  seconds: SecondLatency[],
  fromS: number,
  p99LimitMs: number,
  settleSeconds: number,
): number | undefined {
  const after = seconds.filter((second) => second.atS >= fromS);
  let runStart: number | undefined;
  let runLength = 0;
  for (const second of after) {
    if (!isHealthySecond(second, p99LimitMs)) {
      runStart = undefined;
      runLength = 0;
      continue;
    }
    runStart ??= second.atS;
    runLength += 1;
    if (runLength >= settleSeconds) return runStart - fromS;
  }
  return undefined;
}
