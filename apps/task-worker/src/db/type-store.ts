import { type Database, isoOf } from '@switchboard/db';
import type { AssignmentStrategy, TaskType } from '@switchboard/protocol';

/** A task type with every default filled in, ready to store. */
export type NewTaskType = Omit<TaskType, 'version' | 'updatedAt'>;

interface TypeRow {
  name: string;
  description: string | null;
  input_schema: Record<string, unknown> | null;
  capabilities: string[];
  timeout_ms: number;
  max_attempts: number;
  backoff_base_ms: number;
  backoff_max_ms: number;
  priority: number;
  strategy: AssignmentStrategy;
  concurrency: number | null;
  version: number;
  registered_by: string;
  updated_at: Date | string;
}

function typeOf(row: TypeRow): TaskType {
  return {
    name: row.name,
    description: row.description,
    inputSchema: row.input_schema as TaskType['inputSchema'],
    capabilities: row.capabilities,
    timeoutMs: row.timeout_ms,
    retry: {
      maxAttempts: row.max_attempts,
      backoffBaseMs: row.backoff_base_ms,
      backoffMaxMs: row.backoff_max_ms,
    },
    priority: row.priority,
    strategy: row.strategy,
    concurrency: row.concurrency,
    version: row.version,
    registeredBy: row.registered_by,
    updatedAt: isoOf(row.updated_at),
  };
}

/** Registered task types. */
export function createTypeStore(database: Database) {
  const { sql } = database;
  return {
    /** Registers a type, or replaces it as its next version. */
    async register(type: NewTaskType): Promise<TaskType> {
      const [row] = await sql<TypeRow[]>`
        INSERT INTO tasks.task_types (name, description, input_schema, capabilities, timeout_ms,
          max_attempts, backoff_base_ms, backoff_max_ms, priority, strategy, concurrency,
          registered_by)
        VALUES (${type.name}, ${type.description}, ${type.inputSchema === null ? null : JSON.stringify(type.inputSchema)}::jsonb,
          ${JSON.stringify(type.capabilities)}::jsonb, ${type.timeoutMs}, ${type.retry.maxAttempts},
          ${type.retry.backoffBaseMs}, ${type.retry.backoffMaxMs}, ${type.priority},
          ${type.strategy}, ${type.concurrency}, ${type.registeredBy})
        ON CONFLICT (name) DO UPDATE SET description = excluded.description,
          input_schema = excluded.input_schema, capabilities = excluded.capabilities,
          timeout_ms = excluded.timeout_ms, max_attempts = excluded.max_attempts,
          backoff_base_ms = excluded.backoff_base_ms, backoff_max_ms = excluded.backoff_max_ms,
          priority = excluded.priority, strategy = excluded.strategy,
          concurrency = excluded.concurrency,
          registered_by = excluded.registered_by, version = tasks.task_types.version + 1,
          updated_at = now()
        RETURNING *`;
      return typeOf(row as TypeRow);
    },

    /** Every registered type, by name. */
    async list(): Promise<TaskType[]> {
      const rows = await sql<TypeRow[]>`SELECT * FROM tasks.task_types ORDER BY name`;
      return rows.map(typeOf);
    },
  };
}

/** The type store (see {@link createTypeStore}). */
export type TypeStore = ReturnType<typeof createTypeStore>;
