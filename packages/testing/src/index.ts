export { type AgentCardServer, serveAgentCard } from './agent-card-server.ts';
export { cleanupNamespace } from './cleanup.ts';
export {
  createDatabaseTestContext,
  type DatabaseTestContext,
  type DatabaseTestContextOptions,
} from './database-test-context.ts';
export { EMBEDDED_SUBSET } from './embedded-subset.ts';
export {
  closeEmbeddedConnections,
  embeddedConnectionsOf,
  type TestConnections,
} from './embedded-world.ts';
export { createAgentKey, liftedGatewayLimits } from './gateway-keys.ts';
export { testInfra, withDatabase } from './infra.ts';
export { type MeshService, startMeshService } from './mesh-service.ts';
export { type TestMode, testModeOf } from './mode.ts';
export { createTestNamespace } from './namespace.ts';
export { agentPrincipal, keyPrincipal } from './principals.ts';
export { type RemoteAgent, startRemoteAgent } from './remote-a2a-agent.ts';
export { type ServiceProcess, spawnService } from './service-process.ts';
export { connectTestBus } from './test-bus.ts';
export { connectTestCache } from './test-cache.ts';
export { createTestContext, type TestContext } from './test-context.ts';
export { createTestDatabase, type TestDatabase } from './test-database.ts';
export { startUpstreamMcpServer, type UpstreamMcpServer } from './upstream-mcp-server.ts';
export { waitFor } from './wait-for.ts';
