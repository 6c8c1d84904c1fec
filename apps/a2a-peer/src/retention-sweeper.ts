import type { Logger } from '@switchboard/logger';
import { runEvery } from '@switchboard/service';
import type { RetentionRemoved, RetentionStore } from './db/retention-store.ts';

/** The `a2a.retention` settings. */
export interface RetentionSettings {
  finishedMs: number;
  remoteFinishedMs: number;
  sweepIntervalMs: number;
  sweepBatchSize: number;
}

/**
 * Applies retention every `sweepIntervalMs` on every replica (the store's statements are safe
 * to run at once), one bounded batch a table each time, and logs what it removed.
 */
export function startRetentionSweeper(deps: {
  store: RetentionStore;
  settings: () => RetentionSettings;
  log: Logger;
  onRemoved?: (removed: RetentionRemoved) => void;
}) {
  const sweepNow = async (): Promise<RetentionRemoved> => {
    const settings = deps.settings();
    const removed = await deps.store.sweep({
      finishedMs: settings.finishedMs,
      remoteFinishedMs: settings.remoteFinishedMs,
      limit: settings.sweepBatchSize,
    });
    if (Object.values(removed).some((count) => count > 0)) {
      deps.log.info(removed, 'retention removed ended A2A tasks');
      deps.onRemoved?.(removed);
    }
    return removed;
  };
  const job = runEvery(
    () => deps.settings().sweepIntervalMs,
    async () => {
      await sweepNow();
    },
    { log: deps.log, what: 'the retention sweep' },
  );
  return {
    /** Runs one sweep now. */
    sweepNow,
    stop: () => job.stop(),
  };
}
