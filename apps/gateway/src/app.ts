import { fileURLToPath } from 'node:url';
import { AuthResolveRpc } from '@switchboard/authz';
import type { BusSubscription } from '@switchboard/bus';
import type { LiveConfig } from '@switchboard/config';
import type { RootLogger } from '@switchboard/logger';
import { createService, type Service, type ServiceConnections } from '@switchboard/service';
import packageJson from '../package.json' with { type: 'json' };
import { type AgentResume, createAgentResume } from './agents/agent-resume.ts';
import { createAgentSessions } from './agents/agent-sessions.ts';
import { createInstanceLease } from './agents/instance-lease.ts';
import { createCredentialResolver } from './auth/credential-resolver.ts';
import { createJwtVerifier } from './auth/jwt-verifier.ts';
import { createRateLimiter } from './auth/rate-limiter.ts';
import type { GatewayConfig } from './config.ts';
import { createAgentStore } from './db/agent-store.ts';
import { createApiKeyStore } from './db/api-key-store.ts';
import { createRoleStore } from './db/role-store.ts';
import { createSecurityEventStore } from './db/security-event-store.ts';
import { registerConsoleFiles } from './http/console-files.ts';
import { createSessionStore } from './http/console-session.ts';
import { registerOperatorApi } from './http/operator-api.ts';
import { createOperatorRuntime, type OperatorRuntimeHandle } from './http/operator-runtime.ts';
import { type AckForwarder, createAckForwarder } from './messaging/ack-forwarder.ts';
import { serveDeliveries } from './messaging/delivery-endpoint.ts';
import { createMessagingMetrics, type MessagingMetrics } from './messaging/messaging-metrics.ts';
import { createSecurityMonitor, type SecurityMonitor } from './security/security-monitor.ts';
import { createTaskWatches, type TaskWatches } from './tasks/task-watches.ts';
import { serveToolCalls } from './tools/tool-call-endpoint.ts';
import { createStateWatches, type StateWatches } from './watch/state-watches.ts';
import { type ConnectRuntime, registerConnectRoute } from './ws/connect-route.ts';
import { ConnectionRegistry } from './ws/connection-registry.ts';
import { createServiceForwarder } from './ws/service-forwarder.ts';

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));
// The console this checkout builds (`pnpm --filter @switchboard/console build`); images set consoleDir.
const builtConsoleDir = fileURLToPath(new URL('../../console/dist', import.meta.url));

