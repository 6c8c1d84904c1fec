import { type Bus, MemoryBus } from '@switchboard/bus';
import { type Cache, MemoryCache } from '@switchboard/cache';

// In embedded mode a test file's services and its own clients share one in-process bus and
// cache, as they would share one NATS server and one Redis: one pair per namespace, and each
// test file has its own namespace (and its own module instance, so nothing leaks between files).

/** The connections every service of a test file is given in embedded mode. */
export interface TestConnections {
  bus: Bus;
  cache: Cache;
}

const worlds = new Map<string, { bus: MemoryBus; cache: MemoryCache }>();

/** The in-process bus and cache of `namespace`, made on first use. */
export function embeddedConnectionsOf(namespace: string): {
  bus: MemoryBus;
  cache: MemoryCache;
} {
  let world = worlds.get(namespace);
  if (world === undefined) {
    world = {
      // The shared settings' defaults, as the services' own NATS connections would use.
      bus: new MemoryBus({
        namespace,
        requestTimeoutMs: () => 5000,
        eventRetryDelayMs: 1000,
        eventMaxAgeMs: 7 * 24 * 60 * 60 * 1000,
      }),
      cache: new MemoryCache(`${namespace}:`),
    };
    worlds.set(namespace, world);
  }
  return world;
}

/** Closes `namespace`'s bus and cache (the end of its test file). */
export async function closeEmbeddedConnections(namespace: string): Promise<void> {
  const world = worlds.get(namespace);
  if (world === undefined) return;
  worlds.delete(namespace);
  await world.bus.close();
  await world.cache.close();
}
