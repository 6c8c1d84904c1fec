import { type Database, isoOf, type RecordCodec } from '@switchboard/db';
import type { JsonValue, TaskChange, TaskSchedule } from '@switchboard/protocol';
import { scheduleRecord } from './task-row.ts';
import { insertTasks, type NewTask } from './task-store.ts';

/** A schedule ready to store. */
export interface NewSchedule {
  name: string;
  type: string;
  cron: string;
  timezone: string;
  /** Serialized (UTF-8 JSON); the store encodes it. */
  input: Buffer;
  priority: number | null;
  nextRunAt: Date;
  createdBy: string;
}

interface ScheduleRow {
  name: string;
  type: string;
  cron: string;
  timezone: string;
  input: Buffer;
  input_codec: string;
  input_key_id: string | null;
  input_nonce: Buffer | null;
  input_format_version: number;
  priority: number | null;
  next_run_at: Date | string;
  last_task_id: string | null;
  created_by: string;
  created_at: Date | string;
}

/** A schedule whose tick has come, as the sweep plans its task. */
export type DueSchedule = TaskSchedule;

function scheduleOf(row: ScheduleRow, codec: RecordCodec): TaskSchedule {
  return {
    name: row.name,
    type: row.type,
    cron: row.cron,
    timezone: row.timezone,
    input: codec.decode(
      {
        bytes: row.input,
        codec: row.input_codec,
        keyId: row.input_key_id,
        nonce: row.input_nonce,
        formatVersion: row.input_format_version,
      },
      scheduleRecord(row.name),
    ) as JsonValue,
    priority: row.priority,
    nextRunAt: isoOf(row.next_run_at),
    lastTaskId: row.last_task_id,
    createdBy: row.created_by,
    createdAt: isoOf(row.created_at),
  };
}

/** Cron schedules and their firing. */
export function createScheduleStore(database: Database, codec: RecordCodec) {
  const { sql } = database;
  const scheduleOfRow = (row: ScheduleRow) => scheduleOf(row, codec);
  return {
    /** Creates or replaces a schedule. */
    async put(schedule: NewSchedule): Promise<TaskSchedule> {
      const input = codec.encode(schedule.input, scheduleRecord(schedule.name));
      const [row] = await sql<ScheduleRow[]>`
        INSERT INTO tasks.schedules (name, type, cron, timezone, input, input_codec,
          input_key_id, input_nonce, input_format_version, priority, next_run_at, created_by)
        VALUES (${schedule.name}, ${schedule.type}, ${schedule.cron}, ${schedule.timezone},
          ${input.bytes}, ${input.codec}, ${input.keyId}, ${input.nonce}, ${input.formatVersion},
          ${schedule.priority}, ${schedule.nextRunAt.toISOString()}::timestamptz,
          ${schedule.createdBy})
        ON CONFLICT (name) DO UPDATE SET type = excluded.type, cron = excluded.cron,
          timezone = excluded.timezone, input = excluded.input, input_codec = excluded.input_codec,
          input_key_id = excluded.input_key_id, input_nonce = excluded.input_nonce,
          input_format_version = excluded.input_format_version, priority = excluded.priority,
          next_run_at = excluded.next_run_at, created_by = excluded.created_by
        RETURNING *`;
      return scheduleOfRow(row as ScheduleRow);
    },

    async list(): Promise<TaskSchedule[]> {
      const rows = await sql<ScheduleRow[]>`SELECT * FROM tasks.schedules ORDER BY name`;
      return rows.map(scheduleOfRow);
    },

    async get(name: string): Promise<TaskSchedule | undefined> {
      const [row] = await sql<ScheduleRow[]>`SELECT * FROM tasks.schedules WHERE name = ${name}`;
      return row === undefined ? undefined : scheduleOfRow(row);
    },

    async delete(name: string): Promise<boolean> {
      const rows = await sql`DELETE FROM tasks.schedules WHERE name = ${name} RETURNING name`;
      return rows.count > 0;
    },

    /**
     * Fires the schedules whose tick has come: in one transaction, locks them (`SKIP LOCKED`:
     * each tick is fired by one replica), stores the task `plan` makes for each and moves each
     * to its next tick. The task's idempotency key names the schedule and the tick, so a tick is
     * never stored twice even if two replicas raced.
     */
    async fireDue(
      limit: number,
      plan: (due: DueSchedule[]) => Promise<Array<{ task: NewTask; nextRunAt: Date }>>,
    ): Promise<TaskChange[]> {
      return sql.begin(async (tx) => {
        const rows = await tx<ScheduleRow[]>`
          SELECT * FROM tasks.schedules WHERE next_run_at <= now()
          ORDER BY next_run_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
        if (rows.length === 0) return [];
        const due = rows.map(scheduleOfRow);
        const planned = await plan(due);
        const inserted = await insertTasks(
          tx,
          planned.map((entry) => entry.task),
          codec,
        );
        const stored = new Set(inserted.filter((row) => !row.duplicate).map((row) => row.id));
        await tx`
          UPDATE tasks.schedules s
          SET next_run_at = p.next_run_at, last_task_id = coalesce(p.task_id, s.last_task_id)
          FROM jsonb_to_recordset(${JSON.stringify(
            planned.map((entry, index) => ({
              name: due[index]?.name,
              next_run_at: entry.nextRunAt.toISOString(),
              task_id: stored.has(entry.task.id) ? entry.task.id : null,
            })),
          )}::jsonb) AS p(name text, next_run_at timestamptz, task_id uuid)
          WHERE s.name = p.name`;
        return inserted
          .filter((row) => !row.duplicate)
          .map((row) => ({
            taskId: row.id,
            type: row.type,
            status: row.status,
            attempt: row.attempt,
            version: row.version,
            what: 'status' as const,
          }));
      });
    },
  };
}

/** The schedule store (see {@link createScheduleStore}). */
export type ScheduleStore = ReturnType<typeof createScheduleStore>;
