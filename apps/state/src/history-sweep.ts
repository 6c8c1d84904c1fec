import type { Database } from '@switchboard/db';
import type { Logger } from '@switchboard/logger';
import { type PeriodicJob, runEvery } from '@switchboard/service';
import type { StateSettings } from './config.ts';

// Any fixed number, the same for every replica: the lock names the sweep, not a row.
const SWEEP_LOCK = 7_704_001;

/**
 * Deletes history rows beyond the retention settings, in batches: a version is kept while it is
 * among the last `keepVersions` of its key or younger than `keepDays`, and the current version
 * always stays. Runs on one connection under `pg_try_advisory_lock`, so one replica sweeps at a
 * time. Resolves with the number of rows deleted (0 when another replica holds the lock).
 */
export async function sweepHistory(
  database: Database,
  settings: StateSettings['history'],
): Promise<number> {
  const reserved = await database.sql.reserve();
  try {
    const [lock] = await reserved<{ locked: boolean }[]>`
      SELECT pg_try_advisory_lock(${SWEEP_LOCK}) AS locked`;
    if (lock?.locked !== true) return 0;
    try {
      let total = 0;
      for (;;) {
        const deleted = await reserved`
          DELETE FROM state.document_history h
          WHERE (h.scope, h.key, h.version) IN (
            SELECT scope, key, version FROM (
              SELECT h2.scope, h2.key, h2.version, h2.at,
                row_number() OVER (PARTITION BY h2.scope, h2.key ORDER BY h2.version DESC) AS rank,
                d.version AS current_version
              FROM state.document_history h2
              JOIN state.documents d ON d.scope = h2.scope AND d.key = h2.key
            ) ranked
            WHERE ranked.version < ranked.current_version
              AND (ranked.rank > ${settings.keepVersions}
                OR ranked.at < now() - make_interval(secs => ${settings.keepDays * 86_400}))
            LIMIT ${settings.sweepBatchSize}
          )`;
        total += deleted.count;
        if (deleted.count < settings.sweepBatchSize) return total;
      }
    } finally {
      await reserved`SELECT pg_advisory_unlock(${SWEEP_LOCK})`;
    }
  } finally {
    reserved.release();
  }
}

/** Sweeps every `sweepIntervalMs` until `stop()`; a failed sweep is logged and tried again. */
export function startHistorySweeper(options: {
  database: Database;
  settings: () => StateSettings['history'];
  log: Logger;
}): PeriodicJob {
  return runEvery(
    () => options.settings().sweepIntervalMs,
    async () => {
      const deleted = await sweepHistory(options.database, options.settings());
      if (deleted > 0) options.log.debug({ deleted }, 'trimmed state history');
    },
    { log: options.log, what: 'state history sweep' },
  );
}
