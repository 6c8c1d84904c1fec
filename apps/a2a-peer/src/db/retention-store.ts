import type { Database } from '@switchboard/db';

/** How long ended records are kept, and how many rows one statement deletes at most. */
export interface RetentionLimits {
  finishedMs: number;
  remoteFinishedMs: number;
  limit: number;
}

/** Rows one sweep deleted, by table. */
export interface RetentionRemoved {
  tasks: number;
  taskEvents: number;
  receivedMessages: number;
  pushConfigs: number;
  remoteTasks: number;
}

/** The A2A states a task never leaves, as the `state` column holds them. */
export const FINISHED_TASK_STATES = [
  'TASK_STATE_COMPLETED',
  'TASK_STATE_FAILED',
  'TASK_STATE_CANCELED',
  'TASK_STATE_REJECTED',
] as const;

/** The remote task states that end it (input-required and auth-required may go on). */
export const FINISHED_REMOTE_STATES = ['completed', 'failed', 'canceled', 'rejected'] as const;

/**
 * Retention of the A2A peer's tables. A task is let go once it has been in a final state for
 * `finishedMs` and no push notification of it waits (the sender needs its config and record);
 * its rows go first (events, received message ids, push configs), the task itself once none is
 * left, so a task is never without the rows that answer for it. Every statement deletes at most
 * `limit` rows and locks what it deletes with `SKIP LOCKED`: replicas sweeping at once share
 * the work instead of waiting on (or deadlocking with) each other.
 */
export function createRetentionStore(database: Database) {
  const { sql } = database;
  // Literals, not parameters: the partial indexes (tasks_finished, remote_tasks_finished) only
  // serve a query whose state list the planner can prove matches their predicate.
  const listOf = (states: readonly string[]) =>
    sql.unsafe(`(${states.map((state) => `'${state}'`).join(', ')})`);

  async function sweep(limits: RetentionLimits): Promise<RetentionRemoved> {
    const { limit } = limits;
    const finishedBefore = sql`now() - ${limits.finishedMs} * interval '1 millisecond'`;
    const isExpired = sql`
      t.state IN ${listOf(FINISHED_TASK_STATES)} AND t.updated_at < ${finishedBefore}
      AND NOT EXISTS (SELECT 1 FROM a2a.push_queue q WHERE q.task_id = t.id)`;
    // The oldest expired tasks (the partial index tasks_finished reads them in order): every
    // statement works on the same front of the backlog, at most `limit` tasks, so checking them
    // stays index lookups however large the backlog (the task row goes once its rows are gone).
    const expiredIds = sql`
      SELECT t.id FROM a2a.tasks t WHERE ${isExpired} ORDER BY t.updated_at LIMIT ${limit}`;

    const taskEvents = await sql`
      DELETE FROM a2a.task_events WHERE seq IN (
        SELECT e.seq FROM a2a.task_events e WHERE e.task_id IN (${expiredIds})
        LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
    const receivedMessages = await sql`
      DELETE FROM a2a.received_messages WHERE (task_id, message_id) IN (
        SELECT r.task_id, r.message_id FROM a2a.received_messages r
        WHERE r.task_id IN (${expiredIds})
        LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
    const pushConfigs = await sql`
      DELETE FROM a2a.push_configs WHERE (task_id, id) IN (
        SELECT c.task_id, c.id FROM a2a.push_configs c WHERE c.task_id IN (${expiredIds})
        LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
    const tasks = await sql`
      DELETE FROM a2a.tasks WHERE id IN (
        SELECT x.id FROM (${expiredIds} FOR UPDATE SKIP LOCKED) x
        WHERE NOT EXISTS (SELECT 1 FROM a2a.task_events e WHERE e.task_id = x.id)
          AND NOT EXISTS (SELECT 1 FROM a2a.received_messages r WHERE r.task_id = x.id)
          AND NOT EXISTS (SELECT 1 FROM a2a.push_configs c WHERE c.task_id = x.id))`;
    const remoteTasks = await sql`
      DELETE FROM a2a.remote_tasks WHERE id IN (
        SELECT id FROM a2a.remote_tasks
        WHERE state IN ${listOf(FINISHED_REMOTE_STATES)}
          AND updated_at < now() - ${limits.remoteFinishedMs} * interval '1 millisecond'
        ORDER BY updated_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
    return {
      tasks: tasks.count,
      taskEvents: taskEvents.count,
      receivedMessages: receivedMessages.count,
      pushConfigs: pushConfigs.count,
      remoteTasks: remoteTasks.count,
    };
  }

  return {
    /** Deletes one batch (at most `limit` rows a table) of what retention lets go. */
    sweep,
  };
}

/** The retention store (see {@link createRetentionStore}). */
export type RetentionStore = ReturnType<typeof createRetentionStore>;
