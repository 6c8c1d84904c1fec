import type { Logger } from '@switchboard/logger';
import { runEvery, sweepInBatches } from '@switchboard/service';
import type { SecurityEventStore } from '../db/security-event-store.ts';

/** The `gateway.security` settings retention reads. */
export interface SecurityRetentionSettings {
  retentionMs: number;
  sweepIntervalMs: number;
  sweepBatchSize: number;
}

/**
 * Deletes security events older than `retentionMs` every `sweepIntervalMs` on every replica (the
 * store's statement is safe to run at once), in statements of at most `sweepBatchSize` events
 * until one comes back short, so a backlog goes in one sweep without one long delete holding
 * locks on it; `stop()` ends a sweep between batches.
 */
export function startSecurityRetention(deps: {
  store: Pick<SecurityEventStore, 'deleteBefore'>;
  settings: () => SecurityRetentionSettings;
  log: Logger;
}) {
  let stopping = false;
  const sweepNow = async (): Promise<number> => {
    const { retentionMs, sweepBatchSize } = deps.settings();
    // One cut-off for the whole sweep: events that age past it meanwhile wait for the next.
    const before = new Date(Date.now() - retentionMs);
    const deleted = await sweepInBatches(
      () => deps.store.deleteBefore(before, sweepBatchSize),
      sweepBatchSize,
      () => stopping,
    );
    if (deleted > 0) deps.log.info({ deleted }, 'deleted security events past retention');
    return deleted;
  };
  const job = runEvery(
    () => deps.settings().sweepIntervalMs,
    async () => {
      await sweepNow();
    },
    { log: deps.log, what: 'the security event retention sweep' },
  );
  return {
    /** Runs one sweep now; answers how many events it deleted. */
    sweepNow,
    /** Stops the timer, and a sweep in progress after its current batch. */
    stop(): Promise<void> {
      stopping = true;
      return job.stop();
    },
  };
}

/** The security event retention sweep (see {@link startSecurityRetention}). */
export type SecurityRetention = ReturnType<typeof startSecurityRetention>;
