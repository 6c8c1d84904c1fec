import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cache, connectRedis } from './redis-cache.ts';
import { redisUrl, testNamespace, waitFor } from './test-support.ts';

const namespace = testNamespace();
const prefix = `${namespace}:`;
let cache: Cache;
let raw: Redis;

beforeAll(async () => {
  cache = await connectRedis(
    { url: redisUrl, connectTimeoutMs: 2000 },
    { prefix, connectionName: 'cache-test' },
  );
  raw = new Redis(redisUrl);
});
afterAll(async () => {
  await cache.deleteAll();
  await cache.close();
  raw.disconnect();
});

// What only Redis shows: keys as stored on the server and connecting to it. The behaviour both
// caches share is in cache-contract.test.ts.
describe('connectRedis', () => {
  it('stores JSON under the namespace prefix and reads it back', async () => {
    await cache.setJson('agent:a1', { status: 'idle', load: 2 });
    expect(await cache.getJson('agent:a1')).toEqual({ status: 'idle', load: 2 });
    expect(await raw.get(`${prefix}agent:a1`)).toBe('{"status":"idle","load":2}');
    expect(await cache.getJson('missing')).toBeUndefined();
  });

  it('expires a value after its ttl', async () => {
    await cache.setJson('short', 1, 50);
    const ttl = await raw.pttl(`${prefix}short`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(50);
    await waitFor(async () => (await cache.getJson('short')) === undefined, 'expiry');
  });

  it('deletes one key, then every key of its namespace and no other', async () => {
    await cache.setJson('one', 1);
    await cache.delete('one');
    expect(await cache.getJson('one')).toBeUndefined();

    const other = `${testNamespace()}:keep`;
    await raw.set(other, 'x');
    for (let index = 0; index < 1200; index++) await cache.setJson(`bulk:${index}`, index);
    expect(await cache.deleteAll()).toBeGreaterThanOrEqual(1200);
    expect(await raw.keys(`${prefix}*`)).toEqual([]);
    expect(await raw.get(other)).toBe('x');
    await raw.del(other);
  });

  it('lets an idle token bucket expire on the server', async () => {
    await cache.takeTokens('bucket:k1', { capacity: 3, refillPerSecond: 1 });
    const ttl = await raw.pttl(`${prefix}bucket:k1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1000);
  });

  it('fails with E_UNAVAILABLE naming the address and how to start Redis', async () => {
    const error = await connectRedis(
      { url: 'redis://:hunter2@127.0.0.1:1', connectTimeoutMs: 500 },
      { prefix, connectionName: 'cache-test-down' },
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'E_UNAVAILABLE',
      details: { dependency: 'Redis', address: '127.0.0.1:1' },
    });
    expect((error as Error).message).toContain('redis-server --daemonize yes');
    expect((error as Error).message).not.toContain('hunter2');
  });
});
