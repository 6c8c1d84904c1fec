import type { Bus } from '@switchboard/bus';
import type { Cache } from '@switchboard/cache';
import { AgentsQueryRpc, PresenceSchema, presenceKey, type TaskType } from '@switchboard/protocol';
import type { ExecutorRow, ExecutorStore } from './db/executor-store.ts';
import { type Candidate, weightOf } from './domain/assign.ts';

/** The agents that may execute each type now, and the gateway each is connected to. */
export interface Executors {
  byType: Map<string, Candidate[]>;
  gatewayOf: Map<string, string>;
}

/**
 * Who executes what: the declarations in Postgres (reused for `cacheMs`, read again after a
 * declaration here), narrowed to agents connected now (presence in Redis) whose registration has
 * every capability the type needs.
 */
export function createExecutorDirectory(deps: {
  bus: Bus;
  cache: Cache;
  store: ExecutorStore;
  cacheMs: () => number;
}) {
  const { bus, cache, store } = deps;
  let declared: ExecutorRow[] = [];
  let loadedAt = Number.NEGATIVE_INFINITY;

  async function declarations(): Promise<ExecutorRow[]> {
    if (Date.now() - loadedAt > deps.cacheMs()) {
      declared = await store.list();
      loadedAt = Date.now();
    }
    return declared;
  }

  return {
    /**
     * Records what `agentId` executes, with the capabilities and labels of its registration as
     * the gateway's catalog has them.
     */
    async declare(agentId: string, types: readonly string[], concurrency: number): Promise<void> {
      const page = await bus.request(
        bus.subjects.rpc('gateway', AgentsQueryRpc.operation),
        AgentsQueryRpc,
        {
          ids: [agentId],
          limit: 1,
        },
      );
      const agent = page.items[0];
      await store.declare(agentId, types, {
        concurrency,
        capabilities: (agent?.capabilities ?? []).map((capability) => capability.name),
        labels: agent?.labels ?? {},
        connectionId: agent?.connectionId ?? null,
      });
      loadedAt = Number.NEGATIVE_INFINITY;
    },

    /** Withdraws the declarations made on a connection that ended. */
    async disconnected(agentId: string, connectionId: string): Promise<void> {
      if (await store.forgetConnection(agentId, connectionId)) loadedAt = Number.NEGATIVE_INFINITY;
    },

    /** Eligible agents per type among `types`, connected now. */
    async eligible(types: Map<string, TaskType>): Promise<Executors> {
      const rows = await declarations();
      const agentIds = [...new Set(rows.map((row) => row.agentId))];
      const gatewayOf = new Map<string, string>();
      if (agentIds.length > 0) {
        const values = await cache.getManyJson(agentIds.map(presenceKey));
        values.forEach((value, index) => {
          const presence = PresenceSchema.safeParse(value);
          if (presence.success) gatewayOf.set(agentIds[index] as string, presence.data.gatewayId);
        });
      }
      // One candidate per agent, shared by its types: a pick for one type counts for all.
      const candidates = new Map<string, Candidate>();
      const byType = new Map<string, Candidate[]>();
      for (const row of rows) {
        const type = types.get(row.type);
        if (type === undefined || !gatewayOf.has(row.agentId)) continue;
        if (!type.capabilities.every((name) => row.capabilities.includes(name))) continue;
        let candidate = candidates.get(row.agentId);
        if (candidate === undefined) {
          candidate = {
            agentId: row.agentId,
            running: 0,
            capacity: row.concurrency,
            weight: weightOf(row.labels),
          };
          candidates.set(row.agentId, candidate);
        }
        byType.set(row.type, [...(byType.get(row.type) ?? []), candidate]);
      }
      for (const list of byType.values()) list.sort((a, b) => a.agentId.localeCompare(b.agentId));
      return { byType, gatewayOf };
    },

    /** Where `agentId` is connected now, if it is. */
    async gatewayOf(agentId: string): Promise<string | undefined> {
      const [value] = await cache.getManyJson([presenceKey(agentId)]);
      const presence = PresenceSchema.safeParse(value);
      return presence.success ? presence.data.gatewayId : undefined;
    },
  };
}

/** The executor directory (see {@link createExecutorDirectory}). */
export type ExecutorDirectory = ReturnType<typeof createExecutorDirectory>;
