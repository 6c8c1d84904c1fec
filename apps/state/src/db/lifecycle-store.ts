import type { Database } from '@switchboard/db';
import { isoOf } from '@switchboard/db';
import {
  type AgentLifecycleEvent,
  type DisconnectReason,
  type LifecycleStatus,
  pathOnConnect,
  pathOnDisconnect,
  transition,
} from '@switchboard/protocol';

interface LifecycleRow {
  status: LifecycleStatus;
  version: string | number;
  connection_id: string | null;
  connection_open: boolean;
  connected_at: Date | string | null;
  updated_at: Date | string;
}

/** An agent's lifecycle status. */
export interface LifecycleRecord {
  agentId: string;
  status: LifecycleStatus;
  version: number;
  updatedAt: string;
}

/** One recorded transition. */
export interface LifecycleHistoryItem {
  version: number;
  from: LifecycleStatus;
  to: LifecycleStatus;
  reason: string | null;
  at: string;
  by: string;
}

/** What a change committed: the record after it and one event per transition, in order. */
export interface LifecycleChange {
  record: LifecycleRecord;
  events: AgentLifecycleEvent[];
}

/** The steps to take, and the connection the agent has afterwards (unchanged when absent). */
interface Plan {
  path: LifecycleStatus[];
  reason: string | null;
  connection?: { id: string; open: boolean; at?: string };
}

/** Agent lifecycles and their transitions in the `state` schema. */
export function createLifecycleStore(database: Database) {
  const { sql } = database;

  /**
   * Locks the agent's row (inserted as `registered` at version 0 when new, uncommitted until the
   * transaction commits), walks `plan(row)` through the state machine and records each step.
   */
  function change(
    agentId: string,
    by: string,
    plan: (row: LifecycleRow) => Plan | undefined,
  ): Promise<LifecycleChange> {
    return sql.begin(async (tx) => {
      await tx`
        INSERT INTO state.lifecycles (agent_id, status, version)
        VALUES (${agentId}, 'registered', 0) ON CONFLICT DO NOTHING`;
      const [row] = await tx<LifecycleRow[]>`
        SELECT status, version, connection_id, connection_open, connected_at, updated_at
        FROM state.lifecycles WHERE agent_id = ${agentId} FOR UPDATE`;
      if (row === undefined) throw new Error(`lifecycle row of ${agentId} vanished`);
      const planned = plan(row);
      let status = row.status;
      let version = Number(row.version);
      const events: AgentLifecycleEvent[] = [];
      for (const to of planned?.path ?? []) {
        const from = status;
        status = transition(from, to);
        version += 1;
        const reason = planned?.reason ?? null;
        await tx`
          INSERT INTO state.lifecycle_history (agent_id, version, "from", "to", reason, by)
          VALUES (${agentId}, ${version}, ${from}, ${to}, ${reason}, ${by})`;
        events.push({ agentId, from, to, version, reason });
      }
      const connectionId = planned?.connection?.id ?? row.connection_id;
      const connectionOpen = planned?.connection?.open ?? row.connection_open;
      const connectedAt = planned?.connection?.at ?? row.connected_at;
      const [updated] = await tx<{ updated_at: Date | string }[]>`
        UPDATE state.lifecycles SET status = ${status}, version = ${version},
          connection_id = ${connectionId}, connection_open = ${connectionOpen},
          connected_at = ${connectedAt},
          updated_at = CASE WHEN ${events.length > 0} THEN now() ELSE updated_at END
        WHERE agent_id = ${agentId} RETURNING updated_at`;
      return {
        record: {
          agentId,
          status,
          version,
          updatedAt: isoOf(updated?.updated_at ?? row.updated_at),
        },
        events,
      };
    });
  }

  return {
    /** The agent's status; `registered` at version 0 for an agent never seen. */
    async get(agentId: string): Promise<LifecycleRecord> {
      const [row] = await sql<LifecycleRow[]>`
        SELECT status, version, updated_at FROM state.lifecycles WHERE agent_id = ${agentId}`;
      return {
        agentId,
        status: row?.status ?? 'registered',
        version: Number(row?.version ?? 0),
        updatedAt: isoOf(row?.updated_at ?? new Date(0)),
      };
    },

    /** One transition asked for by the agent or an operator; `E_INVALID_TRANSITION` if illegal. */
    transition(agentId: string, to: LifecycleStatus, reason: string | null, by: string) {
      return change(agentId, by, () => ({ path: [to], reason }));
    },

    /**
     * The gateway saw the agent connect on `connectionId`: the agent goes to `starting` (see
     * `pathOnConnect`). An event for the connection already applied, or for a connection older
     * than the newest seen, changes nothing.
     */
    connected(agentId: string, connectionId: string, at: string) {
      return change(agentId, 'gateway', (row) => {
        // Replicas share the consumer, so a connect may arrive after a newer one.
        const older = row.connected_at !== null && new Date(at) < new Date(row.connected_at);
        if (row.connection_id === connectionId || older) return undefined;
        return {
          path: pathOnConnect(row.status),
          reason: 'connected',
          connection: { id: connectionId, open: true, at },
        };
      });
    },

    /**
     * The agent's connection `connectionId` ended: `stopped` or `error` (see `pathOnDisconnect`).
     * The end of a connection that is not the agent's open one changes nothing: it was replaced,
     * or already applied. When no connection is open, the end is remembered so that its
     * connect, arriving late from another replica, changes nothing either.
     */
    disconnected(agentId: string, connectionId: string, reason: DisconnectReason) {
      return change(agentId, 'gateway', (row) => {
        const closed = { id: connectionId, open: false };
        if (row.connection_id === connectionId) {
          return row.connection_open
            ? { path: pathOnDisconnect(row.status, reason), reason, connection: closed }
            : undefined;
        }
        return row.connection_open ? undefined : { path: [], reason, connection: closed };
      });
    },

    /** Transitions with a version below `before` (all when undefined), newest first. */
    async history(
      agentId: string,
      limit: number,
      before: number | undefined,
    ): Promise<LifecycleHistoryItem[]> {
      const rows = await sql<
        Array<{
          version: string;
          from: LifecycleStatus;
          to: LifecycleStatus;
          reason: string | null;
          at: Date | string;
          by: string;
        }>
      >`
        SELECT version, "from", "to", reason, at, by FROM state.lifecycle_history
        WHERE agent_id = ${agentId}
          ${before === undefined ? sql`` : sql`AND version < ${before}`}
        ORDER BY version DESC LIMIT ${limit}`;
      return rows.map((row) => ({
        version: Number(row.version),
        from: row.from,
        to: row.to,
        reason: row.reason,
        at: isoOf(row.at),
        by: row.by,
      }));
    },
  };
}

/** The lifecycle store (see {@link createLifecycleStore}). */
export type LifecycleStore = ReturnType<typeof createLifecycleStore>;
