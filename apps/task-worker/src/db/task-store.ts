import type { Database, EncodedPayload, RecordCodec } from '@switchboard/db';
import type { TaskChange, TaskStatus } from '@switchboard/protocol';
import type { Sql, TransactionSql } from 'postgres';
import { type AttemptEnd, nextStep } from '../domain/attempt-end.ts';
import { TASK_COLUMNS, type TaskRow, taskRecord } from './task-row.ts';

/** A task ready to store. */
export interface NewTask {
  id: string;
  type: string;
  status: 'queued' | 'scheduled';
  priority: number;
  /** The input serialized (UTF-8 JSON); the store encodes it (compression, encryption). */
  input: Buffer;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  submittedBy: string;
  idempotencyKey: string | null;
  /** Null: now. */
  runAt: Date | null;
  /** Tasks that must succeed first (it is `scheduled` and blocked until then). */
  dependsOn: string[];
}

/** What storing one task came to: the task stored, or the first one with its idempotency key. */
export interface Submitted {
  taskId: string;
  status: TaskStatus;
  duplicate: boolean;
}

/** A task claimed for an executor, with what its push carries. */
export interface ClaimedTask {
  taskId: string;
  type: string;
  attempt: number;
  agentId: string;
  row: Pick<
    TaskRow,
    'id' | 'input' | 'input_codec' | 'input_key_id' | 'input_nonce' | 'input_format_version'
  >;
  deadline: Date;
  /** How long it waited, from due to claimed. */
  waitMs: number;
}

/** The end of one attempt, reported by its executor or found by the sweep. */
export interface AttemptReport {
  taskId: string;
  attempt: number;
  /** Only this agent's attempt (null: whoever holds it, for the sweep). */
  agentId: string | null;
  end: AttemptEnd;
  /** Stored when the attempt succeeded (serialized; the store encodes it). */
  result?: Buffer;
  /** Stored when it failed (kept as the last error while retried). */
  error?: Buffer;
  reason: string;
}

/** What became of an attempt report: the task's new status, or refused (not the lease holder). */
export type ReportOutcome =
  | { accepted: true; status: TaskStatus; agentId: string | null; runMs: number | null }
  | { accepted: false };

// Many rows travel as one JSON parameter read with jsonb_to_recordset: one statement whatever
// the batch size, and no array-type inference by the driver (which trips on all-null columns).
const records = (rows: unknown) => JSON.stringify(rows);

type ChangeRow = { id: string; type: string; status: TaskStatus; attempt: number; version: number };

const changesOf = (rows: readonly ChangeRow[], what: TaskChange['what'] = 'status') =>
  rows.map((row) => ({
    taskId: row.id,
    type: row.type,
    status: row.status,
    attempt: row.attempt,
    version: row.version,
    what,
  }));

const keyOf = (task: { submittedBy: string; idempotencyKey: string | null }) =>
  task.idempotencyKey === null ? undefined : `${task.submittedBy}\u0000${task.idempotencyKey}`;

type InsertedRow = ChangeRow & { duplicate: boolean; requested: string | null };

/** An encoded payload as JSON fields `<prefix>`, `<prefix>_codec`, ... for jsonb_to_recordset. */
function payloadFields(prefix: string, stored: EncodedPayload | undefined) {
  return {
    [prefix]: stored?.bytes.toString('base64') ?? null,
    [`${prefix}_codec`]: stored?.codec ?? null,
    [`${prefix}_key_id`]: stored?.keyId ?? null,
    [`${prefix}_nonce`]: stored?.nonce?.toString('base64') ?? null,
    [`${prefix}_format_version`]: stored?.formatVersion ?? null,
  };
}

/**
 * Inserts tasks, their first transition and their dependencies in one statement (atomic on its
 * own) on `sql` (the pool or a transaction). Answers the tasks inserted, and for each task whose
 * idempotency key was stored before this statement began, the first task (`requested` names the
 * task that was not stored).
 */
