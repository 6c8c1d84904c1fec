export { cleanupNamespace } from './cleanup.ts';
export { testInfra, withDatabase } from './infra.ts';
export { createTestNamespace } from './namespace.ts';
export { agentPrincipal, keyPrincipal } from './principals.ts';
export { type ServiceProcess, spawnService } from './service-process.ts';
export { connectTestBus } from './test-bus.ts';
export { createTestContext, type TestContext } from './test-context.ts';
export { createTestDatabase, type TestDatabase } from './test-database.ts';
export { waitFor } from './wait-for.ts';
