import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { testInfra } from './infra.ts';

/**
 * Removes what a test file's namespace left behind: its JetStream streams (events, KV buckets)
 * and its Redis keys. Never FLUSHALL: other files run at the same time.
 */
export async function cleanupNamespace(namespace: string): Promise<void> {
  const nc = await connect({ servers: testInfra.natsServers.split(',') });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(`${namespace}_`) || name.startsWith(`KV_${namespace}_`)) {
        await jsm.streams.delete(name);
      }
    }
  } finally {
    await nc.close();
  }
  const redis = new Redis(testInfra.redisUrl);
  try {
    for await (const keys of redis.scanStream({
      match: `${namespace}:*`,
      count: 500,
    }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
}
