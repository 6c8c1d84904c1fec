import type { Principal } from '@switchboard/authz';
import type { Bus, BusSubscription } from '@switchboard/bus';
import type { Cache } from '@switchboard/cache';
import type { Logger } from '@switchboard/logger';
import { type AgentsPage, type AgentsQuery, AgentsQueryRpc } from '@switchboard/protocol';
import type { SecurityEvents } from '@switchboard/service';
import type { RateLimiter } from '../auth/rate-limiter.ts';
import type { AgentStore } from '../db/agent-store.ts';
import type { ApiKeyStore } from '../db/api-key-store.ts';
import type { RoleStore } from '../db/role-store.ts';
import type { SecurityEventStore } from '../db/security-event-store.ts';
import type { SecurityMonitor } from '../security/security-monitor.ts';
import type { ConnectionRegistry } from '../ws/connection-registry.ts';
import { type AgentControl, createAgentControl } from './agent-control.ts';
import { toAgentRecord } from './agent-record.ts';
import type { SessionStore } from './console-session.ts';
import type { ResolveToken } from './operator-auth.ts';
import type { OverviewSettings } from './settings.ts';
import { createStatsHistory, type StatsHistory } from './stats-history.ts';

/** What the operator API's handlers use once the gateway has started. */
export interface OperatorRuntime {
  /** The credential resolver the agents' WebSocket uses too. */
  resolve: ResolveToken;
  /** The principal of a console session issued for an operator key (read again per request). */
  resolveSession(keyId: string): Promise<Principal>;
  /** Console sessions, shared by the replicas through Redis. */
  sessions: SessionStore;
  /** The per-IP and per-credential buckets the agents' WebSocket draws from too. */
  limiter: RateLimiter;
  /** Reports refused credentials and scopes as security events. */
  security: SecurityEvents;
  /** Counts each credential's client addresses for the detectors. */
  monitor: SecurityMonitor;
  /** The stored security events (`GET /v1/security/events`). */
  securityEvents: SecurityEventStore;
  keys: ApiKeyStore;
  /** The custom roles (`/v1/roles`). */
  roles: RoleStore;
  agents: AgentStore;
  bus: Bus;
  control: AgentControl;
  /** The stats of the last `gateway.overview.windowMs` (`GET /v1/stats`). */
  statsHistory: StatsHistory;
  /** A page of the agent catalog (`GET /v1/agents` and `<ns>.v1.gateway.agents.query`). */
  queryAgents(query: AgentsQuery): Promise<AgentsPage>;
}

/**
 * Builds the operator runtime from the gateway's running parts. `start()` serves
 * `<ns>.v1.gateway.agents.query` (queue group `gateway`) and this instance's control subject,
 * follows key revocations and samples the stats; `stop()` undoes it (before the bus closes).
 */
export function createOperatorRuntime(deps: {
  gatewayId: string;
  resolve: ResolveToken;
  resolveSession(keyId: string): Promise<Principal>;
  sessions: SessionStore;
  limiter: RateLimiter;
  security: SecurityEvents;
  monitor: SecurityMonitor;
  securityEvents: SecurityEventStore;
  keys: ApiKeyStore;
  roles: RoleStore;
  agents: AgentStore;
  registry: ConnectionRegistry;
  bus: Bus;
  cache: Cache;
  log: Logger;
  overview: () => OverviewSettings;
  statsTimeoutMs: () => number;
}) {
  const { bus, agents } = deps;
  const control = createAgentControl({
    gatewayId: deps.gatewayId,
    registry: deps.registry,
    agents,
    cache: deps.cache,
    bus,
    log: deps.log,
  });
  const queryAgents = async (query: AgentsQuery): Promise<AgentsPage> => {
    const page = await agents.query(query);
    return { items: page.rows.map(toAgentRecord), nextCursor: page.nextCursor };
  };
  let catalog: BusSubscription | undefined;
  const statsHistory = createStatsHistory({
    bus,
    settings: deps.overview,
    statsTimeoutMs: deps.statsTimeoutMs,
    log: deps.log,
  });

  const runtime: OperatorRuntime = {
    resolve: deps.resolve,
    resolveSession: deps.resolveSession,
    sessions: deps.sessions,
    limiter: deps.limiter,
    security: deps.security,
    monitor: deps.monitor,
    securityEvents: deps.securityEvents,
    keys: deps.keys,
    roles: deps.roles,
    agents,
    bus,
    control,
    statsHistory,
    queryAgents,
  };
  return {
    runtime,
    async start(): Promise<void> {
      catalog = bus.serve(
        bus.subjects.rpc('gateway', AgentsQueryRpc.operation),
        AgentsQueryRpc,
        queryAgents,
        { queue: bus.subjects.queueGroup('gateway') },
      );
      await control.start();
      statsHistory.start();
    },
    async stop(): Promise<void> {
      await statsHistory.stop();
      await control.stop();
      await catalog?.stop();
    },
  };
}

/** The operator runtime with its `start()` and `stop()`. */
export type OperatorRuntimeHandle = ReturnType<typeof createOperatorRuntime>;
