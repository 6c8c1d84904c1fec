import {
  isoOf,
  type PayloadTable,
  payloadRecord,
  prefixedPayloadColumns,
  type RecordCodec,
} from '@switchboard/db';
import type { ErrorBody, JsonValue, Task, TaskStatus } from '@switchboard/protocol';

/** A stored payload's columns, as postgres.js returns them (null when never written). */
interface PayloadCells {
  bytes: Buffer | null;
  codec: string;
  keyId: string | null;
  nonce: Buffer | null;
  formatVersion: number;
}

/** The columns of `tasks.tasks` a reader selects (snake_case, as postgres.js returns them). */
export interface TaskRow {
  id: string;
  seq: string | number;
  type: string;
  status: TaskStatus;
  priority: number;
  input: Buffer;
  input_codec: string;
  input_key_id: string | null;
  input_nonce: Buffer | null;
  input_format_version: number;
  result: Buffer | null;
  result_codec: string;
  result_key_id: string | null;
  result_nonce: Buffer | null;
  result_format_version: number;
  error: Buffer | null;
  error_codec: string;
  error_key_id: string | null;
  error_nonce: Buffer | null;
  error_format_version: number;
  progress: Buffer | null;
  progress_codec: string;
  progress_key_id: string | null;
  progress_nonce: Buffer | null;
  progress_format_version: number;
  attempt: number;
  max_attempts: number;
  timeout_ms: number;
  submitted_by: string;
  idempotency_key: string | null;
  agent_id: string | null;
  run_at: Date | string;
  lease_until: Date | string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  version: number;
}

/** The columns of a task every reader selects, prefixed with `t.`. */
export const TASK_COLUMNS = `t.id, t.seq, t.type, t.status, t.priority,
  t.input, t.input_codec, t.input_key_id, t.input_nonce, t.input_format_version,
  t.result, t.result_codec, t.result_key_id, t.result_nonce, t.result_format_version,
  t.error, t.error_codec, t.error_key_id, t.error_nonce, t.error_format_version,
  t.progress, t.progress_codec, t.progress_key_id, t.progress_nonce, t.progress_format_version,
  t.attempt, t.max_attempts, t.timeout_ms, t.submitted_by, t.idempotency_key, t.agent_id,
  t.run_at, t.lease_until, t.created_at, t.started_at, t.finished_at, t.version`;

/** The payload columns of a task row, each bound to its task and column. */
const TASK_PAYLOADS = ['input', 'result', 'error', 'progress'] as const;

/** The record one payload column of a task is bound to. */
export function taskRecord(taskId: string, column: (typeof TASK_PAYLOADS)[number]): string {
  // Agents name tasks in requests, in either case; Postgres gives uuids back in lower case.
  return payloadRecord('tasks.tasks', taskId.toLowerCase(), column);
}

/** The record a schedule's input is bound to. */
export function scheduleRecord(name: string): string {
  return payloadRecord('tasks.schedules', name, 'input');
}

/** The task worker's payloads, for the re-encryption job. */
export const taskPayloadTables: readonly PayloadTable[] = [
  {
    table: 'tasks.tasks',
    key: ['id'],
    payloads: TASK_PAYLOADS.map((column) =>
      prefixedPayloadColumns(column, (row) => taskRecord(row.id as string, column)),
    ),
  },
  {
    table: 'tasks.schedules',
    key: ['name'],
    payloads: [prefixedPayloadColumns('input', (row) => scheduleRecord(row.name as string))],
  },
];

function payloadOf(codec: RecordCodec, cells: PayloadCells, record: string): JsonValue | null {
  if (cells.bytes === null) return null;
  return codec.decode(
    {
      bytes: cells.bytes,
      codec: cells.codec,
      keyId: cells.keyId,
      nonce: cells.nonce,
      formatVersion: cells.formatVersion,
    },
    record,
  );
}

const isoOrNull = (value: Date | string | null) => (value === null ? null : isoOf(value));

/** The input of a task row. */
export function inputOf(
  row: Pick<
    TaskRow,
    'id' | 'input' | 'input_codec' | 'input_key_id' | 'input_nonce' | 'input_format_version'
  >,
  codec: RecordCodec,
): JsonValue {
  return payloadOf(
    codec,
    {
      bytes: row.input,
      codec: row.input_codec,
      keyId: row.input_key_id,
      nonce: row.input_nonce,
      formatVersion: row.input_format_version,
    },
    taskRecord(row.id, 'input'),
  ) as JsonValue;
}

/** A task as `get` shows it, read back from its row. */
export function taskOf(row: TaskRow, codec: RecordCodec): Task {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    priority: row.priority,
    input: inputOf(row, codec),
    result: payloadOf(
      codec,
      {
        bytes: row.result,
        codec: row.result_codec,
        keyId: row.result_key_id,
        nonce: row.result_nonce,
        formatVersion: row.result_format_version,
      },
      taskRecord(row.id, 'result'),
    ),
    error: payloadOf(
      codec,
      {
        bytes: row.error,
        codec: row.error_codec,
        keyId: row.error_key_id,
        nonce: row.error_nonce,
        formatVersion: row.error_format_version,
      },
      taskRecord(row.id, 'error'),
    ) as ErrorBody | null,
    progress: payloadOf(
      codec,
      {
        bytes: row.progress,
        codec: row.progress_codec,
        keyId: row.progress_key_id,
        nonce: row.progress_nonce,
        formatVersion: row.progress_format_version,
      },
      taskRecord(row.id, 'progress'),
    ),
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    timeoutMs: row.timeout_ms,
    submittedBy: row.submitted_by,
    idempotencyKey: row.idempotency_key,
    agentId: row.agent_id,
    runAt: isoOf(row.run_at),
    leaseUntil: isoOrNull(row.lease_until),
    createdAt: isoOf(row.created_at),
    startedAt: isoOrNull(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
    version: row.version,
  };
}
