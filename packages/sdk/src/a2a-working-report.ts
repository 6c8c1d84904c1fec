import type { A2aTaskUpdate } from '@switchboard/protocol';

/** The default of the client option `a2aWorkingDelayMs`. */
export const DEFAULT_A2A_WORKING_DELAY_MS = 2000;

/**
 * When to report `working` for an A2A message handed to a handler at `nowMs`: after `delayMs`,
 * but no later than half the time left before the message expires. The A2A peer fails a task
 * still `submitted` a while after its message's time to live (the undelivered sweep), so a
 * message that reaches the agent close to its expiry must be reported on sooner.
 */
export function workingReportDelayMs(delayMs: number, expiresAt: string, nowMs: number): number {
  const leftMs = Date.parse(expiresAt) - nowMs;
  if (Number.isNaN(leftMs)) return delayMs;
  return Math.max(0, Math.min(delayMs, Math.floor(leftMs / 2)));
}

/**
 * The automatic report for the message `messageId` of task `taskId`. Its own id, outside the
 * handler's `<message id>:<n>`: whether it fires depends on timing, and a redelivered message's
 * updates must keep their numbers to be applied once. It applies only while the task is still
 * `submitted` (`ifState`): the same message re-run in another process after a crash may fire
 * it after the first run asked for input, and the re-run's own `input-required`, already
 * applied under its id, would not undo a `working` that landed.
 */
export function workingReportUpdate(taskId: string, messageId: string): A2aTaskUpdate {
  return {
    taskId,
    updateId: `${messageId}:working`,
    status: { state: 'working' },
    ifState: 'submitted',
  };
}

/** A `working` report waiting to fire, or in flight. */
export interface WorkingReport {
  /** Stops a report that has not fired (idempotent); one in flight goes on. */
  cancel(): void;
  /** Resolves once no report is in flight (never rejects). */
  settled(): Promise<void>;
}

/**
 * Sends `send()` once after `delayMs` if `isNeeded()` still says so then. The report is a
 * courtesy: a failure goes to `onError` and nothing else, so it can never fail the handler or
 * leave a rejection unhandled.
 */
export function scheduleWorkingReport(options: {
  delayMs: number;
  isNeeded: () => boolean;
  send: () => Promise<void>;
  onError: (error: unknown) => void;
}): WorkingReport {
  let inFlight: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {
    timer = undefined;
    if (!options.isNeeded()) return;
    inFlight = options.send().catch((error: unknown) => {
      try {
        options.onError(error);
      } catch {
        // A logger that throws must not turn the report into an unhandled rejection.
      }
    });
  }, options.delayMs);
  return {
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
    settled: () => inFlight,
  };
}
