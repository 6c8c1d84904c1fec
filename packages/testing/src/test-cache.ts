import { type Cache, connectRedis } from '@switchboard/cache';
import { embeddedConnectionsOf } from './embedded-world.ts';
import { testInfra } from './infra.ts';
import { testModeOf } from './mode.ts';

/**
 * The cache in `namespace`, as a test reaches what services keep there: a Redis connection, or
 * in embedded mode the namespace's in-process cache (which the file's end closes).
 */
export function connectTestCache(namespace: string, connectionName = 'test'): Promise<Cache> {
  if (testModeOf(process.env) === 'embedded') {
    return Promise.resolve(embeddedConnectionsOf(namespace).cache);
  }
  return connectRedis(
    { url: testInfra.redisUrl, connectTimeoutMs: 2000 },
    { prefix: `${namespace}:`, connectionName },
  );
}
