import type { Database } from '@switchboard/db';

/** An agent's declaration that it executes a type, with what its registration said. */
export interface ExecutorRow {
  agentId: string;
  type: string;
  concurrency: number;
  capabilities: string[];
  labels: Record<string, string>;
}

/** Which agents execute which task types. */
export function createExecutorStore(database: Database) {
  const { sql } = database;
  return {
    /** Replaces what `agentId` executes with `types` (none: it executes nothing). */
    async declare(
      agentId: string,
      types: readonly string[],
      details: {
        concurrency: number;
        capabilities: string[];
        labels: Record<string, string>;
        connectionId: string | null;
      },
    ): Promise<void> {
      await sql.begin(async (tx) => {
        await tx`DELETE FROM tasks.executors WHERE agent_id = ${agentId}`;
        if (types.length === 0) return;
        await tx`
          INSERT INTO tasks.executors (agent_id, type, concurrency, capabilities, labels,
            connection_id)
          SELECT ${agentId}, value, ${details.concurrency}, ${JSON.stringify(details.capabilities)}::jsonb,
            ${JSON.stringify(details.labels)}::jsonb, ${details.connectionId}
          FROM jsonb_array_elements_text(${JSON.stringify(types)}::jsonb)`;
      });
    },

    /**
     * Withdraws what `agentId` declared on `connectionId`, which ended (its SDK declares again on
     * its next connection); returns whether anything was withdrawn.
     */
    async forgetConnection(agentId: string, connectionId: string): Promise<boolean> {
      const rows = await sql`
        DELETE FROM tasks.executors WHERE agent_id = ${agentId} AND connection_id = ${connectionId}
        RETURNING type`;
      return rows.count > 0;
    },

    /** Every declaration. */
    async list(): Promise<ExecutorRow[]> {
      const rows = await sql<
        {
          agent_id: string;
          type: string;
          concurrency: number;
          capabilities: string[];
          labels: Record<string, string>;
        }[]
      >`SELECT agent_id, type, concurrency, capabilities, labels FROM tasks.executors`;
      return rows.map((row) => ({
        agentId: row.agent_id,
        type: row.type,
        concurrency: row.concurrency,
        capabilities: row.capabilities,
        labels: row.labels,
      }));
    },
  };
}

/** The executor store (see {@link createExecutorStore}). */
export type ExecutorStore = ReturnType<typeof createExecutorStore>;
