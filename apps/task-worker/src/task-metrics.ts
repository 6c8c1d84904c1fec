import type { TaskStatus } from '@switchboard/protocol';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120, 600];

/** The task worker's metrics (DESIGN.md, Observability), plus the figures of its stats snapshot. */
export function createTaskMetrics(registry: Registry) {
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const submitted = counter('sb_tasks_submitted_total', 'Tasks stored by submit');
  const duplicates = counter(
    'sb_tasks_submit_duplicates_total',
    'Submits answered with the first task of their idempotency key',
  );
  const started = counter('sb_tasks_attempts_started_total', 'Attempts pushed to an executor');
  const finished = counter('sb_tasks_finished_total', 'Tasks that reached a final status', [
    'status',
  ]);
  const retries = counter('sb_tasks_retries_total', 'Attempts that ended and will be retried');
  const leaseExpiries = counter(
    'sb_tasks_lease_expiries_total',
    'Attempts taken back because their lease ran out',
  );
  const timeouts = counter('sb_tasks_timeouts_total', 'Attempts that ran past their timeout');
  const missed = counter('sb_tasks_pushes_missed_total', 'Task pushes that reached no agent', [
    'reason',
  ]);
  const waitSeconds = new Histogram({
    name: 'sb_tasks_wait_seconds',
    help: 'From when a task was due to when an attempt started',
    buckets: SECONDS,
    registers: [registry],
  });
  const runSeconds = new Histogram({
    name: 'sb_tasks_run_seconds',
    help: 'From the start of an attempt to its end',
    buckets: SECONDS,
    registers: [registry],
  });
  const depth = new Gauge({
    name: 'sb_tasks_depth',
    help: 'Tasks not final yet, mesh-wide, by type and status, as of the last sweep',
    labelNames: ['type', 'status'],
    registers: [registry],
  });

  const figures: Record<string, number> = {
    submitted: 0,
    duplicates: 0,
    started: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    timedOut: 0,
    retries: 0,
    leaseExpiries: 0,
    scheduled: 0,
    queued: 0,
    running: 0,
    succeededLastMinute: 0,
    failedLastMinute: 0,
    cancelledLastMinute: 0,
    timedOutLastMinute: 0,
  };
  const finalFigure: Partial<Record<TaskStatus, string>> = {
    succeeded: 'succeeded',
    failed: 'failed',
    cancelled: 'cancelled',
    timed_out: 'timedOut',
  };
  const add = (name: string, count: number) => {
    figures[name] = (figures[name] ?? 0) + count;
  };

  return {
    submitted(count: number, duplicateCount: number) {
      submitted.inc(count);
      duplicates.inc(duplicateCount);
      add('submitted', count);
      add('duplicates', duplicateCount);
    },
    started(waitMs: readonly number[]) {
      for (const ms of waitMs) waitSeconds.observe(Math.max(0, ms) / 1000);
      started.inc(waitMs.length);
      add('started', waitMs.length);
    },
    /** An attempt ended after `runMs` in `status` (`queued`: it will be retried). */
    ended(status: TaskStatus, runMs: number | null) {
      if (runMs !== null) runSeconds.observe(Math.max(0, runMs) / 1000);
      if (status === 'queued') {
        retries.inc();
        add('retries', 1);
        return;
      }
      const figure = finalFigure[status];
      if (figure === undefined) return;
      finished.inc({ status });
      add(figure, 1);
    },
    leaseExpired() {
      leaseExpiries.inc();
      add('leaseExpiries', 1);
    },
    timedOut() {
      timeouts.inc();
    },
    missed(reason: string, count: number) {
      missed.inc({ reason }, count);
    },
    depth(rows: ReadonlyArray<{ type: string; status: TaskStatus; count: number }>) {
      depth.reset();
      const totals: Record<string, number> = { scheduled: 0, queued: 0, running: 0 };
      for (const row of rows) {
        depth.set({ type: row.type, status: row.status }, row.count);
        totals[row.status] = (totals[row.status] ?? 0) + row.count;
      }
      Object.assign(figures, totals);
    },
    /** Tasks that ended in the last minute, mesh-wide, per final status (the census's count). */
    finishedRecently(rows: ReadonlyArray<{ status: TaskStatus; count: number }>) {
      const totals: Record<string, number> = {
        succeededLastMinute: 0,
        failedLastMinute: 0,
        cancelledLastMinute: 0,
        timedOutLastMinute: 0,
      };
      for (const row of rows) {
        const figure = finalFigure[row.status];
        if (figure !== undefined) totals[`${figure}LastMinute`] = row.count;
      }
      Object.assign(figures, totals);
    },
    stats(): Record<string, number> {
      return { ...figures };
    },
  };
}

/** The task worker's metrics (see {@link createTaskMetrics}). */
export type TaskMetrics = ReturnType<typeof createTaskMetrics>;
