import { build, type Histogram } from 'hdr-histogram-js';
import type { BenchRow } from './scenario.ts';

/** What a closed-loop run measured. */
export interface LoadResult {
  ops: number;
  errors: number;
  elapsedMs: number;
  /** Latency of each successful operation, in microseconds. */
  latencyUs: Histogram;
  /** The first error seen, to tell the person what went wrong. */
  firstError: unknown;
}

/** Options of {@link runClosedLoop}. */
export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  /** One operation; it resolves when the operation is complete (its reply arrived). */
  operation: () => Promise<unknown>;
}

async function phase(
  options: ClosedLoopOptions,
  durationMs: number,
  latencyUs: Histogram | undefined,
): Promise<Omit<LoadResult, 'latencyUs'>> {
  let ops = 0;
  let errors = 0;
  let firstError: unknown;
  const startedAt = performance.now();
  const endAt = startedAt + durationMs;
  const worker = async () => {
    while (performance.now() < endAt) {
      const opStartedAt = performance.now();
      try {
        await options.operation();
        ops++;
        latencyUs?.recordValue(Math.max(1, Math.round((performance.now() - opStartedAt) * 1000)));
      } catch (error) {
        errors++;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { ops, errors, elapsedMs: performance.now() - startedAt, firstError };
}

/**
 * Closed loop: `concurrency` workers each run `operation` back to back, first for `warmupMs`
 * (not measured), then for `durationMs`. Throughput is then bounded by latency × concurrency,
 * which is what a service calling another with a bounded number of requests in flight sees.
 */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  if (options.warmupMs > 0) await phase(options, options.warmupMs, undefined);
  const latencyUs = build({ numberOfSignificantValueDigits: 3 });
  const measured = await phase(options, options.durationMs, latencyUs);
  return { ...measured, latencyUs };
}

/** Latency at `percentile`, in ms, from a histogram of microseconds. */
export function percentileMs(latencyUs: Histogram, percentile: number): number {
  return latencyUs.getValueAtPercentile(percentile) / 1000;
}

/** The table row of a closed-loop result. */
export function rowOf(
  variant: string,
  result: LoadResult,
  extra: Record<string, string | number> = {},
): BenchRow {
  return {
    variant,
    ops: result.ops,
    elapsedMs: result.elapsedMs,
    p50Ms: percentileMs(result.latencyUs, 50),
    p99Ms: percentileMs(result.latencyUs, 99),
    extra: { 'p99.9 ms': percentileMs(result.latencyUs, 99.9), errors: result.errors, ...extra },
  };
}
