// Who is who among the generated agents, from their index alone: every generator process and
// the invariant checker derive the same roles, gateways and subscriptions from it, so the
// checker knows who should have received each message without asking the mesh.

/** Agents per topic: a topic message reaches about this many subscribers. */
export const AGENTS_PER_TOPIC = 10;
/** Every this-many agents, one subscribes with a header filter (kind = keep). */
const FILTERED_EVERY = 3;
/** Every this-many agents, one provides the tool, one executes tasks, one answers A2A. */
const ROLE_EVERY = 10;
/** Every this-many agents, one is an A2A agent (label a2a=public). */
const A2A_EVERY = 50;

/** The id of agent `index` of the run `runId`. */
export function agentIdOf(runId: string, index: number): string {
  return `load-${runId}-${index}`;
}

/** The topic count for `agents` agents. */
export function topicCountOf(agents: number): number {
  return Math.max(1, Math.ceil(agents / AGENTS_PER_TOPIC));
}

/** Which of the two gateways agent `index` connects to. */
export function gatewayOf(index: number): 0 | 1 {
  return index % 2 === 0 ? 0 : 1;
}

/** The topic (index) agent `index` subscribes to, with the pattern `load.t<topic>.*`. */
export function topicOf(index: number, agents: number): number {
  return index % topicCountOf(agents);
}

/** Whether agent `index` subscribes with the filter `kind = keep`. */
export function isFiltered(index: number): boolean {
  return index % FILTERED_EVERY === 0;
}

/** What agent `index` does besides sending and receiving messages. */
export interface AgentRoles {
  toolProvider: boolean;
  taskExecutor: boolean;
  a2aAgent: boolean;
}

/** The roles of agent `index`; with fewer agents than a role's period, agent 0..2 take them. */
export function rolesOf(index: number, agents: number): AgentRoles {
  const period = Math.min(ROLE_EVERY, agents);
  return {
    toolProvider: index % period === 0,
    taskExecutor: index % period === Math.min(1, period - 1),
    a2aAgent: index % Math.min(A2A_EVERY, agents) === Math.min(2, agents - 1),
  };
}

/** The indexes of the agents that should receive a message on topic `topic` with `keep`. */
export function topicRecipientsOf(topic: number, keep: boolean, agents: number): number[] {
  const recipients: number[] = [];
  for (let index = topic; index < agents; index += topicCountOf(agents)) {
    if (keep || !isFiltered(index)) recipients.push(index);
  }
  return recipients;
}
