import type { Violation } from './invariants.ts';
import { uuidV7TimeMs } from './uuid-v7.ts';

// The A2A peer's own records after a run: the remote tasks it drove for local agents (sends to
// `a2a:<peer>`) and the inbound tasks it served for them (SendMessage to a local agent's card).

/** A row of a2a.remote_tasks or a2a.tasks: its id and state as stored. */
export interface StoredA2aTask {
  id: string;
  state: string;
  /** Inbound tasks: the id of the message that opened the task. */
  messageId?: string;
}

/** What the checker reads from the A2A peer's tables. */
export interface StoredA2a {
  /** a2a.remote_tasks: states `pending`, `working`, ..., `completed`, `failed`, ... */
  remoteTasks: StoredA2aTask[];
  /** a2a.tasks: states as A2A names them (`TASK_STATE_COMPLETED`, ...). */
  inboundTasks: StoredA2aTask[];
}

/** The remote task states a task never leaves. */
const REMOTE_ENDED = new Set(['completed', 'failed', 'canceled', 'rejected']);
const INBOUND_COMPLETED = 'TASK_STATE_COMPLETED';
const NAMED_IDS = 10;

/**
 * Checks the A2A peer's records: every remote task it stored ended; each round trip the client
 * saw complete is stored as a completed remote task; every inbound task it served completed
 * (the load's local A2A agents always answer) unless the SendMessage that opened it failed.
 * A round trip whose id (UUIDv7) was made before `retiredBeforeMs` may have been removed by
 * retention.
 */
export function checkA2a(
  remoteSends: string[],
  stored: StoredA2a,
  failedSends: string[] = [],
  retiredBeforeMs = 0,
): Violation[] {
  const found = new Map<string, string[]>();
  const add = (invariant: string, id: string) => {
    found.set(invariant, [...(found.get(invariant) ?? []), id]);
  };
  const remote = new Map(stored.remoteTasks.map((task) => [task.id, task.state]));
  for (const task of stored.remoteTasks) {
    if (!REMOTE_ENDED.has(task.state)) add(`a remote A2A task was left ${task.state}`, task.id);
  }
  for (const id of remoteSends) {
    const state = remote.get(id);
    if (state === undefined) {
      if (!(uuidV7TimeMs(id) < retiredBeforeMs)) {
        add('a completed remote A2A round trip is not stored', id);
      }
    } else if (state !== 'completed')
      add(`a completed remote A2A round trip is stored ${state}`, id);
  }
  // A task whose SendMessage failed (the peer could not route it while the router was down, say)
  // waits for the caller to send the message again; the load's client does not, so it may stay
  // unfinished: never acknowledged, so not lost.
  const failed = new Set(failedSends);
  for (const task of stored.inboundTasks) {
    const abandoned = task.messageId !== undefined && failed.has(task.messageId);
    if (task.state !== INBOUND_COMPLETED && !abandoned) {
      add(`an inbound A2A task ended ${task.state}`, task.id);
    }
  }
  return [...found].map(([invariant, ids]) => ({
    invariant,
    count: ids.length,
    ids: ids.slice(0, NAMED_IDS),
  }));
}
