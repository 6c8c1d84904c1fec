import type { BenchParams } from './params.ts';

/** What a scenario gets from the harness. */
export interface BenchContext {
  params: BenchParams;
  /** A progress note for the person watching (stderr, so stdout stays the table). */
  note(message: string): void;
}

/** One measured variant of a scenario: a line of the table and of the JSON report. */
export interface BenchRow {
  variant: string;
  /** Operations completed in the measured window. */
  ops: number;
  /** Length of the measured window. */
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Further columns (ratios, differences, error counts), shown after the fixed ones. */
  extra?: Record<string, string | number>;
}

/** A benchmark: a module in `bench/scenarios/`, listed in `scenarios/index.ts`. */
export interface Scenario {
  /** What `pnpm bench <name>` selects: kebab-case. */
  name: string;
  /** One line: what is measured, against what, and how the load is applied. */
  description: string;
  run(context: BenchContext): Promise<BenchRow[]>;
}
