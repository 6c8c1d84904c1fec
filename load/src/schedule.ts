/**
 * Open-loop arrivals: the send times of `ratePerSecond` operations spread evenly over
 * `durationMs`, from `startMs`. Latency is measured from these times, not from when the
 * generator got round to sending, so a stall in the mesh (or in the generator) shows up as
 * latency instead of silently lowering the offered rate (no coordinated omission).
 */
export function arrivalTimes(startMs: number, ratePerSecond: number, durationMs: number): number[] {
  const count = Math.floor((durationMs / 1000) * ratePerSecond);
  const intervalMs = 1000 / ratePerSecond;
  return Array.from({ length: count }, (_, index) => startMs + index * intervalMs);
}

/** Offered rates of a ramp: `startRate`, then × `factor` per step, while at most `maxRate`. */
export function rampRates(startRate: number, factor: number, maxRate: number): number[] {
  if (startRate <= 0 || factor <= 1) {
    throw new Error('a ramp needs a start rate above 0 and a step factor above 1');
  }
  const rates: number[] = [];
  for (let rate = startRate; rate <= maxRate; rate *= factor) rates.push(Math.round(rate));
  return rates;
}
