import type { Logger } from '@switchboard/logger';
import { runEvery, sweepInBatches } from '@switchboard/service';
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
 * to run at once), in bounded batches (at most `sweepBatchSize` rows a table each) until a
 * batch comes back short, and logs what it removed.
 */
export function startRetentionSweeper(deps: {
  store: RetentionStore;
  settings: () => RetentionSettings;
  log: Logger;
  onRemoved?: (removed: RetentionRemoved) => void;
}) {
  let stopping = false;
  const sweepNow = async (): Promise<RetentionRemoved> => {
    const settings = deps.settings();
    const removed: RetentionRemoved = {
      tasks: 0,
      taskEvents: 0,
      receivedMessages: 0,
      pushConfigs: 0,
      remoteTasks: 0,
    };
    await sweepInBatches(
      async () => {
        const batch = await deps.store.sweep({
          finishedMs: settings.finishedMs,
          remoteFinishedMs: settings.remoteFinishedMs,
          limit: settings.sweepBatchSize,
        });
        for (const table of Object.keys(removed) as Array<keyof RetentionRemoved>) {
          removed[table] += batch[table];
        }
        return Math.max(...Object.values(batch));
      },
      settings.sweepBatchSize,
      () => stopping,
    );
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
    stop: () => {
      stopping = true;
      return job.stop();
    },
  };
}
