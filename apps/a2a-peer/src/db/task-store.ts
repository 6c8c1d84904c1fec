import { StreamResponse, Task, type TaskPushNotificationConfig, TaskState } from '@a2a-js/sdk';
import { type Database, encodePayload, type RecordCodec } from '@switchboard/db';
import { type JsonValue, SbError } from '@switchboard/protocol';
import type postgres from 'postgres';
import type { Applied } from '../domain/task-machine.ts';
import { payloadColumnsOf, storedPayloadOf } from './payload-columns.ts';
import { pushConfigRecord, pushQueueRecord, taskEventRecord, taskRecord } from './task-payloads.ts';

/** A task row: the A2A task and what the peer keeps beside it. */
export interface TaskRow {
  task: Task;
  seq: number;
  target: string;
  skill: string | null;
  agentId: string | null;
  owner: string;
}

/** A stored stream response of a task, with its place in the task's order. */
export interface StoredEvent {
  seq: number;
  event: StreamResponse;
}

/** A push notification claimed for sending. */
export interface ClaimedPush {
  id: number;
  taskId: string;
  configId: string;
  attempts: number;
  event: StreamResponse;
}

interface RawTaskRow {
  id: string;
  seq: string | number;
  target: string;
  skill: string | null;
  agent_id: string | null;
  owner: string;
  record: Buffer;
  record_codec: string;
  record_key_id: string | null;
  record_nonce: Buffer | null;
  record_format_version: number;
}

type Tx = postgres.TransactionSql;

/** A task's state as its column holds it: the spec's name (`TASK_STATE_WORKING`). */
export const stateName = (task: Task): string => TaskState[task.status?.state ?? 0] ?? 'UNKNOWN';

/**
 * The A2A peer's tables (schema `a2a`): tasks, their event log, the inbound messages already
 * routed, push configs and the push queue. Payloads (task records, events, configs) go through
 * the record codec, bound to their row.
 */
