import type { StreamResponse } from '@a2a-js/sdk';
import type { Bus, BusSubscription } from '@switchboard/bus';
import { type A2aTaskChangedEvent, A2aTaskChangedEventSchema } from '@switchboard/protocol';
import type { StoredEvent, TaskStore } from './db/task-store.ts';

/**
 * A task's changes as they happen, on whichever replica they were made: every replica reads
 * `<ns>.v1.evt.a2a.task` and wakes the streams and waits it holds for that task, which then read
 * the new events from Postgres (the events carry no payload). A slow poll covers an event lost
 * between a commit and a crash.
 */
export function createTaskFeed(deps: { bus: Bus; store: TaskStore; pollMs: () => number }) {
  const waiters = new Map<string, Set<() => void>>();
  let subscription: BusSubscription | undefined;

  const wake = (taskId: string) => {
    for (const waiter of waiters.get(taskId) ?? []) waiter();
  };

  // Resolves on the next change of the task, after `pollMs`, or when `signal` aborts.
  function nextChange(taskId: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = waiters.get(taskId) ?? new Set();
      waiters.set(taskId, set);
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0) waiters.delete(taskId);
        resolve();
      };
      const timer = setTimeout(done, deps.pollMs());
      signal.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  return {
    async start(): Promise<void> {
      subscription = await deps.bus.consumeEvents({
        filterSubject: deps.bus.subjects.event('a2a', 'task'),
        schema: A2aTaskChangedEventSchema,
        handler: async (event) => wake(event.payload.taskId),
      });
    },

    async stop(): Promise<void> {
      await subscription?.stop();
      subscription = undefined;
    },

    /** Tells every replica that a task changed (after the change committed). */
    async announce(change: A2aTaskChangedEvent): Promise<void> {
      // This replica's own waiters need not wait for the round trip through NATS.
      wake(change.taskId);
      await deps.bus.publishEvent(
        deps.bus.subjects.event('a2a', 'task'),
        A2aTaskChangedEventSchema,
        change,
      );
    },

    /**
     * The task's events after `afterSeq`, as they are stored, until `signal` aborts or the
     * consumer stops iterating.
     */
    async *follow(
      taskId: string,
      afterSeq: number,
      signal: AbortSignal,
    ): AsyncGenerator<StoredEvent> {
      let seq = afterSeq;
      while (!signal.aborted) {
        // Listen before reading, so a change between the read and the wait is not missed.
        const changed = nextChange(taskId, signal);
        const events = await deps.store.eventsAfter(taskId, seq);
        for (const event of events) {
          seq = event.seq;
          yield event;
        }
        await changed;
      }
    },
  };
}

/** The task feed (see {@link createTaskFeed}). */
export type TaskFeed = ReturnType<typeof createTaskFeed>;

/** The stream response's task state, when it tells one (task or status update). */
export function stateIn(event: StreamResponse) {
  const payload = event.payload;
  if (payload?.$case === 'task') return payload.value.status?.state;
  if (payload?.$case === 'statusUpdate') return payload.value.status?.state;
  return undefined;
}
