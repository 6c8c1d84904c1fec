import type { LoadMesh } from '../mesh.ts';
import type { LoadOptions } from '../options.ts';
import type { PhaseResult } from '../run-result.ts';
import {
  type ChaosResult,
  chaosPlan,
  countFaults,
  type FaultRecord,
  healthyP99LimitMs,
  withHealthyAfter,
} from './faults.ts';
import { FaultInjector } from './inject.ts';
import type { OwnInfra } from './own-infra.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the chaos phases need from the run. */
export interface ChaosRun {
  mesh: LoadMesh;
  infra: OwnInfra;
  options: LoadOptions;
  /** Offers the mix at `rate` for `durationMs` as one measured phase (run.ts's `measure`). */
  measure: (name: string, rate: number, durationMs: number) => Promise<PhaseResult>;
  /** Delay between asking for a phase and its first arrival. */
  phaseLeadMs: number;
  /** Seconds since the measured load began. */
  nowS: () => number;
  note: (message: string) => void;
}

/**
 * Runs the chaos scenario's phases: the mix at `--rate` throughout, and in each fault's phase
 * the fault injected `--inject-after-ms` in, while the injector restarts what ended.
 */
export async function runChaos(run: ChaosRun): Promise<ChaosResult> {
  const { options, note } = run;
  const timing = {
    spacingMs: options.faultSpacingMs,
    pauseMs: options.pauseMs,
    beforeMs: options.faultFreeMs,
    afterMs: options.faultFreeMs,
    injectAfterMs: options.injectAfterMs,
  };
  const plan = chaosPlan(options.parsedFaults, timing);
  const injector = new FaultInjector(run.mesh, run.infra, {
    pauseMs: options.pauseMs,
    restartDelayMs: options.restartDelayMs,
    nowS: run.nowS,
    note,
  });
  // A stopped (SIGSTOP) service ignores the SIGTERM that ends the mesh until it is continued.
  const release = () => injector.release();
  process.once('SIGINT', release);
  process.once('SIGTERM', release);
  const records: FaultRecord[] = [];
  const phases: PhaseResult[] = [];
  try {
    for (const step of plan) {
      const measured = run.measure(step.name, options.rate, step.durationMs);
      if (step.fault !== undefined) {
        await sleep(run.phaseLeadMs + step.injectAfterMs);
        records.push(await injector.inject(step.fault));
      }
      phases.push(await measured);
    }
  } finally {
    process.off('SIGINT', release);
    process.off('SIGTERM', release);
    await injector.stop();
  }
  const settleSeconds = options.settleSeconds;
  const limitMs = healthyP99LimitMs(options.p99TargetMs, phases[0]?.allP99Ms ?? 0);
  return {
    faults: withHealthyAfter(
      records,
      phases.flatMap((phase) => phase.seconds),
      limitMs,
      settleSeconds,
    ),
    healthyP99LimitMs: limitMs,
    counts: countFaults(records),
    unplannedExits: injector.unplannedExits,
    timing: { ...timing, restartDelayMs: options.restartDelayMs, settleSeconds },
  };
}
