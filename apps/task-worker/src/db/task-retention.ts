import type { Database } from '@switchboard/db';
import { FinalTaskStatuses } from '@switchboard/protocol';

/**
 * Retention of finished tasks: deletes final tasks that ended more than `finishedMs` ago, with
 * their transitions and dependency rows (by cascade), in statements of at most `limit` tasks.
 */
export function createTaskRetention(database: Database) {
  const { sql } = database;
  return {
    /**
     * One bounded statement: deletes up to `limit` final tasks whose `finished_at` is older than
     * `finishedMs`, oldest first, read through the partial index of finish times. A task stays
     * while a task that is not final depends on it (dependencies are resolved from the tasks
     * they name) or while it is a schedule's last task. The rows are taken `FOR UPDATE SKIP
     * LOCKED`, so replicas sweeping at once delete disjoint tasks and never wait on each other.
     * Resolves with the number of tasks deleted.
     */
    async deleteFinished(settings: { finishedMs: number; limit: number }): Promise<number> {
      const deleted = await sql`
        DELETE FROM tasks.tasks WHERE id IN (
          SELECT t.id FROM tasks.tasks t
          WHERE t.finished_at IS NOT NULL
            AND t.finished_at < now() - ${settings.finishedMs} * interval '1 millisecond'
            AND t.status IN ${sql(FinalTaskStatuses)}
            AND NOT EXISTS (
              SELECT 1 FROM tasks.dependencies d JOIN tasks.tasks w ON w.id = d.task_id
              WHERE d.depends_on = t.id
                AND w.status NOT IN ${sql(FinalTaskStatuses)})
            AND NOT EXISTS (SELECT 1 FROM tasks.schedules s WHERE s.last_task_id = t.id)
          ORDER BY t.finished_at
          LIMIT ${settings.limit}
          FOR UPDATE OF t SKIP LOCKED)`;
      return deleted.count;
    },
  };
}

/** The task retention (see {@link createTaskRetention}). */
export type TaskRetention = ReturnType<typeof createTaskRetention>;
