// Quantiles of the latencies recorded in the last `windowSeconds`, for the stats snapshot (the
// console's "delivery p99"). Prometheus histograms count since start and cannot say "p99 of the
// last minute"; this keeps one small histogram per second instead, in log-spaced buckets about
// 5% wide, so memory and the cost of a quantile stay fixed whatever the message rate.

const GROWTH = 1.05;
/** The lowest bucket bound, in ms: latencies below it share the first bucket. */
const MIN_MS = 0.1;
/** Enough buckets to reach about 10 minutes. */
const BUCKETS = Math.ceil(Math.log(600_000 / MIN_MS) / Math.log(GROWTH)) + 1;

/** The bucket of `ms`: bucket i holds values up to MIN_MS * GROWTH^i. */
function bucketOf(ms: number): number {
  if (ms <= MIN_MS) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / Math.log(GROWTH)));
}

/** The upper bound of bucket `index`, in ms: what a quantile landing there reports. */
function boundOf(index: number): number {
  return MIN_MS * GROWTH ** index;
}

/** A sliding window of latencies, one histogram per second of `now`. */
export class LatencyWindow {
  private readonly seconds: Array<{ second: number; counts: Uint32Array } | undefined>;

  constructor(private readonly windowSeconds: number) {
    this.seconds = new Array(windowSeconds).fill(undefined);
  }

  /** Records one latency (ms) observed at `nowMs`. */
  record(nowMs: number, latencyMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % this.windowSeconds;
    let entry = this.seconds[slot];
    if (entry === undefined || entry.second !== second) {
      entry = { second, counts: new Uint32Array(BUCKETS) };
      this.seconds[slot] = entry;
    }
    entry.counts[bucketOf(latencyMs)] = (entry.counts[bucketOf(latencyMs)] as number) + 1;
  }

  /**
   * The latency (ms, rounded up to its bucket, so at most ~5% high) below which a fraction `q`
   * of the window's samples lie; undefined when the window holds none.
   */
  quantile(nowMs: number, q: number): number | undefined {
    const newest = Math.floor(nowMs / 1000);
    const merged = new Float64Array(BUCKETS);
    let total = 0;
    for (const entry of this.seconds) {
      if (entry === undefined || entry.second <= newest - this.windowSeconds) continue;
      for (let index = 0; index < BUCKETS; index++) {
        merged[index] = (merged[index] as number) + (entry.counts[index] as number);
      }
      total += entry.counts.reduce((sum, count) => sum + count, 0);
    }
    if (total === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    // The rank is never above the total, so the last bucket is where the walk ends at the latest.
    for (let index = 0; index < BUCKETS - 1; index++) {
      seen += merged[index] as number;
      if (seen >= rank) return boundOf(index);
    }
    return boundOf(BUCKETS - 1);
  }
}
