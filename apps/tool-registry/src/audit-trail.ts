import { encodePayload } from '@switchboard/db';
import type { Logger } from '@switchboard/logger';
import type { JsonValue, ToolCallOutcome } from '@switchboard/protocol';
import { type PeriodicJob, runEvery, sweepInBatches } from '@switchboard/service';
import { v7 as uuidv7 } from 'uuid';
import type { ToolsSettings } from './config.ts';
import type { AuditRow, AuditStore } from './db/audit-store.ts';
import { redactArguments } from './domain/redaction.ts';

/** One finished call, as the invoker reports it. */
export interface CallRecord {
  caller: string;
  name: string;
  version: string | null;
  provider: string | null;
  outcome: ToolCallOutcome;
  errorCode: string | null;
  durationMs: number;
  arguments: JsonValue;
  at: Date;
}

/**
 * The audit trail's writer: records calls without holding them up (rows wait in memory and go
 * to Postgres in batches every `flushIntervalMs`, or sooner when `maxBatch` wait), with their
 * arguments redacted first; and the retention sweep, every `sweepIntervalMs` on every replica
 * (the store's statement is safe to run at once), in statements of at most `sweepBatchSize` rows
 * until one comes back short. Audit is best effort: a failed batch is logged, never retried into
 * an unbounded queue.
 */
export function createAuditTrail(deps: {
  store: AuditStore;
  settings: () => ToolsSettings;
  log: Logger;
}) {
  const { store, log } = deps;
  let queued: AuditRow[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let flushTimer: PeriodicJob | undefined;
  let sweepTimer: PeriodicJob | undefined;

  function flush(): Promise<void> {
    const batch = queued;
    queued = [];
    if (batch.length === 0) return flushing;
    flushing = flushing.then(() =>
      store
        .insert(batch)
        .catch((err: unknown) =>
          log.error({ err, rows: batch.length }, 'audit rows were not written'),
        ),
    );
    return flushing;
  }

  let stopping = false;
  async function sweepNow(): Promise<number> {
    const { retentionMs, sweepBatchSize } = deps.settings().audit;
    // One cut-off for the whole sweep: rows that age past it meanwhile wait for the next.
    const before = new Date(Date.now() - retentionMs);
    const deleted = await sweepInBatches(
      () => store.sweep(before, sweepBatchSize),
      sweepBatchSize,
      () => stopping,
    );
    if (deleted > 0) log.info({ deleted }, 'deleted audited calls past retention');
    return deleted;
  }

  return {
    record(call: CallRecord): void {
      const { redaction, maxBatch } = deps.settings().audit;
      const kept = redactArguments(call.arguments, redaction);
      queued.push({
        id: uuidv7({ msecs: call.at.getTime() }),
        at: call.at.toISOString(),
        caller: call.caller,
        name: call.name,
        version: call.version,
        provider: call.provider,
        outcome: call.outcome,
        errorCode: call.errorCode,
        durationMs: call.durationMs,
        arguments: kept === null ? null : encodePayload(kept),
      });
      if (queued.length >= maxBatch) void flush();
    },

    /** Writes what waits now (tests and shutdown). */
    flush,

    start(): void {
      flushTimer = runEvery(() => deps.settings().audit.flushIntervalMs, flush, {
        log,
        what: 'the audit flush',
      });
      sweepTimer = runEvery(
        () => deps.settings().audit.sweepIntervalMs,
        async () => {
          await sweepNow();
        },
        { log, what: 'the audit retention sweep' },
      );
    },

    /** Runs one retention sweep now; answers how many audit rows it deleted. */
    sweepNow,

    /** Stops the timers (a sweep in progress after its current batch), then writes what waits. */
    async stop(): Promise<void> {
      stopping = true;
      await flushTimer?.stop();
      await sweepTimer?.stop();
      await flush();
    },
  };
}

/** The audit trail (see {@link createAuditTrail}). */
export type AuditTrail = ReturnType<typeof createAuditTrail>;