export function createTaskStore(database: Database, codec: RecordCodec) {
  const { sql } = database;

  const encode = (value: JsonValue, record: string) => codec.encode(encodePayload(value), record);

  const taskOf = (row: RawTaskRow): TaskRow => ({
    task: Task.fromJSON(codec.decode(storedPayloadOf(row, 'record'), taskRecord(row.id))),
    seq: Number(row.seq),
    target: row.target,
    skill: row.skill,
    agentId: row.agent_id,
    owner: row.owner,
  });

  // Appends a change's events and queues one push per config of the task, in the caller's tx.
  // Ids come first (nextval) so each payload is sealed to its own row.
  async function appendEvents(
    tx: Tx,
    taskId: string,
    events: readonly StreamResponse[],
    updateId: string | null,
  ): Promise<number> {
    if (events.length === 0) return 0;
    const configs = await tx<{ id: string }[]>`
      SELECT id FROM a2a.push_configs WHERE task_id = ${taskId}`;
    const seqs = await tx<{ id: string }[]>`
      SELECT nextval('a2a.task_events_seq_seq') AS id FROM generate_series(1, ${events.length})`;
    const pushIds =
      configs.length === 0
        ? []
        : await tx<{ id: string }[]>`
            SELECT nextval('a2a.push_queue_id_seq') AS id
            FROM generate_series(1, ${events.length * configs.length})`;
    const eventRows = [];
    const pushRows = [];
    for (const [index, event] of events.entries()) {
      const json = StreamResponse.toJSON(event) as JsonValue;
      const seq = String(seqs[index]?.id);
      // The first event carries the update id, so the same update applied twice fails here.
      eventRows.push({
        seq,
        task_id: taskId,
        update_id: index === 0 ? updateId : null,
        ...payloadColumnsOf('event', encode(json, taskEventRecord(seq))),
      });
      for (const [at, config] of configs.entries()) {
        const id = String(pushIds[index * configs.length + at]?.id);
        pushRows.push({
          id,
          task_id: taskId,
          config_id: config.id,
          ...payloadColumnsOf('event', encode(json, pushQueueRecord(id))),
        });
      }
    }
    await tx`INSERT INTO a2a.task_events ${tx(eventRows)}`;
    if (pushRows.length > 0) await tx`INSERT INTO a2a.push_queue ${tx(pushRows)}`;
    return Number(seqs.at(-1)?.id);
  }

  const recordOf = (task: Task) =>
    payloadColumnsOf('record', encode(Task.toJSON(task) as JsonValue, taskRecord(task.id)));

  async function writeTask(tx: Tx, task: Task, agentId: string | null): Promise<void> {
    const record = recordOf(task);
    await tx`
      UPDATE a2a.tasks SET ${tx({ ...record, state: stateName(task), agent_id: agentId })},
        updated_at = now()
      WHERE id = ${task.id}`;
  }

  // A change of a task whose row `tx` holds locked (see `change`).
  async function changeLocked(
    tx: Tx,
    raw: RawTaskRow,
    change: (row: TaskRow) => { applied: Applied; agentId: string | null },
    options: { updateId?: string; received?: { messageId: string; routerMessageId: string } },
  ): Promise<{ row: TaskRow; duplicate: boolean; lastSeq: number }> {
    const taskId = raw.id;
    const current = taskOf(raw);
    if (options.updateId !== undefined) {
      const [seen] = await tx`
        SELECT 1 FROM a2a.task_events WHERE task_id = ${taskId} AND update_id = ${options.updateId}`;
      if (seen !== undefined) return { row: current, duplicate: true, lastSeq: 0 };
    }
    if (options.received !== undefined) {
      const [seen] = await tx`
        SELECT 1 FROM a2a.received_messages
        WHERE task_id = ${taskId} AND message_id = ${options.received.messageId}`;
      if (seen !== undefined) return { row: current, duplicate: true, lastSeq: 0 };
      await tx`
        INSERT INTO a2a.received_messages (task_id, message_id, router_message_id)
        VALUES (${taskId}, ${options.received.messageId}, ${options.received.routerMessageId})`;
    }
    const { applied, agentId } = change(current);
    // No events, no change (a moot update): the row, its last-change time (the undelivered
    // sweep's clock) and its agent stay as they were, and no update id is recorded.
    if (applied.events.length === 0) return { row: current, duplicate: false, lastSeq: 0 };
    await writeTask(tx, applied.task, agentId);
    const lastSeq = await appendEvents(tx, taskId, applied.events, options.updateId ?? null);
    return { row: { ...current, task: applied.task, agentId }, duplicate: false, lastSeq };
  }

  async function putConfig(tx: Tx, config: TaskPushNotificationConfig): Promise<void> {
    const stored = encode(
      {
        url: config.url,
        token: config.token,
        authentication: config.authentication === undefined ? null : { ...config.authentication },
      },
      pushConfigRecord(config.taskId, config.id),
    );
    const row = { task_id: config.taskId, id: config.id, ...payloadColumnsOf('config', stored) };
    await tx`
      INSERT INTO a2a.push_configs ${tx(row)}
      ON CONFLICT (task_id, id) DO UPDATE SET config = EXCLUDED.config,
        config_codec = EXCLUDED.config_codec, config_key_id = EXCLUDED.config_key_id,
        config_nonce = EXCLUDED.config_nonce, config_format_version = EXCLUDED.config_format_version`;
  }

  const configOf = (row: {
    task_id: string;
    id: string;
    config: Buffer;
    config_codec: string;
    config_key_id: string | null;
    config_nonce: Buffer | null;
    config_format_version: number;
  }): TaskPushNotificationConfig => {
    const value = codec.decode(
      storedPayloadOf(row, 'config'),
      pushConfigRecord(row.task_id, row.id),
    ) as {
      url: string;
      token: string;
      authentication: { scheme: string; credentials: string } | null;
    };
    return {
      tenant: '',
      id: row.id,
      taskId: row.task_id,
      url: value.url,
      token: value.token,
      authentication: value.authentication ?? undefined,
    };
  };

  return {
    /**
     * Stores a new task with its first message (routed as `routerMessageId`) and, when the
     * caller gave one, its push config, in one transaction.
     */
    async create(input: {
      applied: Applied;
      target: string;
      skill: string | null;
      agentId: string | null;
      owner: string;
      messageId: string;
      routerMessageId: string;
      pushConfig?: TaskPushNotificationConfig | undefined;
    }): Promise<void> {
      const { task } = input.applied;
      await sql.begin(async (tx) => {
        const row = {
          id: task.id,
          context_id: task.contextId,
          target: input.target,
          skill: input.skill,
          agent_id: input.agentId,
          owner: input.owner,
          state: stateName(task),
          ...recordOf(task),
        };
        await tx`INSERT INTO a2a.tasks ${tx(row)}`;
        await tx`
          INSERT INTO a2a.received_messages (task_id, message_id, router_message_id)
          VALUES (${task.id}, ${input.messageId}, ${input.routerMessageId})`;
        if (input.pushConfig !== undefined) await putConfig(tx, input.pushConfig);
        await appendEvents(tx, task.id, input.applied.events, null);
      });
    },

    /** A task, or undefined. */
    async get(taskId: string): Promise<TaskRow | undefined> {
      const [row] = await sql<RawTaskRow[]>`SELECT * FROM a2a.tasks WHERE id = ${taskId}`;
      return row === undefined ? undefined : taskOf(row);
    },

    /**
     * Changes a task under a row lock: `change` gets the task as it is and returns the change
     * (or throws to refuse it). With an `updateId` already applied, nothing changes and
     * `duplicate` is true. A change without events writes nothing. With `received`, the inbound
     * message is recorded as routed in the same transaction (a re-send of it is then a duplicate
     * too). `lastSeq` is the last event stored, 0 when none was.
     * @throws SbError `E_NOT_FOUND` when there is no such task.
     */
    async change(
      taskId: string,
      change: (row: TaskRow) => { applied: Applied; agentId: string | null },
      options: {
        updateId?: string;
        received?: { messageId: string; routerMessageId: string };
      } = {},
    ): Promise<{ row: TaskRow; duplicate: boolean; lastSeq: number }> {
      return sql.begin(async (tx) => {
        const [raw] = await tx<RawTaskRow[]>`
          SELECT * FROM a2a.tasks WHERE id = ${taskId} FOR UPDATE`;
        if (raw === undefined) throw new SbError('E_NOT_FOUND', `no A2A task ${taskId}`);
        return changeLocked(tx, raw, change, options);
      });
    },

    /**
     * Pushes back the delivery deadline of a task still `submitted` (its message was routed
     * again and the router stored it anew, with a new TTL): the deadline counts from the task's
     * last change.
     */
    async markRouted(taskId: string): Promise<void> {
      await sql`
        UPDATE a2a.tasks SET updated_at = now()
        WHERE id = ${taskId} AND state = 'TASK_STATE_SUBMITTED'`;
    },

    /**
     * Changes at most `limit` tasks that are still `submitted` and last changed more than
     * `olderThanMs` ago, oldest first, each as {@link change} would (events appended, pushes
     * queued, `updateIdOf` recorded), in one transaction. The rows are taken `FOR UPDATE SKIP
     * LOCKED` and the condition holds on the locked row, so replicas running this at once change
     * disjoint tasks, and a task changed meanwhile (taken by its agent, routed again) is left.
     */
    async changeStaleSubmitted(
      olderThanMs: number,
      limit: number,
      change: (row: TaskRow) => { applied: Applied; agentId: string | null },
      updateIdOf: (taskId: string) => string,
    ): Promise<{ row: TaskRow; lastSeq: number }[]> {
      return sql.begin(async (tx) => {
        // Literal state: the partial index tasks_submitted serves only a query the planner can
        // prove matches its predicate.
        const rows = await tx<RawTaskRow[]>`
          SELECT * FROM a2a.tasks
          WHERE state = 'TASK_STATE_SUBMITTED'
            AND updated_at < now() - ${olderThanMs} * interval '1 millisecond'
          ORDER BY updated_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
        const changed = [];
        for (const raw of rows) {
          const result = await changeLocked(tx, raw, change, { updateId: updateIdOf(raw.id) });
          if (!result.duplicate) changed.push({ row: result.row, lastSeq: result.lastSeq });
        }
        return changed;
      });
    },

    /** The router message id an inbound message was routed as, if it was. */
    async routedAs(taskId: string, messageId: string): Promise<string | undefined> {
      const [row] = await sql<{ router_message_id: string }[]>`
        SELECT router_message_id FROM a2a.received_messages
        WHERE task_id = ${taskId} AND message_id = ${messageId}`;
      return row?.router_message_id;
    },

    /** The owner's tasks, newest first, filtered; `cursor` is the `seq` to continue below. */
    async list(input: {
      owner: string;
      target: string;
      contextId?: string | undefined;
      state?: string | undefined;
      updatedAfter?: Date | undefined;
      limit: number;
      cursor?: number | undefined;
    }): Promise<{ rows: TaskRow[]; total: number }> {
      const filters = sql`
        owner = ${input.owner} AND target = ${input.target}
        ${input.contextId === undefined ? sql`` : sql`AND context_id = ${input.contextId}`}
        ${input.state === undefined ? sql`` : sql`AND state = ${input.state}`}
        ${input.updatedAfter === undefined ? sql`` : sql`AND updated_at > ${input.updatedAfter}`}`;
      const rows = await sql<RawTaskRow[]>`
        SELECT * FROM a2a.tasks WHERE ${filters}
        ${input.cursor === undefined ? sql`` : sql`AND seq < ${input.cursor}`}
        ORDER BY seq DESC LIMIT ${input.limit}`;
      const [count] = await sql<{ n: string }[]>`
        SELECT count(*) AS n FROM a2a.tasks WHERE ${filters}`;
      return { rows: rows.map(taskOf), total: Number(count?.n ?? 0) };
    },

    /** A task's events after `afterSeq`, in order. */
    async eventsAfter(taskId: string, afterSeq: number): Promise<StoredEvent[]> {
      const rows = await sql<
        {
          seq: string;
          event: Buffer;
          event_codec: string;
          event_key_id: string | null;
          event_nonce: Buffer | null;
          event_format_version: number;
        }[]
      >`
        SELECT seq, event, event_codec, event_key_id, event_nonce, event_format_version
        FROM a2a.task_events WHERE task_id = ${taskId} AND seq > ${afterSeq} ORDER BY seq`;
      return rows.map((row) => ({
        seq: Number(row.seq),
        event: StreamResponse.fromJSON(
          codec.decode(storedPayloadOf(row, 'event'), taskEventRecord(row.seq)),
        ),
      }));
    },

    /** The newest event seq of a task (0 when none). */
    async lastSeq(taskId: string): Promise<number> {
      const [row] = await sql<{ seq: string | null }[]>`
        SELECT max(seq) AS seq FROM a2a.task_events WHERE task_id = ${taskId}`;
      return Number(row?.seq ?? 0);
    },

    /** Creates or replaces a push config. */
    async putPushConfig(config: TaskPushNotificationConfig): Promise<void> {
      await sql.begin((tx) => putConfig(tx, config));
    },

    /** A task's push configs, by id. */
    async pushConfigs(taskId: string): Promise<TaskPushNotificationConfig[]> {
      const rows = await sql<Parameters<typeof configOf>[0][]>`
        SELECT * FROM a2a.push_configs WHERE task_id = ${taskId} ORDER BY created_at, id`;
      return rows.map(configOf);
    },

    /** Deletes a push config; false when there was none. */
    async deletePushConfig(taskId: string, id: string): Promise<boolean> {
      const deleted = await sql`
        DELETE FROM a2a.push_configs WHERE task_id = ${taskId} AND id = ${id} RETURNING id`;
      return deleted.length > 0;
    },

    /**
     * Claims due push notifications for `leaseMs` (another replica takes them after that if
     * this one dies), oldest first.
     */
    async claimPushes(limit: number, leaseMs: number): Promise<ClaimedPush[]> {
      const rows = await sql<
        {
          id: string;
          task_id: string;
          config_id: string;
          attempts: number;
          event: Buffer;
          event_codec: string;
          event_key_id: string | null;
          event_nonce: Buffer | null;
          event_format_version: number;
        }[]
      >`
        UPDATE a2a.push_queue q SET next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
        FROM (
          SELECT id FROM a2a.push_queue WHERE next_attempt_at <= now()
          ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ) due
        WHERE q.id = due.id
        RETURNING q.id, q.task_id, q.config_id, q.attempts, q.event, q.event_codec,
          q.event_key_id, q.event_nonce, q.event_format_version`;
      return rows
        .map((row) => ({
          id: Number(row.id),
          taskId: row.task_id,
          configId: row.config_id,
          attempts: row.attempts,
          event: StreamResponse.fromJSON(
            codec.decode(storedPayloadOf(row, 'event'), pushQueueRecord(row.id)),
          ),
        }))
        .sort((a, b) => a.id - b.id);
    },

    /** A push config by task and id, or undefined (deleted since the push was queued). */
    async pushConfig(taskId: string, id: string): Promise<TaskPushNotificationConfig | undefined> {
      const [row] = await sql<Parameters<typeof configOf>[0][]>`
        SELECT * FROM a2a.push_configs WHERE task_id = ${taskId} AND id = ${id}`;
      return row === undefined ? undefined : configOf(row);
    },

    /** Drops a push notification (sent, or given up). */
    async removePush(id: number): Promise<void> {
      await sql`DELETE FROM a2a.push_queue WHERE id = ${id}`;
    },

    /** Schedules a failed push notification's next attempt. */
    async retryPush(id: number, delayMs: number, error: string): Promise<void> {
      await sql`
        UPDATE a2a.push_queue SET attempts = attempts + 1, last_error = ${error},
          next_attempt_at = now() + ${delayMs} * interval '1 millisecond'
        WHERE id = ${id}`;
    },

    /** Puts a push notification off without counting an attempt (an earlier one failed). */
    async deferPush(id: number, delayMs: number): Promise<void> {
      await sql`
        UPDATE a2a.push_queue SET next_attempt_at = now() + ${delayMs} * interval '1 millisecond'
        WHERE id = ${id}`;
    },

    /** How many push notifications wait (for stats). */
    async pushBacklog(): Promise<number> {
      const [row] = await sql<{ n: string }[]>`SELECT count(*) AS n FROM a2a.push_queue`;
      return Number(row?.n ?? 0);
    },
  };
}

/** The A2A peer's store (see {@link createTaskStore}). */
export type TaskStore = ReturnType<typeof createTaskStore>;
