import type { AgentConnection } from './agent-connection.ts';

/** The registered connections of this gateway instance, by agent id. */
export class ConnectionRegistry {
  private readonly byAgent = new Map<string, AgentConnection>();
  private readonly all = new Set<AgentConnection>();

  /** Tracks a connection from its upgrade on (registered or not). */
  add(connection: AgentConnection): void {
    this.all.add(connection);
  }

  /** Makes `connection` the agent's; returns the connection it replaces here, if any. */
  bind(agentId: string, connection: AgentConnection): AgentConnection | undefined {
    const previous = this.byAgent.get(agentId);
    this.byAgent.set(agentId, connection);
    return previous === connection ? undefined : previous;
  }

  /** Forgets a connection that ended; the agent's entry only if it still points at it. */
  remove(connection: AgentConnection): void {
    this.all.delete(connection);
    if (connection.agentId !== undefined && this.byAgent.get(connection.agentId) === connection) {
      this.byAgent.delete(connection.agentId);
    }
  }

  get(agentId: string): AgentConnection | undefined {
    return this.byAgent.get(agentId);
  }

  /** Every open connection, registered or not. */
  connections(): AgentConnection[] {
    return [...this.all];
  }

  get size(): number {
    return this.all.size;
  }

  get registeredCount(): number {
    return this.byAgent.size;
  }
}
