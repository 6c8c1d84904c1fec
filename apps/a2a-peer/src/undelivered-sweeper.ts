import type { Logger } from '@switchboard/logger';
import { runEvery } from '@switchboard/service';
import { stateName, type TaskStore } from './db/task-store.ts';
import { derivedUuid } from './domain/derived-uuid.ts';
import { applyAgentUpdate } from './domain/task-machine.ts';
import type { TaskFeed } from './task-feed.ts';

/** What the undelivered sweep reads: the message TTL and the retention sweep's pace. */
export interface UndeliveredSettings {
  messageTtlMs: number;
  retention: { sweepIntervalMs: number; sweepBatchSize: number };
}

/**
 * Past the TTL, besides: the router counts a message's TTL from when it stored it, a moment
 * after the task changed, and an agent handed the message just before it expired needs a
 * moment to report on it.
 */
export const UNDELIVERED_GRACE_MS = 60_000;

/** The status message of a task failed because no agent took it. */
export const undeliveredReason = (ttlMs: number) =>
  `no agent took the task within its message TTL (${ttlMs} ms): the message was not delivered; send it again as a new task`;

/**
 * Fails the tasks no agent can take any more: still `submitted` past the message TTL they were
 * routed with (a2a.messageTtlMs, counted from the task's last change: its creation, or a re-send
 * the router stored anew), the router has dropped their message, or never had it (routing
 * failed and the caller did not re-send). Runs every `retention.sweepIntervalMs` on every
 * replica, at most `retention.sweepBatchSize` tasks a sweep; the store locks with SKIP LOCKED.
 * Each change goes through the task's event log and is announced like any other, so streams,
 * waits and push notifications see it; retention removes the failed task later.
 */
export function startUndeliveredSweeper(deps: {
  store: TaskStore;
  feed: TaskFeed;
  settings: () => UndeliveredSettings;
  log: Logger;
  onFailed?: (count: number) => void;
}) {
  const sweepNow = async (): Promise<number> => {
    const settings = deps.settings();
    const ttlMs = settings.messageTtlMs;
    const now = new Date();
    const changed = await deps.store.changeStaleSubmitted(
      ttlMs + UNDELIVERED_GRACE_MS,
      settings.retention.sweepBatchSize,
      (row) => ({
        applied: applyAgentUpdate(
          row.task,
          {
            taskId: row.task.id,
            updateId: derivedUuid('a2a-undelivered', row.task.id),
            status: { state: 'failed', message: { parts: [{ text: undeliveredReason(ttlMs) }] } },
          },
          now,
        ),
        agentId: row.agentId,
      }),
      (taskId) => derivedUuid('a2a-undelivered', taskId),
    );
    for (const { row, lastSeq } of changed) {
      await deps.feed.announce({ taskId: row.task.id, seq: lastSeq, state: stateName(row.task) });
    }
    if (changed.length > 0) {
      deps.log.info(
        { failed: changed.length, messageTtlMs: ttlMs },
        'failed A2A tasks no agent took within the message TTL',
      );
      deps.onFailed?.(changed.length);
    }
    return changed.length;
  };
  const job = runEvery(
    () => deps.settings().retention.sweepIntervalMs,
    async () => {
      await sweepNow();
    },
    { log: deps.log, what: 'the undelivered task sweep' },
  );
  return {
    /** Runs one sweep now; answers how many tasks it failed. */
    sweepNow,
    stop: () => job.stop(),
  };
}
