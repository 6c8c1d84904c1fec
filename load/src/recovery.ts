/** One second of latency figures, as the run records them. */
export interface SecondLatency {
  atS: number;
  p99Ms: number;
  errorsPerSecond: number;
}

/**
 * How long after `fromS` the mesh took to recover: the seconds until the first second from
 * which every later second has its p99 within `p99LimitMs` and no errors. Undefined when it never
 * settled before the seconds end.
 */
export function recoverySecondsOf(
  seconds: SecondLatency[],
  fromS: number,
  p99LimitMs: number,
): number | undefined {
  const after = seconds.filter((second) => second.atS >= fromS);
  let settledFrom: number | undefined;
  for (const second of after) {
    const healthy = second.p99Ms <= p99LimitMs && second.errorsPerSecond === 0;
    if (!healthy) settledFrom = undefined;
    else settledFrom ??= second.atS;
  }
  return settledFrom === undefined ? undefined : settledFrom - fromS;
}
