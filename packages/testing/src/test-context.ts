import { cleanupNamespace } from './cleanup.ts';
import {
  closeEmbeddedConnections,
  embeddedConnectionsOf,
  type TestConnections,
} from './embedded-world.ts';
import { testInfra } from './infra.ts';
import { testModeOf } from './mode.ts';
import { createTestNamespace } from './namespace.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

/** The isolated world of one test file: a namespace, a database, and the env to reach them. */
export interface TestContext {
  namespace: string;
  database: TestDatabase;
  /** `SB_*` variables pointing a service at this context (add your own on top). */
  env: Record<string, string>;
  /**
   * What a service built in this file is given instead of connecting (pass it to `build`): the
   * namespace's in-process bus and cache in embedded mode; undefined in distributed mode, where
   * services connect to NATS and Redis from `env`.
   */
  connections: TestConnections | undefined;
  /** Drops the database and removes the namespace's streams, buckets and keys. */
  cleanup(): Promise<void>;
}

/** Creates a test context; call `cleanup()` in `afterAll`. */
export async function createTestContext(): Promise<TestContext> {
  const namespace = createTestNamespace();
  const database = await createTestDatabase(namespace);
  const env = {
    SB_NAMESPACE: namespace,
    SB_POSTGRES__URL: database.url,
    SB_REDIS__URL: testInfra.redisUrl,
    SB_NATS__SERVERS: testInfra.natsServers,
    SB_LOG__LEVEL: 'warn',
  };
  if (testModeOf(process.env) === 'embedded') {
    return {
      namespace,
      database,
      env: { ...env, SB_MODE: 'embedded' },
      connections: embeddedConnectionsOf(namespace),
      cleanup: async () => {
        await Promise.all([database.drop(), closeEmbeddedConnections(namespace)]);
      },
    };
  }
  return {
    namespace,
    database,
    env,
    connections: undefined,
    cleanup: async () => {
      await Promise.all([database.drop(), cleanupNamespace(namespace)]);
    },
  };
}
