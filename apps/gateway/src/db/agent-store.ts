import type { Database } from '@switchboard/db';
import {
  AgentIdSchema,
  type AgentRegistration,
  type AgentsQuery,
  type DisconnectReason,
  SbError,
} from '@switchboard/protocol';
import { and, asc, eq, gt, inArray, isNotNull, sql } from 'drizzle-orm';
import { agents } from './schema.ts';

/** Where and since when an agent is connected. */
export interface AgentConnectionRef {
  agentId: string;
  gatewayId: string;
  connectionId: string;
}

/** The agent catalog in the gateway's schema. */
export function createAgentStore(database: Database) {
  const { db } = database;
  return {
    /**
     * Records a registration on a connection: the agent's description and that it is connected
     * here, replacing whatever connection it had (the newer connection wins).
     */
    async markConnected(input: {
      agentId: string;
      registration: AgentRegistration;
      registeredBy: string;
      gatewayId: string;
      connectionId: string;
      at: Date;
    }): Promise<void> {
      const values = {
        name: input.registration.name,
        version: input.registration.version,
        description: input.registration.description ?? null,
        capabilities: input.registration.capabilities,
        labels: input.registration.labels,
        registeredBy: input.registeredBy,
        registeredAt: input.at,
        connected: true,
        gatewayId: input.gatewayId,
        connectionId: input.connectionId,
        connectedAt: input.at,
        disconnectedAt: null,
        disconnectReason: null,
      };
      await db
        .insert(agents)
        .values({ id: input.agentId, ...values })
        .onConflictDoUpdate({ target: agents.id, set: values });
    },

    /**
     * Marks the agent disconnected if `connectionId` is still its connection; false when a newer
     * connection took over (which stays connected).
     */
    async markDisconnected(
      ref: AgentConnectionRef,
      reason: DisconnectReason,
      at: Date,
    ): Promise<boolean> {
      const updated = await db
        .update(agents)
        .set({ connected: false, disconnectedAt: at, disconnectReason: reason })
        .where(
          and(
            eq(agents.id, ref.agentId),
            eq(agents.connectionId, ref.connectionId),
            eq(agents.connected, true),
          ),
        )
        .returning({ id: agents.id });
      return updated.length > 0;
    },

    /** The gateway instances that hold connected agents, per the catalog. */
    async connectedGatewayIds(): Promise<string[]> {
      const rows = await db
        .selectDistinct({ gatewayId: agents.gatewayId })
        .from(agents)
        .where(and(eq(agents.connected, true), isNotNull(agents.gatewayId)));
      return rows.map((row) => row.gatewayId as string);
    },

    /**
     * Marks every agent connected through `gatewayId` disconnected and returns them; each row is
     * returned to exactly one caller, so survivors sweeping together publish each event once.
     */
    async disconnectGateway(
      gatewayId: string,
      reason: DisconnectReason,
      at: Date,
    ): Promise<AgentConnectionRef[]> {
      const rows = await db
        .update(agents)
        .set({ connected: false, disconnectedAt: at, disconnectReason: reason })
        .where(and(eq(agents.gatewayId, gatewayId), eq(agents.connected, true)))
        .returning({ agentId: agents.id, connectionId: agents.connectionId });
      return rows.map((row) => ({
        agentId: row.agentId,
        gatewayId,
        connectionId: row.connectionId as string,
      }));
    },

    /** One agent as the catalog holds it. */
    async get(agentId: string) {
      const [row] = await db.select().from(agents).where(eq(agents.id, agentId));
      return row;
    },

    /**
     * Agents matching every filter given, by id; `nextCursor` is set when more follow. Capability
     * and label filters use jsonb containment (`@>`), which a GIN index can serve later.
     */
    async query(query: AgentsQuery): Promise<{ rows: AgentRow[]; nextCursor: string | null }> {
      const after = query.cursor === undefined ? undefined : decodeAgentCursor(query.cursor);
      const conditions = [
        query.ids === undefined ? undefined : inArray(agents.id, query.ids),
        query.capability === undefined
          ? undefined
          : sql`${agents.capabilities} @> ${JSON.stringify([{ name: query.capability }])}::jsonb`,
        query.labels === undefined
          ? undefined
          : sql`${agents.labels} @> ${JSON.stringify(query.labels)}::jsonb`,
        query.status === undefined ? undefined : eq(agents.connected, query.status === 'connected'),
        after === undefined ? undefined : gt(agents.id, after),
      ];
      const rows = await db
        .select()
        .from(agents)
        .where(and(...conditions))
        .orderBy(asc(agents.id))
        .limit(query.limit + 1);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        rows: page,
        nextCursor:
          rows.length > query.limit && last !== undefined
            ? Buffer.from(last.id).toString('base64url')
            : null,
      };
    },
  };
}

/** A row of the agent catalog. */
export type AgentRow = typeof agents.$inferSelect;

/** The agent id a cursor stands for; the cursor is opaque to callers. */
function decodeAgentCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!AgentIdSchema.safeParse(id).success) {
    throw new SbError('E_VALIDATION', 'the cursor is not one this gateway returned');
  }
  return id;
}

/** The agent catalog of one gateway. */
export type AgentStore = ReturnType<typeof createAgentStore>;
