import type { Bus } from '@switchboard/bus';
import {
  type AgentRecord,
  AgentsQueryRpc,
  type Labels,
  MAX_AGENTS_PAGE,
} from '@switchboard/protocol';

/** Agents known to exist, remembered so a direct message does not ask the gateway each time. */
const KNOWN_AGENTS_MAX = 100_000;

/**
 * The router's view of the gateway's agent catalog, read over `<ns>.v1.gateway.agents.query`
 * (services never read each other's tables).
 */
export function createAgentDirectory(bus: Bus) {
  const known = new Set<string>();
  const subject = bus.subjects.rpc('gateway', AgentsQueryRpc.operation);

  const remember = (agentId: string) => {
    if (known.size >= KNOWN_AGENTS_MAX) known.clear();
    known.add(agentId);
  };

  return {
    /** Which of `agentIds` exist in the catalog (connected or not). */
    async existing(agentIds: readonly string[]): Promise<Set<string>> {
      const found = new Set(agentIds.filter((id) => known.has(id)));
      const unknown = [...new Set(agentIds.filter((id) => !known.has(id)))];
      for (let start = 0; start < unknown.length; start += MAX_AGENTS_PAGE) {
        const ids = unknown.slice(start, start + MAX_AGENTS_PAGE);
        const page = await bus.request(subject, AgentsQueryRpc, { ids, limit: MAX_AGENTS_PAGE });
        for (const agent of page.items) {
          remember(agent.id);
          found.add(agent.id);
        }
      }
      return found;
    },

    /** Every agent matching the filters, all pages. */
    async select(filter: {
      capability?: string | undefined;
      labels?: Labels | undefined;
      status?: 'connected' | undefined;
    }): Promise<AgentRecord[]> {
      const agents: AgentRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await bus.request(subject, AgentsQueryRpc, {
          ...(filter.capability === undefined ? {} : { capability: filter.capability }),
          ...(filter.labels === undefined ? {} : { labels: filter.labels }),
          ...(filter.status === undefined ? {} : { status: filter.status }),
          limit: MAX_AGENTS_PAGE,
          ...(cursor === undefined ? {} : { cursor }),
        });
        for (const agent of page.items) remember(agent.id);
        agents.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return agents;
    },
  };
}

/** The agent directory (see {@link createAgentDirectory}). */
export type AgentDirectory = ReturnType<typeof createAgentDirectory>;
