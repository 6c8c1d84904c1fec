import type { LoadMesh } from '../mesh.ts';
import type { LoadOptions } from '../options.ts';
import type { PhaseResult } from '../run-result.ts';
import { judgeSoak, type SoakResult, type SoakSample } from './soak-judge.ts';
import { SoakSampler } from './soak-sampler.ts';
import { RETAINED_TABLE_STORAGE, RETAINED_TABLES, SOAK_RETENTION_ENV } from './soak-settings.ts';

/** What the soak needs of the run that hosts it. */
export interface SoakRun {
  mesh: LoadMesh;
  options: LoadOptions;
  /** Offers `rate` for `durationMs` as one measured phase. */
  measure(name: string, rate: number, durationMs: number): Promise<PhaseResult>;
  /** The epoch time the run's seconds count from. */
  originMs(): number;
  note(message: string): void;
}

/**
 * The soak: half the knee (`--rate`) for `--duration-ms` while the services' memory, the
 * namespace's Redis keys and the tables' sizes are sampled every `--soak-sample-ms`; then each
 * series after `--soak-warmup-ms` is judged against its bound.
 */
export async function runSoak(run: SoakRun): Promise<SoakResult> {
  const { options } = run;
  const half = options.rate / 2;
  const sampler = new SoakSampler(run.mesh, run.originMs);
  await sampler.tune(RETAINED_TABLES, RETAINED_TABLE_STORAGE);
  await sampler.start(options.soakSampleMs);
  run.note(
    `soak: ${half}/s for ${options.durationMs / 1000} s, sampling every ${options.soakSampleMs} ms`,
  );
  let samples: SoakSample[] = [];
  try {
    await run.measure(`soak ${half}/s`, half, options.durationMs);
  } finally {
    samples = await sampler.stop();
  }
  const bounds = {
    rssMiBPerMin: options.maxRssMibPerMin,
    heapMiBPerMin: options.maxHeapMibPerMin,
    redisKeysPerMin: options.maxRedisKeysPerMin,
    tableMiBPerMin: options.maxTableMibPerMin,
    tableRowsPerMin: options.maxTableRowsPerMin,
  };
  const warmupS = options.soakWarmupMs / 1000;
  const checks = judgeSoak(samples, bounds, warmupS, RETAINED_TABLES);
  run.note(
    `soak measured: ${checks.filter((check) => !check.passed).length} series over their bound`,
  );
  return {
    kneePerSecond: options.rate,
    offeredPerSecond: half,
    warmupS,
    sampleMs: options.soakSampleMs,
    bounds,
    retention: SOAK_RETENTION_ENV,
    retainedTables: [...RETAINED_TABLES],
    samples,
    failedSamples: sampler.failed,
    checks,
    passed: checks.every((check) => check.passed),
  };
}
