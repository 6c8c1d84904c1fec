import { type Point, slopePerMinute } from './slope.ts';

// The soak's verdict: each sampled series after the warm-up, fitted by least squares, against
// the bound stated for its kind. Memory and keys must stay flat; tables must stay flat where a
// retention job deletes what they hold (the others grow with the load by design and are
// reported, not judged).

/** One reading of everything a soak watches, `atS` seconds after the measured load began. */
export interface SoakSample {
  atS: number;
  /** Resident memory of each service (process_resident_memory_bytes), MiB. */
  rssMiB: Record<string, number>;
  /** V8 heap in use of each service (nodejs_heap_size_used_bytes), MiB. */
  heapMiB: Record<string, number>;
  /** Redis keys of the run's namespace. */
  redisKeys: number;
  /** pg_total_relation_size of each table of the run's database (`schema.table`), MiB. */
  tableMiB: Record<string, number>;
  /** Live rows of each table (pg_stat_user_tables.n_live_tup): what retention deletes. */
  tableRows: Record<string, number>;
}

/** The largest slope each kind of series may have, per minute. */
export interface SoakBounds {
  rssMiBPerMin: number;
  heapMiBPerMin: number;
  redisKeysPerMin: number;
  tableMiBPerMin: number;
  tableRowsPerMin: number;
}

/** What a series is. */
export type SoakMeasure = 'rss' | 'heap' | 'redis-keys' | 'table' | 'table-rows';

/** One series judged: its slope after the warm-up against its bound. */
export interface SoakCheck {
  measure: SoakMeasure;
  /** The service, `namespace`, or `schema.table`. */
  subject: string;
  /** Per minute; undefined when too few samples followed the warm-up. */
  slopePerMin: number | undefined;
  /** Undefined for a table without retention: reported, not judged. */
  bound: number | undefined;
  passed: boolean;
}

function check(
  measure: SoakMeasure,
  subject: string,
  points: Point[],
  fromS: number,
  bound: number | undefined,
): SoakCheck {
  const slopePerMin = slopePerMinute(points, fromS);
  const passed = bound === undefined || (slopePerMin !== undefined && slopePerMin <= bound);
  return { measure, subject, slopePerMin, bound, passed };
}

const namesOf = (samples: SoakSample[], pick: (sample: SoakSample) => Record<string, number>) =>
  [...new Set(samples.flatMap((sample) => Object.keys(pick(sample))))].sort();

/** The points of one named series (samples that lack it, a service not answering, are skipped). */
function seriesOf(
  samples: SoakSample[],
  pick: (sample: SoakSample) => Record<string, number>,
  name: string,
): Point[] {
  return samples.flatMap((sample) => {
    const value = pick(sample)[name];
    return value === undefined ? [] : [[sample.atS, value] as const];
  });
}

/**
 * Judges every series of `samples` from `warmupS` on: each service's RSS and heap, the
 * namespace's Redis keys, each table's size (against `bounds.tableMiBPerMin` when it is in
 * `retainedTables`) and the live rows of each table in `retainedTables`. A series with too few samples after the warm-up fails.
 */
export function judgeSoak(
  samples: SoakSample[],
  bounds: SoakBounds,
  warmupS: number,
  retainedTables: ReadonlySet<string>,
): SoakCheck[] {
  const rss = (sample: SoakSample) => sample.rssMiB;
  const heap = (sample: SoakSample) => sample.heapMiB;
  const tables = (sample: SoakSample) => sample.tableMiB;
  const rows = (sample: SoakSample) => sample.tableRows;
  return [
    ...namesOf(samples, rss).map((name) =>
      check('rss', name, seriesOf(samples, rss, name), warmupS, bounds.rssMiBPerMin),
    ),
    ...namesOf(samples, heap).map((name) =>
      check('heap', name, seriesOf(samples, heap, name), warmupS, bounds.heapMiBPerMin),
    ),
    check(
      'redis-keys',
      'namespace',
      samples.map((sample) => [sample.atS, sample.redisKeys] as const),
      warmupS,
      bounds.redisKeysPerMin,
    ),
    ...namesOf(samples, tables).map((name) =>
      check(
        'table',
        name,
        seriesOf(samples, tables, name),
        warmupS,
        retainedTables.has(name) ? bounds.tableMiBPerMin : undefined,
      ),
    ),
    // Rows tell whether retention keeps up; size adds what vacuum has not yet reclaimed.
    ...namesOf(samples, rows)
      .filter((name) => retainedTables.has(name))
      .map((name) =>
        check('table-rows', name, seriesOf(samples, rows, name), warmupS, bounds.tableRowsPerMin),
      ),
  ];
}

/** A soak's figures and verdict, as the report shows them. */
export interface SoakResult {
  kneePerSecond: number;
  offeredPerSecond: number;
  warmupS: number;
  sampleMs: number;
  bounds: SoakBounds;
  /** The retention settings the soak ran with. */
  retention: Record<string, string>;
  retainedTables: string[];
  samples: SoakSample[];
  /** Samples that failed to read (left out). */
  failedSamples: number;
  checks: SoakCheck[];
  passed: boolean;
}
