import {
  isFinalTaskStatus,
  isSbError,
  type ResultFrame,
  SbError,
  type Task,
  type TaskChangedFrame,
} from '@switchboard/protocol';
import { abortReason, deadlineSignal } from './abort.ts';
import type { OutgoingFrame } from './frames.ts';
import type { SdkLogger } from './logger.ts';
import { isRetryable } from './retry-policy.ts';
import type { WaitOptions } from './tasks-api.ts';

/** What the waits need from the client. */
export interface TaskWaitsHost {
  request(frame: OutgoingFrame): Promise<ResultFrame>;
  get(taskId: string): Promise<Task>;
  /** Aborts when the client closes for good. */
  lifetime: AbortSignal;
  log: SdkLogger;
}

/** Told about a change of the task it waits for (`undefined`: read it again, e.g. reconnected). */
type Waiter = (frame: TaskChangedFrame | undefined) => void;

const retryable = (error: unknown) => isSbError(error) && isRetryable(error);

/**
 * Waits for tasks to end. A wait watches its task on the gateway (`task.watch`), which pushes a
 * `task.changed` frame for each change; the task itself is read with `task.get` when it is final
 * (or changed, for `onChange`). A watch lives on one connection: after a reconnect every waited
 * task is watched again and read again, so a change made in between is not missed.
 */
export class TaskWaits {
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(private readonly host: TaskWaitsHost) {}

  /** Takes a `task.changed` push. */
  receive(frame: TaskChangedFrame): void {
    for (const waiter of this.waiters.get(frame.taskId) ?? []) waiter(frame);
  }

  /** Watches every waited task again over a new connection, and has each read again. */
  async restore(request: (frame: OutgoingFrame) => Promise<ResultFrame>): Promise<void> {
    await Promise.all(
      [...this.waiters].map(async ([taskId, waiters]) => {
        try {
          await request({ type: 'task.watch', taskId });
        } catch (error) {
          this.host.log.debug({ err: error, taskId }, 'could not watch a task again');
        }
        for (const waiter of waiters) waiter(undefined);
      }),
    );
  }

  /** Resolves with the task once it is final; see {@link WaitOptions}. */
  async wait(taskId: string, options: WaitOptions = {}): Promise<Task> {
    const deadline = deadlineSignal(
      [this.host.lifetime, options.signal],
      options.timeoutMs ?? 2 ** 31 - 1,
      () => new SbError('E_TIMEOUT', `task ${taskId} was not final within ${options.timeoutMs} ms`),
    );
    let readAgain = true;
    let wake: () => void = () => undefined;
    const waiter: Waiter = (frame) => {
      if (
        frame === undefined ||
        isFinalTaskStatus(frame.status) ||
        options.onChange !== undefined
      ) {
        readAgain = true;
        wake();
      }
    };
    let waiters = this.waiters.get(taskId);
    if (waiters === undefined) {
      waiters = new Set();
      this.waiters.set(taskId, waiters);
    }
    waiters.add(waiter);
    const aborted = new Promise<never>((_resolve, reject) => {
      const fail = () => reject(abortReason(deadline.signal));
      if (deadline.signal.aborted) fail();
      else deadline.signal.addEventListener('abort', fail, { once: true });
    });
    aborted.catch(() => undefined);
    try {
      try {
        await Promise.race([this.host.request({ type: 'task.watch', taskId }), aborted]);
      } catch (error) {
        // Not connected: the watch comes with the next connection (restore).
        if (!retryable(error)) throw error;
      }
      let seenVersion = 0;
      for (;;) {
        if (readAgain) {
          readAgain = false;
          try {
            const task = await Promise.race([this.host.get(taskId), aborted]);
            if (isFinalTaskStatus(task.status)) return task;
            if (task.version > seenVersion) {
              seenVersion = task.version;
              options.onChange?.(task);
            }
          } catch (error) {
            if (!retryable(error)) throw error;
          }
        }
        if (!readAgain) {
          await Promise.race([
            new Promise<void>((resolve) => {
              wake = resolve;
            }),
            aborted,
          ]);
        }
      }
    } finally {
      deadline.clear();
      waiters.delete(waiter);
      if (waiters.size === 0) {
        this.waiters.delete(taskId);
        this.host.request({ type: 'task.unwatch', taskId }).catch(() => undefined);
      }
    }
  }
}
