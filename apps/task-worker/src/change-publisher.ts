import type { Bus } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import { type TaskChange, TaskChangedEventSchema } from '@switchboard/protocol';

/** Changes one event carries at most (well under NATS's payload limit). */
const CHANGES_PER_EVENT = 500;

/**
 * Publishes task changes as `<ns>.v1.evt.task.changed` events, many per event, without holding
 * the caller: watchers are told, but the state in Postgres is what counts (a lost event delays a
 * watcher until it reads the task again, it loses nothing).
 */
export function createChangePublisher(bus: Bus, log: Logger) {
  const subject = bus.subjects.event('task', 'changed');
  return (changes: readonly TaskChange[]): void => {
    for (let start = 0; start < changes.length; start += CHANGES_PER_EVENT) {
      bus
        .publishEvent(subject, TaskChangedEventSchema, {
          changes: changes.slice(start, start + CHANGES_PER_EVENT),
        })
        .catch((err: unknown) => log.warn({ err }, 'a task.changed event was not published'));
    }
  };
}

/** Publishes task changes (see {@link createChangePublisher}). */
export type PublishChanges = ReturnType<typeof createChangePublisher>;
