import { Counter, Histogram, type Registry } from 'prom-client';

/** The state service's own metrics, registered on the service's registry. */
export function createStateMetrics(registry: Registry) {
  const reads = new Counter({
    name: 'sb_state_reads_total',
    help: 'State reads (get, history, version, summary)',
    labelNames: ['op'],
    registers: [registry],
  });
  const writes = new Counter({
    name: 'sb_state_writes_total',
    help: 'Committed state writes',
    labelNames: ['op'],
    registers: [registry],
  });
  const conflicts = new Counter({
    name: 'sb_state_conflicts_total',
    help: 'Writes that named a stale version, by conflict policy and outcome',
    labelNames: ['policy', 'outcome'],
    registers: [registry],
  });
  const cache = new Counter({
    name: 'sb_state_cache_total',
    help: 'Read-through cache lookups by result (hit, miss, error)',
    labelNames: ['result'],
    registers: [registry],
  });
  const writeSeconds = new Histogram({
    name: 'sb_state_write_duration_seconds',
    help: 'Time to commit a state write',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const transitions = new Counter({
    name: 'sb_state_lifecycle_transitions_total',
    help: 'Agent lifecycle transitions recorded, by target status',
    labelNames: ['to'],
    registers: [registry],
  });
  const figures = {
    reads: 0,
    writes: 0,
    conflicts: 0,
    cacheHits: 0,
    cacheMisses: 0,
    transitions: 0,
  };
  return {
    read(op: string) {
      reads.inc({ op });
      figures.reads += 1;
    },
    wrote(op: string, seconds: number) {
      writes.inc({ op });
      writeSeconds.observe(seconds);
      figures.writes += 1;
    },
    conflict(policy: string, outcome: 'rejected' | 'settled') {
      conflicts.inc({ policy, outcome });
      if (outcome === 'rejected') figures.conflicts += 1;
    },
    cacheLookup(result: 'hit' | 'miss' | 'error') {
      cache.inc({ result });
      if (result === 'hit') figures.cacheHits += 1;
      else figures.cacheMisses += 1;
    },
    transitioned(to: string) {
      transitions.inc({ to });
      figures.transitions += 1;
    },
    /** Figures for `<ns>.v1.state.stats`, counted since this replica started. */
    stats(): Record<string, number> {
      const lookups = figures.cacheHits + figures.cacheMisses;
      return { ...figures, cacheHitRatio: lookups === 0 ? 0 : figures.cacheHits / lookups };
    },
  };
}

/** The state metrics (see {@link createStateMetrics}). */
export type StateMetrics = ReturnType<typeof createStateMetrics>;
