import type { Bus } from '@switchboard/bus';
import {
  A2A_LABEL,
  A2A_PUBLIC,
  type AgentRecord,
  AgentsQueryRpc,
  MAX_AGENTS_PAGE,
} from '@switchboard/protocol';

/** True when the agent registered the label that publishes it over A2A. */
export const isPublished = (agent: AgentRecord): boolean => agent.labels[A2A_LABEL] === A2A_PUBLIC;

const MAX_REMEMBERED = 10_000;

/**
 * The published local agents, read from the gateway's catalog (`<ns>.v1.gateway.agents.query`;
 * services never read each other's tables) and remembered for `ttlMs`, since every A2A request
 * checks its agent's card.
 */
export function createAgentCatalog(deps: { bus: Bus; ttlMs: () => number }) {
  const subject = deps.bus.subjects.rpc('gateway', AgentsQueryRpc.operation);
  const byId = new Map<string, { agent: AgentRecord | undefined; at: number }>();
  let all: { agents: AgentRecord[]; at: number } | undefined;

  const fresh = (at: number) => Date.now() - at < deps.ttlMs();

  return {
    /** The agent when it exists and is published, else undefined. */
    async published(agentId: string): Promise<AgentRecord | undefined> {
      const known = byId.get(agentId);
      if (known !== undefined && fresh(known.at)) return known.agent;
      const page = await deps.bus.request(subject, AgentsQueryRpc, { ids: [agentId], limit: 1 });
      const found = page.items.find((agent) => agent.id === agentId);
      const agent = found !== undefined && isPublished(found) ? found : undefined;
      if (byId.size >= MAX_REMEMBERED) byId.clear();
      byId.set(agentId, { agent, at: Date.now() });
      return agent;
    },

    /** Every published agent (connected or not), all pages. */
    async all(): Promise<AgentRecord[]> {
      if (all !== undefined && fresh(all.at)) return all.agents;
      const agents: AgentRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await deps.bus.request(subject, AgentsQueryRpc, {
          labels: { [A2A_LABEL]: A2A_PUBLIC },
          limit: MAX_AGENTS_PAGE,
          ...(cursor === undefined ? {} : { cursor }),
        });
        agents.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      all = { agents, at: Date.now() };
      return agents;
    },
  };
}

/** The published agents (see {@link createAgentCatalog}). */
export type AgentCatalog = ReturnType<typeof createAgentCatalog>;
