import { createRecordCodec } from '@switchboard/db';
import postgres from 'postgres';
import type { StoredData } from './invariants.ts';

/** The agent index in an id `load-<runId>-<index>` (-1 for an agent the run did not make). */
function indexOf(agentId: string, prefix: string): number {
  return agentId.startsWith(prefix) ? Number(agentId.slice(prefix.length)) : -1;
}

/** Reads the services' tables of a finished run, for the invariant checker. */
export class StoredDataReader {
  private readonly sql: postgres.Sql;
  // The run stores payloads as plain JSON (no key ring), which the identity codec reads.
  private readonly codec = createRecordCodec();

  constructor(databaseUrl: string) {
    this.sql = postgres(databaseUrl, { max: 2, onnotice: () => undefined });
  }

  /** What is still moving: deliveries not yet settled and tasks not yet final. */
  async pending(): Promise<{ deliveries: number; tasks: number }> {
    const [deliveries] = await this.sql<[{ count: string }]>`
      select count(*) from router.deliveries where status in ('queued', 'inflight')`;
    const [tasks] = await this.sql<[{ count: string }]>`
      select count(*) from tasks.tasks
      where status not in ('succeeded', 'failed', 'cancelled', 'timed_out')`;
    // A2A tasks still moving count as tasks: remote ones being driven, inbound ones being worked.
    const [a2a] = await this.sql<[{ count: string }]>`
      select (select count(*) from a2a.remote_tasks
          where state not in ('completed', 'failed', 'canceled', 'rejected'))
        + (select count(*) from a2a.tasks where state not in
          ('TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_CANCELED', 'TASK_STATE_REJECTED')
          and updated_at > now() - interval '30 seconds')
        as count`;
    return {
      deliveries: Number(deliveries?.count),
      tasks: Number(tasks?.count) + Number(a2a?.count),
    };
  }

  async read(runId: string): Promise<StoredData> {
    const prefix = `load-${runId}-`;
    const messages = await this.sql<Array<{ id: string }>>`select id from router.messages`;
    const deliveries = await this.sql<
      Array<{ messageId: string; agentId: string; status: string }>
    >`
      select message_id as "messageId", agent_id as "agentId", status from router.deliveries`;
    const deadLetters = await this.sql<
      Array<{ messageId: string; agentId: string; reason: string; lastError: unknown }>
    >`select message_id as "messageId", agent_id as "agentId", reason, last_error as "lastError"
      from router.dead_letters`;
    const tasks = await this.sql<Array<{ id: string; status: string; successes: string }>>`
      select t.id, t.status,
        (select count(*) from tasks.transitions x
          where x.task_id = t.id and x.to_status = 'succeeded') as successes
      from tasks.tasks t`;
    const versions = await this.sql<
      Array<{
        scope: string;
        key: string;
        version: string;
        document: Buffer | null;
        codec: string;
        keyId: string | null;
        nonce: Buffer | null;
        formatVersion: number;
      }>
    >`select scope, key, version, document, codec, key_id as "keyId", nonce,
        format_version as "formatVersion"
      from state.document_history where scope like ${`agent:${prefix}%`}`;
    const remoteTasks = await this.sql<Array<{ id: string; state: string }>>`
      select id, state from a2a.remote_tasks`;
    const inboundTasks = await this.sql<
      Array<{
        id: string;
        state: string;
        record: Buffer;
        codec: string;
        keyId: string | null;
        nonce: Buffer | null;
        formatVersion: number;
      }>
    >`select id, state, record, record_codec as codec, record_key_id as "keyId",
        record_nonce as nonce, record_format_version as "formatVersion" from a2a.tasks`;
    return {
      a2a: {
        remoteTasks: remoteTasks.map((row) => ({ id: row.id, state: row.state })),
        inboundTasks: inboundTasks.map((row) => {
          // The task's first message: its id is the one the client sent (failed sends recorded).
          const task = this.codec.decode(
            {
              bytes: row.record,
              codec: row.codec,
              keyId: row.keyId,
              nonce: row.nonce,
              formatVersion: row.formatVersion,
            },
            '',
          ) as { history?: Array<{ messageId?: unknown }> } | null;
          const messageId = task?.history?.[0]?.messageId;
          return {
            id: row.id,
            state: row.state,
            ...(typeof messageId === 'string' ? { messageId } : {}),
          };
        }),
      },
      messageIds: new Set(messages.map((row) => row.id)),
      deliveries: deliveries.map((row) => ({
        messageId: row.messageId,
        agentIndex: indexOf(row.agentId, prefix),
        status: row.status,
      })),
      deadLetters: deadLetters.map((row) => ({
        messageId: row.messageId,
        agentIndex: indexOf(row.agentId, prefix),
        reason: row.reason,
        lastError: row.lastError,
      })),
      tasks: tasks.map((row) => ({
        id: row.id,
        status: row.status,
        successes: Number(row.successes),
      })),
      stateVersions: versions.map((row) => {
        const document =
          row.document === null
            ? null
            : this.codec.decode(
                {
                  bytes: row.document,
                  codec: row.codec,
                  keyId: row.keyId,
                  nonce: row.nonce,
                  formatVersion: row.formatVersion,
                },
                '',
              );
        const writeId = (document as { writeId?: unknown } | null)?.writeId;
        return {
          scope: row.scope,
          key: row.key,
          version: Number(row.version),
          writeId: typeof writeId === 'string' ? writeId : undefined,
        };
      }),
    };
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}