/** Builds the gateway; `start()` connects, migrates and serves. Tests build it too. */
export function build(
  config: LiveConfig<GatewayConfig>,
  log: RootLogger,
  instanceId: string,
  connections?: ServiceConnections,
): Service {
  const settings = () => config.current.gateway;
  const registry = new ConnectionRegistry();
  let runtime: ConnectRuntime | undefined;
  let operator: OperatorRuntimeHandle | undefined;
  let stopSessions: (() => Promise<void>) | undefined;
  let messaging: MessagingMetrics | undefined;
  let acks: AckForwarder | undefined;
  let deliveries: BusSubscription | undefined;
  let watches: StateWatches | undefined;
  let taskWatches: TaskWatches | undefined;
  let resumes: AgentResume | undefined;
  let toolCalls: BusSubscription | undefined;
  let monitor: SecurityMonitor | undefined;

  return createService({
    service: 'gateway',
    version: packageJson.version,
    config,
    log,
    instanceId,
    connections,
    migrationsFolder,
    listen: () => config.current.gateway,
    routes: (http) => {
      registerConnectRoute(http, {
        maxFrameBytes: settings().connections.maxFrameBytes,
        permessageDeflate: settings().connections.permessageDeflate,
        allowedOrigins: () => settings().allowedOrigins,
        settings: () => settings().connections,
        runtime: () => runtime,
      });
      registerConsoleFiles(http, { dir: settings().consoleDir ?? builtConsoleDir });
      registerOperatorApi(http, {
        runtime: () => operator?.runtime,
        eventSettings: () => settings().events,
        version: packageJson.version,
      });
    },
    rateLimitReportIntervalMs: () => settings().security.rateLimitReportIntervalMs,
    register: async ({ bus, db, cache, metrics, security }) => {
      // JWT keys are read once: changing them takes a restart.
      const jwtSettings = settings().auth.jwt;
      const jwt =
        jwtSettings === undefined
          ? undefined
          : { ...jwtSettings, verify: createJwtVerifier(jwtSettings) };
      const keys = createApiKeyStore(db);
      const roles = createRoleStore(db);
      const resolver = createCredentialResolver({
        keys,
        customRoles: () => roles.list(),
        bootstrapKeySha256: () => settings().auth.bootstrapKeySha256,
        jwt: () => jwt,
      });
      const agents = createAgentStore(db);
      const sessions = createAgentSessions({
        gatewayId: instanceId,
        agents,
        cache,
        bus,
        registry,
        log: log.child({ component: 'agents' }),
        presenceTtlMs: () => settings().connections.heartbeatTimeoutMs * 2,
      });
      const lease = createInstanceLease({
        gatewayId: instanceId,
        cache,
        agents,
        bus,
        log: log.child({ component: 'lease' }),
        settings: () => settings().lease,
      });
      await sessions.start();
      await lease.start();
      stopSessions = async () => {
        await sessions.stop();
        await lease.stop();
      };
      bus.serve(
        bus.subjects.rpc('gateway', AuthResolveRpc.operation),
        AuthResolveRpc,
        (request) => resolver.resolve(request.token),
        { queue: bus.subjects.queueGroup('gateway') },
      );
      const limiter = createRateLimiter({
        cache,
        limits: () => settings().rateLimits,
        security,
      });
      const securityEvents = createSecurityEventStore(db);
      const securityMonitor = createSecurityMonitor({
        bus,
        cache,
        store: securityEvents,
        security,
        metrics,
        settings: () => settings().security,
        log: log.child({ component: 'security' }),
      });
      await securityMonitor.start();
      monitor = securityMonitor;
      operator = createOperatorRuntime({
        gatewayId: instanceId,
        resolve: (token) => resolver.resolve(token),
        resolveSession: (keyId) => resolver.resolveSession(keyId),
        sessions: createSessionStore({ cache, settings: () => settings().session }),
        limiter,
        security,
        monitor: securityMonitor,
        securityEvents,
        keys,
        roles,
        agents,
        registry,
        bus,
        cache,
        log: log.child({ component: 'operator' }),
        overview: () => settings().overview,
        statsTimeoutMs: () => settings().events.statsTimeoutMs,
      });
      await operator.start();
      messaging = createMessagingMetrics(metrics);
      const ackForwarder = createAckForwarder({
        bus,
        log: log.child({ component: 'acks' }),
        metrics: messaging,
      });
      acks = ackForwarder;
      // createService pings the bus after register, so the router can push here once ready.
      deliveries = serveDeliveries({
        bus,
        gatewayId: instanceId,
        registry,
        metrics: messaging,
        log: log.child({ component: 'deliveries' }),
      });
      toolCalls = serveToolCalls({ bus, gatewayId: instanceId, registry });
      const forward = createServiceForwarder(bus);
      const stateWatches = createStateWatches({
        bus,
        forward,
        metrics: messaging,
        maxWatches: () => settings().connections.maxWatches,
        log: log.child({ component: 'watches' }),
      });
      await stateWatches.start();
      watches = stateWatches;
      // Tasks: watches of task changes, kept per connection like state watches.
      const tasks = createTaskWatches({
        bus,
        forward,
        metrics: messaging,
        log: log.child({ component: 'task-watches' }),
      });
      await tasks.start();
      taskWatches = tasks;
      const agentResume = createAgentResume({
        bus,
        metrics: messaging,
        registry: metrics,
        log: log.child({ component: 'resume' }),
      });
      resumes = agentResume;
      runtime = {
        resolve: (token) => resolver.resolve(token),
        limiter,
        security,
        monitor: securityMonitor,
        handlers: {
          ...sessions.handlers,
          closed: (connection, reason) => {
            stateWatches.drop(connection);
            tasks.drop(connection);
            sessions.handlers.closed(connection, reason);
          },
          registered: (connection, agentId) => agentResume.resume(connection, agentId),
          admit: (connection) => limiter.spendFrame(connection.principal),
          forward,
          acknowledge: (connection, agentId, frame) => ackForwarder.add(connection, agentId, frame),
          ...stateWatches.handlers,
          ...tasks.handlers,
        },
        registry,
        gatewayId: instanceId,
        log: log.child({ component: 'connections' }),
      };
    },
    unregister: async () => {
      // No more pushes, then close the agents, then forward the acks they sent before leaving.
      await deliveries?.stop();
      await toolCalls?.stop();
      await watches?.stop();
      await taskWatches?.stop();
      await resumes?.stop();
      await operator?.stop();
      await monitor?.stop();
      await stopSessions?.();
      await acks?.stop();
    },
    stats: () => ({
      connections: registry.size,
      agentsRegistered: registry.registeredCount,
      stateWatches: watches?.count() ?? 0,
      taskWatches: taskWatches?.count() ?? 0,
      ...messaging?.stats(),
    }),
  });
}
