import { type Database, isoOf, type RecordCodec } from '@switchboard/db';
import type { Task, TaskStatus, TaskTransition } from '@switchboard/protocol';
import { TASK_COLUMNS, type TaskRow, taskOf } from './task-row.ts';

/** What a task listing filters on; every filter given must hold. */
export interface TaskFilter {
  type?: string | undefined;
  status?: TaskStatus | undefined;
  submittedBy?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Reads of tasks for listings and history (the hot path is in the task store). */
export function createTaskQueries(database: Database, codec: RecordCodec) {
  const { sql } = database;
  return {
    /** Tasks newest first; `nextCursor` continues after the last one. */
    async list(filter: TaskFilter): Promise<{ items: Task[]; nextCursor: string | null }> {
      const rows = await sql<TaskRow[]>`
        SELECT ${sql.unsafe(TASK_COLUMNS)} FROM tasks.tasks t
        WHERE ${filter.type === undefined ? sql`TRUE` : sql`t.type = ${filter.type}`}
          AND ${filter.status === undefined ? sql`TRUE` : sql`t.status = ${filter.status}`}
          AND ${
            filter.submittedBy === undefined
              ? sql`TRUE`
              : sql`t.submitted_by = ${filter.submittedBy}`
          }
          AND ${
            filter.since === undefined
              ? sql`TRUE`
              : sql`t.created_at >= ${filter.since}::timestamptz`
          }
          AND ${
            filter.until === undefined
              ? sql`TRUE`
              : sql`t.created_at < ${filter.until}::timestamptz`
          }
          AND ${filter.cursor === undefined ? sql`TRUE` : sql`t.seq < ${filter.cursor}::bigint`}
        ORDER BY t.seq DESC LIMIT ${filter.limit + 1}`;
      const page = rows.slice(0, filter.limit);
      const last = page.at(-1);
      return {
        items: page.map((row) => taskOf(row, codec)),
        nextCursor: rows.length > filter.limit && last !== undefined ? String(last.seq) : null,
      };
    },

    /** Every transition of a task, oldest first. */
    async history(taskId: string): Promise<TaskTransition[]> {
      const rows = await sql<
        {
          at: Date | string;
          from_status: TaskStatus | null;
          to_status: TaskStatus;
          attempt: number;
          agent_id: string | null;
          reason: string | null;
        }[]
      >`
        SELECT at, from_status, to_status, attempt, agent_id, reason FROM tasks.transitions
        WHERE task_id = ${taskId} ORDER BY id`;
      return rows.map((row) => ({
        at: isoOf(row.at),
        from: row.from_status,
        to: row.to_status,
        attempt: row.attempt,
        agentId: row.agent_id,
        reason: row.reason,
      }));
    },

    /** Non-final tasks per type and status, mesh-wide (the queue-depth gauges). */
    async depth(): Promise<Array<{ type: string; status: TaskStatus; count: number }>> {
      return sql<Array<{ type: string; status: TaskStatus; count: number }>>`
        SELECT type, status, count(*)::int AS count FROM tasks.tasks
        WHERE status IN ('scheduled', 'queued', 'running')
        GROUP BY type, status`;
    },

    /** Tasks that reached a final status in the last `windowMs`, mesh-wide, per status. */
    async finishedWithin(windowMs: number): Promise<Array<{ status: TaskStatus; count: number }>> {
      return sql<Array<{ status: TaskStatus; count: number }>>`
        SELECT status, count(*)::int AS count FROM tasks.tasks
        WHERE finished_at IS NOT NULL
          AND finished_at > now() - make_interval(secs => ${windowMs / 1000})
        GROUP BY status`;
    },
  };
}

/** The task queries (see {@link createTaskQueries}). */
export type TaskQueries = ReturnType<typeof createTaskQueries>;
