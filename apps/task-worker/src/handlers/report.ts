import type { TaskChange } from '@switchboard/protocol';
import { createBatcher } from '@switchboard/service';
import type { TasksSettings } from '../config.ts';
import type { AttemptReport, ReportOutcome, TaskStore } from '../db/task-store.ts';
import type { Dispatcher } from '../dispatcher.ts';
import type { TaskMetrics } from '../task-metrics.ts';

/**
 * Ends attempts: completions from executors (many written together, group commit) and what the
 * sweep finds expired. Every accepted end is published, counted, and wakes the dispatcher (an
 * executor has room again, or a retry is queued).
 */
export function createReporter(deps: {
  store: TaskStore;
  dispatcher: Dispatcher;
  publish: (changes: readonly TaskChange[]) => void;
  settings: () => TasksSettings;
  metrics: TaskMetrics;
}) {
  async function apply(reports: AttemptReport[]): Promise<ReportOutcome[]> {
    const { outcomes, changes } = await deps.store.report(reports);
    deps.publish(changes);
    for (const outcome of outcomes) {
      if (outcome.accepted) deps.metrics.ended(outcome.status, outcome.runMs);
    }
    if (changes.length > 0) deps.dispatcher.wake();
    return outcomes;
  }

  const batcher = createBatcher<AttemptReport, ReportOutcome>(apply, {
    maxBatch: () => deps.settings().completeBatch,
  });

  return {
    /** One executor's report, written with others arriving meanwhile. */
    report: (report: AttemptReport) => batcher.submit(report),
    /** Reports of the sweep, written at once. */
    apply,
  };
}

/** The reporter (see {@link createReporter}). */
export type Reporter = ReturnType<typeof createReporter>;
