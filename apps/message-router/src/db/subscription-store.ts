import { type Database, isoOf } from '@switchboard/db';
import { SbError, type Subscription, type SubscriptionFilter } from '@switchboard/protocol';
import type { TransactionSql } from 'postgres';
import type { IndexedSubscription } from '../domain/subscription-index.ts';

interface SubscriptionRow {
  agent_id: string;
  pattern: string;
  filter: SubscriptionFilter | null;
  created_at: Date | string;
}

const subscriptionOf = (row: SubscriptionRow): Subscription => ({
  agentId: row.agent_id,
  pattern: row.pattern,
  filter: row.filter,
  createdAt: isoOf(row.created_at),
});

/**
 * Agents' topic subscriptions. Every change bumps the `subscriptions` counter in the same
 * transaction, so a replica that sees the counter move knows its index is stale.
 */
export function createSubscriptionStore(database: Database) {
  const { sql } = database;
  const bump = async (tx: TransactionSql): Promise<number> => {
    const [row] = await tx<{ value: string }[]>`
      UPDATE router.counters SET value = value + 1 WHERE name = 'subscriptions' RETURNING value`;
    return Number(row?.value ?? 0);
  };

  return {
    /** The change counter: compare with the one an index was loaded at. */
    async version(): Promise<number> {
      const [row] = await sql<{ value: string }[]>`
        SELECT value FROM router.counters WHERE name = 'subscriptions'`;
      return Number(row?.value ?? 0);
    },

    /** Every subscription and the counter they were read at (one snapshot). */
    async all(): Promise<{ version: number; items: IndexedSubscription[] }> {
      return sql.begin('ISOLATION LEVEL REPEATABLE READ', async (tx) => {
        const [counter] = await tx<{ value: string }[]>`
          SELECT value FROM router.counters WHERE name = 'subscriptions'`;
        const rows = await tx<SubscriptionRow[]>`
          SELECT agent_id, pattern, filter, created_at FROM router.subscriptions`;
        return {
          version: Number(counter?.value ?? 0),
          items: rows.map((row) => ({
            agentId: row.agent_id,
            pattern: row.pattern,
            filter: row.filter,
          })),
        };
      });
    },

    /**
     * Adds a subscription, or replaces the filter of the agent's subscription to `pattern`.
     * @throws SbError `E_RATE_LIMITED` when the agent already holds `max` other subscriptions.
     */
    async upsert(
      agentId: string,
      pattern: string,
      filter: SubscriptionFilter | null,
      max: number,
    ): Promise<{ subscription: Subscription; version: number }> {
      return sql.begin(async (tx) => {
        // Serializes one agent's changes, so two racing subscribes cannot both pass the limit.
        await tx`SELECT pg_advisory_xact_lock(hashtext(${`router:subscriptions:${agentId}`}))`;
        const [held] = await tx<{ count: number }[]>`
          SELECT count(*)::int AS count FROM router.subscriptions
          WHERE agent_id = ${agentId} AND pattern <> ${pattern}`;
        if ((held?.count ?? 0) >= max) {
          throw new SbError(
            'E_RATE_LIMITED',
            `agent ${agentId} holds ${max} subscriptions, the most allowed; unsubscribe from one first`,
          );
        }
        const [row] = await tx<SubscriptionRow[]>`
          INSERT INTO router.subscriptions (agent_id, pattern, filter)
          VALUES (${agentId}, ${pattern}, ${filter === null ? null : JSON.stringify(filter)}::jsonb)
          ON CONFLICT (agent_id, pattern) DO UPDATE SET filter = EXCLUDED.filter
          RETURNING agent_id, pattern, filter, created_at`;
        return { subscription: subscriptionOf(row as SubscriptionRow), version: await bump(tx) };
      });
    },

    /** Removes a subscription; the new counter, or undefined when there was none. */
    async remove(agentId: string, pattern: string): Promise<number | undefined> {
      return sql.begin(async (tx) => {
        const deleted = await tx`
          DELETE FROM router.subscriptions WHERE agent_id = ${agentId} AND pattern = ${pattern}`;
        return deleted.count > 0 ? bump(tx) : undefined;
      });
    },

    /** One agent's subscriptions, by pattern. */
    async ofAgent(agentId: string): Promise<Subscription[]> {
      const rows = await sql<SubscriptionRow[]>`
        SELECT agent_id, pattern, filter, created_at FROM router.subscriptions
        WHERE agent_id = ${agentId} ORDER BY pattern`;
      return rows.map(subscriptionOf);
    },
  };
}

/** The subscription store (see {@link createSubscriptionStore}). */
export type SubscriptionStore = ReturnType<typeof createSubscriptionStore>;
