// Least-squares fits of sampled series: a soak judges growth by the slope of the whole series
// after its warm-up, not by two points that a garbage collection or a sweep can land between.

/** A sample: x (seconds), y (the value). */
export type Point = readonly [number, number];

/** The least-squares slope of y over x; undefined with fewer than two distinct x. */
export function leastSquaresSlope(points: readonly Point[]): number | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? undefined : covariance / variance;
}

/** The slope per minute of points whose x (seconds) is at least `fromS`. */
export function slopePerMinute(points: readonly Point[], fromS: number): number | undefined {
  const slope = leastSquaresSlope(points.filter(([x]) => x >= fromS));
  return slope === undefined ? undefined : slope * 60;
}
