import type { Logger } from '@switchboard/logger';
import type { TaskChange } from '@switchboard/protocol';
import { runEvery, sweepInBatches } from '@switchboard/service';
import type { TasksSettings } from './config.ts';
import type { TaskRetention } from './db/task-retention.ts';
import type { TaskStore } from './db/task-store.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { Reporter } from './handlers/report.ts';
import type { Schedules } from './handlers/schedules.ts';
import type { TaskMetrics } from './task-metrics.ts';

/**
 * The task worker's clockwork, on every replica (each step is safe to run concurrently): ends
 * attempts whose deadline passed (telling their agent to stop) or whose lease ran out (agent or
 * worker gone), each retried or final per its policy; fires the cron schedules whose tick has
 * come; settles tasks waiting on dependencies; queues scheduled tasks whose time has come; wakes
 * the dispatcher (retries whose backoff ended, anything a lost wake-up left). The depth gauges
 * are the census's (task-census.ts). Less often, it applies retention to final tasks.
 */
export function startSweeper(deps: {
  store: TaskStore;
  retention: TaskRetention;
  reporter: Reporter;
  schedules: Schedules;
  dispatcher: Dispatcher;
  publish: (changes: readonly TaskChange[]) => void;
  settings: () => TasksSettings;
  metrics: TaskMetrics;
  log: Logger;
}) {
  const { store, dispatcher, metrics } = deps;

  const sweep = async () => {
    const limit = deps.settings().sweepBatch;
    const overdue = await store.overdue(limit);
    if (overdue.length > 0) {
      const outcomes = await deps.reporter.apply(
        overdue.map((attempt) => ({
          taskId: attempt.taskId,
          attempt: attempt.attempt,
          agentId: null,
          end: attempt.timedOut ? { kind: 'timed_out' } : { kind: 'lease_expired' },
          error: Buffer.from(
            JSON.stringify(
              attempt.timedOut
                ? { code: 'E_TIMEOUT', message: `attempt ${attempt.attempt} ran past its timeout` }
                : {
                    code: 'E_UNAVAILABLE',
                    message: `the lease of attempt ${attempt.attempt} ran out: agent ${attempt.agentId} stopped renewing it`,
                  },
            ),
          ),
          reason: attempt.timedOut ? 'timed_out' : 'lease_expired',
        })),
      );
      overdue.forEach((attempt, index) => {
        if (!outcomes[index]?.accepted) return;
        if (attempt.timedOut) {
          metrics.timedOut();
          void dispatcher.abort(attempt.agentId, attempt.taskId, attempt.attempt, 'timed_out');
        } else {
          metrics.leaseExpired();
          void dispatcher.abort(attempt.agentId, attempt.taskId, attempt.attempt, 'lost');
        }
      });
    }
    await deps.schedules.fire(limit);
    deps.publish(await store.resolveDependencies(limit));
    deps.publish(await store.promoteDue(limit));
    dispatcher.wake();
  };

  let stopping = false;
  const sweepRetention = async () => {
    const { finishedMs, sweepBatchSize } = deps.settings().retention;
    const tasks = await sweepInBatches(
      () => deps.retention.deleteFinished({ finishedMs, limit: sweepBatchSize }),
      sweepBatchSize,
      () => stopping,
    );
    if (tasks > 0) deps.log.info({ tasks }, 'retention removed finished tasks and their history');
  };

  const jobs = [
    runEvery(() => deps.settings().sweepIntervalMs, sweep, {
      log: deps.log,
      what: 'the task sweep',
    }),
    runEvery(() => deps.settings().retention.sweepIntervalMs, sweepRetention, {
      log: deps.log,
      what: 'the retention sweep',
    }),
  ];
  return {
    sweepNow: sweep,
    async stop(): Promise<void> {
      stopping = true;
      await Promise.all(jobs.map((job) => job.stop()));
    },
  };
}
