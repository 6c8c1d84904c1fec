import type { Logger } from '@switchboard/logger';
import { runEvery } from '@switchboard/service';
import type { TasksSettings } from './config.ts';
import type { TaskQueries } from './db/task-queries.ts';
import type { TaskMetrics } from './task-metrics.ts';

/** How far back the stats count finished tasks (the overview charts them per minute). */
export const FINISHED_WINDOW_MS = 60_000;

/**
 * Counts the mesh's tasks by status every `tasks.statsRefreshMs`: those waiting and running
 * (the depth gauges) and those that ended in the last minute, per final status. The stats RPC
 * answers from the last count, so it stays cheap however often it is asked, and any replica
 * answers with mesh-wide figures (its own counters only see the tasks it handled).
 */
export function startTaskCensus(deps: {
  queries: TaskQueries;
  metrics: TaskMetrics;
  settings: () => TasksSettings;
  log: Logger;
}) {
  const count = async () => {
    const [depth, finished] = await Promise.all([
      deps.queries.depth(),
      deps.queries.finishedWithin(FINISHED_WINDOW_MS),
    ]);
    deps.metrics.depth(depth);
    deps.metrics.finishedRecently(finished);
  };
  const job = runEvery(() => deps.settings().statsRefreshMs, count, {
    log: deps.log,
    what: 'counting the tasks by status',
  });
  return { stop: () => job.stop() };
}
