import type { Logger } from '@switchboard/logger';

/** A periodic job started by {@link runEvery}. */
export interface PeriodicJob {
  /** Stops the timer and waits for a run in progress. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs()` (read again before each wait, so it is a live setting), one
 * run at a time: the next wait starts when a run ends. A failed run is logged as `what failed`
 * and the job goes on.
 */
export function runEvery(
  intervalMs: () => number,
  task: () => Promise<void>,
  options: { log: Logger; what: string },
): PeriodicJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = task()
        .catch((err: unknown) => options.log.warn({ err }, `${options.what} failed`))
        .finally(() => {
          running = undefined;
          arm();
        });
    }, intervalMs());
  };
  arm();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
