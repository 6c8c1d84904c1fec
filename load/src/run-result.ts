import type { ChaosResult } from './chaos/faults.ts';
import type { Violation } from './invariants.ts';
import type { Knee, StepVerdict } from './knee.ts';
import { latencyHistogram, type PhaseTally, percentileMs } from './latency.ts';
import { type Operation, Operations } from './operations.ts';
import type { SoakResult } from './soak/soak-judge.ts';

/** One operation's figures over a phase, as the report shows them. */
export interface OperationFigures {
  ok: number;
  okPerSecond: number;
  /** Error codes returned, with counts (E_CONFLICT on state writes is expected, not a failure). */
  errors: Record<string, number>;
  /** Errors that fail a ramp step: all but the expected E_CONFLICT. */
  failures: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/** One second of a phase, all operations together. */
export interface SecondFigures {
  /** Seconds since the run's first measured phase began. */
  atS: number;
  okPerSecond: number;
  errorsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** A measured phase: the mixed run's one phase or a ramp step. */
export interface PhaseResult {
  name: string;
  offeredPerSecond: number;
  durationMs: number;
  /** Latency of all operations together. */
  allP50Ms: number;
  allP99Ms: number;
  operations: Partial<Record<Operation, OperationFigures>>;
  seconds: SecondFigures[];
  verdict?: StepVerdict;
  /** A ramp step that failed and then passed when run again at the same rate (left out of the knee). */
  retried?: boolean;
}

/** Everything a run measured and checked; written as result.json and rendered as reports. */
export interface RunResult {
  runId: string;
  scenario: string;
  command: string;
  startedAt: string;
  finishedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    /** The 1-minute load average when the load began and when it ended: others' work shows here. */
    loadAverage: [number, number];
  };
  settings: Record<string, unknown>;
  connectedAgents: number;
  phases: PhaseResult[];
  knees: Knee[] | undefined;
  /** Stress: the knee it was given, how long latency took to recover, memory before and at peak. */
  stress:
    | {
        kneePerSecond: number;
        recoverySeconds: number | undefined;
        /** Healthy seconds in a row that count as recovered. */
        settleSeconds: number;
        /**
         * Seconds between the overload's last arrival and the recovery's first, with no load
         * offered: the generators finish the overload's operations in flight first.
         */
        idleGapSeconds: number;
        /** Seconds of each phase whose p99 passed the limit or that had errors. */
        secondsOverLimit: Array<{ phase: string; over: number; of: number }>;
        baselineMiB: Record<string, number>;
        peakMiB: Record<string, number>;
      }
    | undefined;
  /** Chaos: each fault injected (when, back after, healthy after), counts, unplanned exits. */
  chaos?: ChaosResult | undefined;
  /** Soak: the sampled memory, Redis keys and table sizes, their slopes and bounds. */
  soak?: SoakResult | undefined;
  p99TargetMs: number;
  /** Resident memory of each service (MiB), sampled over the run; atS as in SecondFigures. */
  memory: Array<{ atS: number; mib: Record<string, number> }>;
  /** CPU seconds each process (services, generators) used over the measured phases. */
  cpuSeconds: Record<string, number>;
  measuredSeconds: number;
  drain: { waitedMs: number; deliveriesLeft: number; tasksLeft: number };
  counts: {
    messagesAccepted: number;
    deliveries: number;
    deadLetters: number;
    tasksSubmitted: number;
    stateWritesAcknowledged: number;
  };
  violations: Violation[];
  crashed: string[];
  /** Operations of the mix that never completed once (the smoke fails on any). */
  unexercised: Operation[];
  passed: boolean;
}

const EXPECTED_CODES = new Set(['E_CONFLICT']);

/** The figures of a phase tally. */
export function phaseResultOf(
  name: string,
  offeredPerSecond: number,
  durationMs: number,
  tally: PhaseTally,
  offsetS: number,
): PhaseResult {
  const seconds = durationMs / 1000;
  const operations: PhaseResult['operations'] = {};
  for (const operation of Operations) {
    const entry = tally.operations[operation];
    if (entry === undefined) continue;
    operations[operation] = {
      ok: entry.ok,
      okPerSecond: entry.ok / seconds,
      errors: entry.errors,
      failures: Object.entries(entry.errors)
        .filter(([code]) => !EXPECTED_CODES.has(code))
        .reduce((sum, [, count]) => sum + count, 0),
      p50Ms: percentileMs(entry.latencyUs, 50),
      p99Ms: percentileMs(entry.latencyUs, 99),
      p999Ms: percentileMs(entry.latencyUs, 99.9),
      maxMs: entry.latencyUs.totalCount === 0 ? 0 : entry.latencyUs.maxValue / 1000,
    };
  }
  const all = latencyHistogram();
  for (const second of tally.seconds) all.add(second.latencyUs);
  return {
    name,
    offeredPerSecond,
    durationMs,
    allP50Ms: percentileMs(all, 50),
    allP99Ms: percentileMs(all, 99),
    operations,
    seconds: tally.seconds.map((second, index) => ({
      atS: offsetS + index,
      okPerSecond: second.ok,
      errorsPerSecond: second.errors,
      p50Ms: percentileMs(second.latencyUs, 50),
      p99Ms: percentileMs(second.latencyUs, 99),
    })),
  };
}