export function insertTasks(
  sql: Sql | TransactionSql,
  fresh: readonly NewTask[],
  codec: RecordCodec,
) {
  return sql<InsertedRow[]>`
    WITH input AS MATERIALIZED (
      SELECT * FROM jsonb_to_recordset(${records(
        fresh.map((task) => ({
          id: task.id,
          type: task.type,
          status: task.status,
          priority: task.priority,
          ...payloadFields('input', codec.encode(task.input, taskRecord(task.id, 'input'))),
          max_attempts: task.maxAttempts,
          backoff_base_ms: task.backoffBaseMs,
          backoff_max_ms: task.backoffMaxMs,
          timeout_ms: task.timeoutMs,
          submitted_by: task.submittedBy,
          idempotency_key: task.idempotencyKey,
          run_at: task.runAt?.toISOString() ?? null,
          depends_on: task.dependsOn,
          blocked: task.dependsOn.length > 0,
        })),
      )}::jsonb) AS t(id uuid, type text, status text, priority smallint, input text,
        input_codec text, input_key_id text, input_nonce text, input_format_version int,
        max_attempts int, backoff_base_ms int, backoff_max_ms int, timeout_ms int,
        submitted_by text, idempotency_key text, run_at timestamptz, depends_on jsonb,
        blocked boolean)
    ), inserted AS (
      INSERT INTO tasks.tasks (id, type, status, priority, input, input_codec, input_key_id,
        input_nonce, input_format_version, max_attempts, backoff_base_ms, backoff_max_ms,
        timeout_ms, submitted_by, idempotency_key, run_at, blocked)
      SELECT id, type, status, priority, decode(input, 'base64'), input_codec, input_key_id,
        decode(input_nonce, 'base64'), input_format_version, max_attempts,
        backoff_base_ms, backoff_max_ms, timeout_ms, submitted_by, idempotency_key,
        coalesce(run_at, now()), blocked
      FROM input
      ON CONFLICT DO NOTHING
      RETURNING id, type, status, attempt, version
    ), history AS (
      INSERT INTO tasks.transitions (task_id, from_status, to_status, attempt, reason)
      SELECT id, NULL, status, 0, 'submitted' FROM inserted
    ), waits AS (
      INSERT INTO tasks.dependencies (task_id, depends_on)
      SELECT i.id, d.value::uuid FROM input i JOIN inserted USING (id)
      CROSS JOIN LATERAL jsonb_array_elements_text(i.depends_on) AS d(value)
      ON CONFLICT DO NOTHING
    )
    SELECT id, type, status, attempt, version, false AS duplicate, NULL::uuid AS requested
    FROM inserted
    UNION ALL
    SELECT t.id, t.type, t.status, t.attempt, t.version, true, i.id
    FROM tasks.tasks t JOIN input i
      ON t.submitted_by = i.submitted_by AND t.idempotency_key = i.idempotency_key`;
}

/**
 * Tasks and their transitions in the `tasks` schema. Every method handles many items in one
 * statement or transaction, and returns the changes it made (for the `task.changed` event).
 */
