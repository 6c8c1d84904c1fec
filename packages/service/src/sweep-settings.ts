import { z } from 'zod';

const DAY_MS = 86_400_000;

/**
 * How often a retention sweep runs and how much one statement deletes: the same two settings in
 * every service that keeps history (`<section>.sweepIntervalMs`, `<section>.sweepBatchSize`),
 * with the same bounds and defaults (every minute, 1,000 rows); each describes what it sweeps.
 */
export function sweepSettings(describe: { interval: string; batch: string }) {
  return {
    sweepIntervalMs: z.int().min(10).max(DAY_MS).default(60_000).describe(describe.interval),
    sweepBatchSize: z.int().min(1).max(100_000).default(1000).describe(describe.batch),
  };
}
