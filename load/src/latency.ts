import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';
import type { Operation } from './operations.ts';

/** A latency histogram in microseconds, from 1 µs to 10 minutes, 3 significant digits. */
export function latencyHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 'packed',
  });
}

/** One operation's outcome counts and latency over a phase (or one second of it). */
export interface OperationTally {
  ok: number;
  /** Error codes returned, with counts (expected ones such as E_CONFLICT included). */
  errors: Record<string, number>;
  latencyUs: Histogram;
}

/** What a generator process measured over one phase, per operation and per second. */
export interface PhaseTally {
  operations: Partial<Record<Operation, OperationTally>>;
  /** Per second of the phase: completions, errors and the latency of all operations. */
  seconds: Array<{ ok: number; errors: number; latencyUs: Histogram }>;
}

/** A phase tally as it crosses the process boundary (histograms encoded). */
export interface EncodedPhaseTally {
  operations: Partial<
    Record<Operation, { ok: number; errors: Record<string, number>; latency: string }>
  >;
  seconds: Array<{ ok: number; errors: number; latency: string }>;
}

/** The tally of `operation`, created empty on first use. */
export function operationTally(tally: PhaseTally, operation: Operation): OperationTally {
  const existing = tally.operations[operation];
  if (existing !== undefined) return existing;
  const created: OperationTally = { ok: 0, errors: {}, latencyUs: latencyHistogram() };
  tally.operations[operation] = created;
  return created;
}

/** The tally of second `index` of a phase (and of every second before it), created on first use. */
export function secondTally(tally: PhaseTally, index: number): PhaseTally['seconds'][number] {
  for (let second = tally.seconds.length; second <= index; second += 1) {
    tally.seconds.push({ ok: 0, errors: 0, latencyUs: latencyHistogram() });
  }
  return tally.seconds[index] as PhaseTally['seconds'][number];
}

/** An empty tally. */
export function emptyTally(): PhaseTally {
  return { operations: {}, seconds: [] };
}

/** Encodes a tally for IPC. */
export function encodeTally(tally: PhaseTally): EncodedPhaseTally {
  return {
    operations: Object.fromEntries(
      Object.entries(tally.operations).map(([name, operation]) => [
        name,
        {
          ok: operation.ok,
          errors: operation.errors,
          latency: encodeIntoCompressedBase64(operation.latencyUs),
        },
      ]),
    ),
    seconds: tally.seconds.map((second) => ({
      ok: second.ok,
      errors: second.errors,
      latency: encodeIntoCompressedBase64(second.latencyUs),
    })),
  };
}

/** Adds an encoded tally (from a generator process) into `into`. */
export function addTally(into: PhaseTally, encoded: EncodedPhaseTally): void {
  for (const [name, operation] of Object.entries(encoded.operations)) {
    const target = operationTally(into, name as Operation);
    target.ok += operation.ok;
    for (const [code, count] of Object.entries(operation.errors)) {
      target.errors[code] = (target.errors[code] ?? 0) + count;
    }
    target.latencyUs.add(decodeFromCompressedBase64(operation.latency));
  }
  encoded.seconds.forEach((second, index) => {
    const target = secondTally(into, index);
    target.ok += second.ok;
    target.errors += second.errors;
    target.latencyUs.add(decodeFromCompressedBase64(second.latency));
  });
}

/** Latency at `percentile` in ms (0 for an empty histogram). */
export function percentileMs(latencyUs: Histogram, percentile: number): number {
  return latencyUs.totalCount === 0 ? 0 : latencyUs.getValueAtPercentile(percentile) / 1000;
}