export function createTaskStore(database: Database, namespace: string, codec: RecordCodec) {
  const { sql } = database;
  // Advisory locks are per database; the namespace keeps two namespaces sharing one apart.
  const lockSpace = sql`hashtext(${`tasks:${namespace}`})`;

  async function existingByKey(
    tasks: readonly NewTask[],
  ): Promise<Map<string, { id: string; status: TaskStatus }>> {
    const rows = await sql<
      { id: string; status: TaskStatus; submitted_by: string; idempotency_key: string }[]
    >`
      SELECT t.id, t.status, t.submitted_by, t.idempotency_key FROM tasks.tasks t
      JOIN jsonb_to_recordset(${records(
        tasks.map((task) => ({ by: task.submittedBy, key: task.idempotencyKey })),
      )}::jsonb) AS k(by text, key text) ON t.submitted_by = k.by AND t.idempotency_key = k.key`;
    return new Map(
      rows.map((row) => [
        `${row.submitted_by}\u0000${row.idempotency_key}`,
        { id: row.id, status: row.status },
      ]),
    );
  }

  return {
    /**
     * Stores tasks and their first transition in one statement. A task whose idempotency key
     * (per submitter) was stored before, or appears earlier in `batch`, is not stored: it answers
     * with the first task (`duplicate: true`).
     */
    async submit(
      batch: readonly NewTask[],
    ): Promise<{ results: Submitted[]; changes: TaskChange[] }> {
      const leaders = new Map<string, NewTask>();
      const fresh: NewTask[] = [];
      for (const task of batch) {
        const key = keyOf(task);
        if (key !== undefined && leaders.has(key)) continue;
        if (key !== undefined) leaders.set(key, task);
        fresh.push(task);
      }
      const rows = await insertTasks(sql, fresh, codec);
      const stored = new Map<string, Submitted>();
      const inserted: ChangeRow[] = [];
      for (const row of rows) {
        if (row.duplicate) {
          stored.set(row.requested as string, {
            taskId: row.id,
            status: row.status,
            duplicate: true,
          });
        } else {
          stored.set(row.id, { taskId: row.id, status: row.status, duplicate: false });
          inserted.push(row);
        }
      }
      // Stored by a transaction still open when this statement began: read it now.
      const late = fresh.filter((task) => !stored.has(task.id) && keyOf(task) !== undefined);
      const lateFound = late.length === 0 ? new Map() : await existingByKey(late);
      const results = batch.map((task): Submitted => {
        const key = keyOf(task);
        const leader = key === undefined ? task : (leaders.get(key) as NewTask);
        const first = stored.get(leader.id);
        if (first !== undefined) {
          return leader === task ? first : { ...first, duplicate: true };
        }
        const found = lateFound.get(key as string) as { id: string; status: TaskStatus };
        return { taskId: found.id, status: found.status, duplicate: true };
      });
      return { results, changes: changesOf(inserted) };
    },

    /**
     * Claims due queued tasks of `types` (highest priority first, then due time, then
     * submission order) and leases each to the agent `assign` picks (given the tasks, the
     * agents' running counts and the running counts of the `limited` types); a task it picks
     * nobody for stays queued. `FOR UPDATE SKIP LOCKED` keeps replicas off each other's claims;
     * a type with a concurrency limit is claimed by one replica at a time (a transaction-scoped
     * advisory lock, skipped by the others), so its running count is exact.
     */
    async claim(
      candidateTypes: readonly string[],
      limited: readonly string[],
      settings: { limit: number; leaseMs: number },
      assign: (
        tasks: ReadonlyArray<{ id: string; type: string }>,
        running: Map<string, number>,
        runningByType: Map<string, number>,
      ) => Map<string, string>,
    ): Promise<{ claimed: ClaimedTask[]; changes: TaskChange[] }> {
      if (candidateTypes.length === 0) return { claimed: [], changes: [] };
      return sql.begin(async (tx) => {
        // The locks come first, in their own statement: the counts below then see every task
        // another replica started for these types.
        const lockedRows =
          limited.length === 0
            ? []
            : await tx<{ type: string }[]>`
                SELECT l.type FROM jsonb_array_elements_text(${records(limited)}::jsonb) AS l(type)
                WHERE pg_try_advisory_xact_lock(${lockSpace}, hashtext(l.type))`;
        const locked = new Set(lockedRows.map((row) => row.type));
        const limitedSet = new Set(limited);
        const types = candidateTypes.filter((type) => !limitedSet.has(type) || locked.has(type));
        if (types.length === 0) return { claimed: [], changes: [] };
        const byType =
          locked.size === 0
            ? []
            : await tx<{ type: string; running: number }[]>`
                SELECT type, count(*)::int AS running FROM tasks.tasks
                WHERE status = 'running'
                  AND type IN (SELECT jsonb_array_elements_text(${records([...locked])}::jsonb))
                GROUP BY type`;
        const due = await tx<{ id: string; type: string }[]>`
          SELECT id, type FROM tasks.tasks
          WHERE status = 'queued' AND run_at <= now()
            AND type IN (SELECT jsonb_array_elements_text(${records(types)}::jsonb))
          ORDER BY priority DESC, run_at, seq
          LIMIT ${settings.limit}
          FOR UPDATE SKIP LOCKED`;
        if (due.length === 0) return { claimed: [], changes: [] };
        const loads = await tx<{ agent_id: string; running: number }[]>`
          SELECT agent_id, count(*)::int AS running FROM tasks.tasks
          WHERE status = 'running' AND type IN (SELECT jsonb_array_elements_text(${records(types)}::jsonb))
          GROUP BY agent_id`;
        const assigned = assign(
          due,
          new Map(loads.map((row) => [row.agent_id, row.running])),
          new Map(byType.map((row) => [row.type, row.running])),
        );
        if (assigned.size === 0) return { claimed: [], changes: [] };
        const rows = await tx<
          (ChangeRow &
            ClaimedTask['row'] & {
              agent_id: string;
              deadline_at: Date | string;
              wait_ms: number;
            })[]
        >`
          WITH a AS (
            SELECT * FROM jsonb_to_recordset(${records(
              [...assigned].map(([id, agentId]) => ({ id, agent_id: agentId })),
            )}::jsonb) AS a(id uuid, agent_id text)
          ), claimed AS (
            UPDATE tasks.tasks t
            SET status = 'running', attempt = t.attempt + 1, agent_id = a.agent_id,
              started_at = now(), lease_until = now() + ${settings.leaseMs} * interval '1 millisecond',
              deadline_at = now() + t.timeout_ms * interval '1 millisecond', version = t.version + 1
            FROM a WHERE t.id = a.id
            RETURNING t.id, t.type, t.status, t.attempt, t.version, t.agent_id, t.deadline_at,
              (extract(epoch FROM now() - t.run_at) * 1000)::int AS wait_ms,
              t.input, t.input_codec, t.input_key_id, t.input_nonce, t.input_format_version
          ), history AS (
            INSERT INTO tasks.transitions (task_id, from_status, to_status, attempt, agent_id)
            SELECT id, 'queued', 'running', attempt, agent_id FROM claimed
          )
          SELECT * FROM claimed`;
        return {
          claimed: rows.map((row) => ({
            taskId: row.id,
            type: row.type,
            attempt: row.attempt,
            agentId: row.agent_id,
            row,
            deadline: new Date(row.deadline_at),
            waitMs: row.wait_ms,
          })),
          changes: changesOf(rows),
        };
      });
    },

    /**
     * Puts claimed attempts back in the queue at once without counting them (their push reached
     * no socket), unless something else ended them first.
     */
    async release(
      attempts: ReadonlyArray<{ taskId: string; attempt: number }>,
      reason: string,
    ): Promise<TaskChange[]> {
      if (attempts.length === 0) return [];
      const rows = await sql<ChangeRow[]>`
        WITH r AS (
          SELECT * FROM jsonb_to_recordset(${records(
            attempts.map((a) => ({ id: a.taskId, attempt: a.attempt })),
          )}::jsonb) AS r(id uuid, attempt int)
        ), released AS (
          UPDATE tasks.tasks t
          SET status = 'queued', attempt = t.attempt - 1, agent_id = NULL, lease_until = NULL,
            deadline_at = NULL, started_at = NULL, version = t.version + 1
          FROM r WHERE t.id = r.id AND t.attempt = r.attempt AND t.status = 'running'
          RETURNING t.id, t.type, t.status, t.attempt, t.version, r.attempt AS released_attempt
        ), history AS (
          INSERT INTO tasks.transitions (task_id, from_status, to_status, attempt, reason)
          SELECT id, 'running', 'queued', released_attempt, ${reason} FROM released
        )
        SELECT id, type, status, attempt, version FROM released`;
      return changesOf(rows);
    },

    /**
     * Ends attempts: each report is applied only while its attempt is running and held by its
     * agent (the sweep's only while the lease or deadline has passed); the task is retried after
     * a backoff or ends in a final status (DESIGN.md, Tasks). Others are refused, changing
     * nothing: so a task never succeeds twice.
     */
    async report(
      reports: readonly AttemptReport[],
    ): Promise<{ outcomes: ReportOutcome[]; changes: TaskChange[] }> {
      if (reports.length === 0) return { outcomes: [], changes: [] };
      return sql.begin(async (tx) => {
        // Locked in id order: two batches naming the same tasks never deadlock.
        const current = await tx<
          {
            id: string;
            status: TaskStatus;
            attempt: number;
            agent_id: string | null;
            max_attempts: number;
            backoff_base_ms: number;
            backoff_max_ms: number;
            lease_expired: boolean;
            past_deadline: boolean;
            run_ms: number | null;
          }[]
        >`
          SELECT id, status, attempt, agent_id, max_attempts, backoff_base_ms, backoff_max_ms,
            coalesce(lease_until < now(), false) AS lease_expired,
            coalesce(deadline_at < now(), false) AS past_deadline,
            (extract(epoch FROM now() - started_at) * 1000)::int AS run_ms
          FROM tasks.tasks
          WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text(${records(
            reports.map((r) => r.taskId),
          )}::jsonb))
          ORDER BY id
          FOR UPDATE`;
        const byId = new Map(current.map((row) => [row.id, row]));
        const taken = new Set<string>();
        const updates: Array<Record<string, unknown>> = [];
        const outcomes = reports.map((report): ReportOutcome => {
          const row = byId.get(report.taskId);
          if (
            row === undefined ||
            taken.has(row.id) ||
            row.status !== 'running' ||
            row.attempt !== report.attempt ||
            (report.agentId !== null && row.agent_id !== report.agentId) ||
            (report.end.kind === 'lease_expired' && !row.lease_expired) ||
            (report.end.kind === 'timed_out' && !row.past_deadline)
          ) {
            return { accepted: false };
          }
          taken.add(row.id);
          const step = nextStep(
            report.end,
            row.attempt,
            {
              maxAttempts: row.max_attempts,
              backoffBaseMs: row.backoff_base_ms,
              backoffMaxMs: row.backoff_max_ms,
            },
            Math.random(),
          );
          const status: TaskStatus = step.retry ? 'queued' : step.status;
          updates.push({
            id: row.id,
            status,
            delay_ms: step.retry ? step.delayMs : 0,
            final: !step.retry,
            ...payloadFields(
              'result',
              report.result && codec.encode(report.result, taskRecord(row.id, 'result')),
            ),
            ...payloadFields(
              'error',
              report.error && codec.encode(report.error, taskRecord(row.id, 'error')),
            ),
            attempt: row.attempt,
            agent_id: row.agent_id,
            reason: report.reason,
          });
          return { accepted: true, status, agentId: row.agent_id, runMs: row.run_ms };
        });
        if (updates.length === 0) return { outcomes, changes: [] };
        const rows = await tx<ChangeRow[]>`
          WITH u AS (
            SELECT * FROM jsonb_to_recordset(${records(updates)}::jsonb)
              AS u(id uuid, status text, delay_ms int, final boolean, result text,
                result_codec text, result_key_id text, result_nonce text, result_format_version int,
                error text, error_codec text, error_key_id text, error_nonce text,
                error_format_version int, attempt int, agent_id text, reason text)
          ), ended AS (
            UPDATE tasks.tasks t
            SET status = u.status, lease_until = NULL, deadline_at = NULL,
              run_at = CASE WHEN u.final THEN t.run_at
                ELSE now() + u.delay_ms * interval '1 millisecond' END,
              finished_at = CASE WHEN u.final THEN now() END,
              result = coalesce(decode(u.result, 'base64'), t.result),
              result_codec = coalesce(u.result_codec, t.result_codec),
              result_key_id = CASE WHEN u.result IS NULL THEN t.result_key_id ELSE u.result_key_id END,
              result_nonce = CASE WHEN u.result IS NULL THEN t.result_nonce
                ELSE decode(u.result_nonce, 'base64') END,
              result_format_version = coalesce(u.result_format_version, t.result_format_version),
              error = coalesce(decode(u.error, 'base64'), t.error),
              error_codec = coalesce(u.error_codec, t.error_codec),
              error_key_id = CASE WHEN u.error IS NULL THEN t.error_key_id ELSE u.error_key_id END,
              error_nonce = CASE WHEN u.error IS NULL THEN t.error_nonce
                ELSE decode(u.error_nonce, 'base64') END,
              error_format_version = coalesce(u.error_format_version, t.error_format_version),
              version = t.version + 1
            FROM u WHERE t.id = u.id
            RETURNING t.id, t.type, t.status, t.attempt, t.version
          ), history AS (
            INSERT INTO tasks.transitions (task_id, from_status, to_status, attempt, agent_id, reason)
            SELECT id, 'running', status, attempt, agent_id, reason FROM u
          )
          SELECT * FROM ended`;
        return { outcomes, changes: changesOf(rows) };
      });
    },

    /** Running attempts whose lease or deadline has passed (the sweep reports them ended). */
    async overdue(
      limit: number,
    ): Promise<Array<{ taskId: string; attempt: number; agentId: string; timedOut: boolean }>> {
      const rows = await sql<
        { id: string; attempt: number; agent_id: string; timed_out: boolean }[]
      >`
        SELECT id, attempt, agent_id, deadline_at < now() AS timed_out FROM tasks.tasks
        WHERE status = 'running' AND (lease_until < now() OR deadline_at < now())
        LIMIT ${limit}`;
      return rows.map((row) => ({
        taskId: row.id,
        attempt: row.attempt,
        agentId: row.agent_id,
        timedOut: row.timed_out,
      }));
    },

    /**
     * Settles tasks waiting on dependencies: one whose dependency failed, was cancelled or timed
     * out is cancelled; one whose dependencies all succeeded is unblocked (and queued by
     * {@link promoteDue} once due). A dependency that no longer exists counts as not succeeded:
     * retention deletes a final task only while no unfinished task depends on it, but a submit
     * checks its dependencies before it stores the task, and retention may delete one between.
     */
    async resolveDependencies(limit: number): Promise<TaskChange[]> {
      const cancelled = await sql<ChangeRow[]>`
        WITH doomed AS (
          SELECT w.id FROM tasks.tasks w
          WHERE w.status = 'scheduled' AND w.blocked AND EXISTS (
            SELECT 1 FROM tasks.dependencies d LEFT JOIN tasks.tasks p ON p.id = d.depends_on
            WHERE d.task_id = w.id
              AND (p.id IS NULL OR p.status IN ('failed', 'cancelled', 'timed_out')))
          LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ), ended AS (
          UPDATE tasks.tasks t SET status = 'cancelled', blocked = false, finished_at = now(),
            version = t.version + 1
          FROM doomed WHERE t.id = doomed.id
          RETURNING t.id, t.type, t.status, t.attempt, t.version
        ), history AS (
          INSERT INTO tasks.transitions (task_id, from_status, to_status, attempt, reason)
          SELECT id, 'scheduled', 'cancelled', attempt, 'a dependency did not succeed' FROM ended
        )
        SELECT * FROM ended`;
      await sql`
        UPDATE tasks.tasks t SET blocked = false, version = t.version + 1
        WHERE t.id IN (
          SELECT w.id FROM tasks.tasks w
          WHERE w.status = 'scheduled' AND w.blocked AND NOT EXISTS (
            SELECT 1 FROM tasks.dependencies d LEFT JOIN tasks.tasks p ON p.id = d.depends_on
            WHERE d.task_id = w.id AND (p.id IS NULL OR p.status <> 'succeeded'))
          LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
      return changesOf(cancelled);
    },

    /** Which of `taskIds` exist. */
    async existing(taskIds: readonly string[]): Promise<Set<string>> {
      const rows = await sql<{ id: string }[]>`
        SELECT id FROM tasks.tasks
        WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text(${records(taskIds)}::jsonb))`;
      return new Set(rows.map((row) => row.id));
    },

    /** Moves scheduled tasks whose time has come to the queue. */
    async promoteDue(limit: number): Promise<TaskChange[]> {
      const rows = await sql<ChangeRow[]>`
        WITH due AS (
          UPDATE tasks.tasks t SET status = 'queued', version = t.version + 1
          WHERE t.id IN (
            SELECT id FROM tasks.tasks WHERE status = 'scheduled' AND NOT blocked AND run_at <= now()
            ORDER BY run_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
          RETURNING t.id, t.type, t.status, t.attempt, t.version
        ), history AS (
          INSERT INTO tasks.transitions (task_id, from_status, to_status, attempt, reason)
          SELECT id, 'scheduled', 'queued', attempt, 'due' FROM due
        )
        SELECT * FROM due`;
      return changesOf(rows);
    },

    /**
     * Cancels a task that is not final yet; undefined when it is final (or unknown). Returns the
     * status and attempt it had, and the agent that was running it.
     */
    async cancel(
      taskId: string,
      reason: string,
    ): Promise<
      | { from: TaskStatus; attempt: number; agentId: string | null; changes: TaskChange[] }
      | undefined
    > {
      return sql.begin(async (tx) => {
        const [row] = await tx<{ status: TaskStatus; attempt: number; agent_id: string | null }[]>`
          SELECT status, attempt, agent_id FROM tasks.tasks WHERE id = ${taskId} FOR UPDATE`;
        if (
          row === undefined ||
          ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(row.status)
        ) {
          return undefined;
        }
        const rows = await tx<ChangeRow[]>`
          UPDATE tasks.tasks SET status = 'cancelled', lease_until = NULL, deadline_at = NULL,
            finished_at = now(), version = version + 1
          WHERE id = ${taskId}
          RETURNING id, type, status, attempt, version`;
        await tx`
          INSERT INTO tasks.transitions (task_id, from_status, to_status, attempt, agent_id, reason)
          VALUES (${taskId}, ${row.status}, 'cancelled', ${row.attempt},
            ${row.status === 'running' ? row.agent_id : null}, ${reason})`;
        return {
          from: row.status,
          attempt: row.attempt,
          agentId: row.agent_id,
          changes: changesOf(rows),
        };
      });
    },

    /** Stores the progress of a running attempt held by `agentId`; undefined when it is not. */
    async progress(
      agentId: string,
      taskId: string,
      attempt: number,
      progress: Buffer,
    ): Promise<TaskChange | undefined> {
      const stored = codec.encode(progress, taskRecord(taskId, 'progress'));
      const rows = await sql<ChangeRow[]>`
        UPDATE tasks.tasks SET progress = ${stored.bytes}, progress_codec = ${stored.codec},
          progress_key_id = ${stored.keyId}, progress_nonce = ${stored.nonce},
          progress_format_version = ${stored.formatVersion}, version = version + 1
        WHERE id = ${taskId} AND attempt = ${attempt} AND agent_id = ${agentId}
          AND status = 'running'
        RETURNING id, type, status, attempt, version`;
      return changesOf(rows, 'progress')[0];
    },

    /** Renews the leases `agentId` still holds; returns the task ids it no longer holds. */
    async heartbeat(
      agentId: string,
      leases: ReadonlyArray<{ taskId: string; attempt: number }>,
      leaseMs: number,
    ): Promise<string[]> {
      const rows = await sql<{ id: string }[]>`
        UPDATE tasks.tasks t
        SET lease_until = now() + ${leaseMs} * interval '1 millisecond'
        FROM jsonb_to_recordset(${records(
          leases.map((lease) => ({ id: lease.taskId, attempt: lease.attempt })),
        )}::jsonb) AS l(id uuid, attempt int)
        WHERE t.id = l.id AND t.attempt = l.attempt AND t.agent_id = ${agentId}
          AND t.status = 'running'
        RETURNING t.id`;
      const renewed = new Set(rows.map((row) => row.id));
      return leases.filter((lease) => !renewed.has(lease.taskId)).map((lease) => lease.taskId);
    },

    /** One task, or undefined. */
    async get(taskId: string): Promise<TaskRow | undefined> {
      const [row] = await sql<TaskRow[]>`
        SELECT ${sql.unsafe(TASK_COLUMNS)} FROM tasks.tasks t WHERE t.id = ${taskId}`;
      return row;
    },
  };
}

/** The task store (see {@link createTaskStore}). */
export type TaskStore = ReturnType<typeof createTaskStore>;
