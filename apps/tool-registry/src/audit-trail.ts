import { encodePayload } from '@switchboard/db';
import type { Logger } from '@switchboard/logger';
import type { JsonValue, ToolCallOutcome } from '@switchboard/protocol';
import { type PeriodicJob, runEvery } from '@switchboard/service';
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
 * arguments redacted first; and the retention sweep. Audit is best effort: a failed batch is
 * logged, never retried into an unbounded queue.
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

  async function sweep(): Promise<void> {
    const { retentionMs, sweepBatchSize } = deps.settings().audit;
    const before = new Date(Date.now() - retentionMs);
    while ((await store.sweep(before, sweepBatchSize)) === sweepBatchSize) {
      // A full batch: more may be due.
    }
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
      sweepTimer = runEvery(() => deps.settings().audit.sweepIntervalMs, sweep, {
        log,
        what: 'the audit retention sweep',
      });
    },

    async stop(): Promise<void> {
      await flushTimer?.stop();
      await sweepTimer?.stop();
      await flush();
    },
  };
}

/** The audit trail (see {@link createAuditTrail}). */
export type AuditTrail = ReturnType<typeof createAuditTrail>;
