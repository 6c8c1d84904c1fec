import { createTestNamespace, testInfra, waitFor } from '@switchboard/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cache, connectRedis } from './redis-cache.ts';

const namespace = createTestNamespace();
const prefix = `${namespace}:`;
let cache: Cache;
let raw: Redis;

beforeAll(async () => {
  cache = await connectRedis(
    { url: testInfra.redisUrl, connectTimeoutMs: 2000 },
    { prefix, connectionName: 'cache-test' },
  );
  raw = new Redis(testInfra.redisUrl);
});
afterAll(async () => {
  await cache.deleteAll();
  await cache.close();
  raw.disconnect();
});

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
    await waitFor(async () => (await cache.getJson('short')) === undefined, { what: 'expiry' });
  });

  it('deletes one key, then every key of its namespace and no other', async () => {
    await cache.setJson('one', 1);
    await cache.delete('one');
    expect(await cache.getJson('one')).toBeUndefined();

    const other = `${createTestNamespace()}:keep`;
    await raw.set(other, 'x');
    for (let index = 0; index < 1200; index++) await cache.setJson(`bulk:${index}`, index);
    expect(await cache.deleteAll()).toBeGreaterThanOrEqual(1200);
    expect(await raw.keys(`${prefix}*`)).toEqual([]);
    expect(await raw.get(other)).toBe('x');
    await raw.del(other);
  });

  it('deletes a key only while it holds the expected value', async () => {
    await cache.setJson('presence:a1', { connectionId: 'c2' });
    expect(await cache.deleteIfEquals('presence:a1', { connectionId: 'c1' })).toBe(false);
    expect(await cache.getJson('presence:a1')).toEqual({ connectionId: 'c2' });
    expect(await cache.deleteIfEquals('presence:a1', { connectionId: 'c2' })).toBe(true);
    expect(await cache.getJson('presence:a1')).toBeUndefined();
  });

  it('shares a token bucket between connections and refuses past its capacity', async () => {
    const other = await connectRedis(
      { url: testInfra.redisUrl, connectTimeoutMs: 2000 },
      { prefix, connectionName: 'cache-test-bucket' },
    );
    const limit = { capacity: 3, refillPerSecond: 1 };
    const takes = [
      await cache.takeTokens('bucket:k1', limit),
      await other.takeTokens('bucket:k1', limit),
      await cache.takeTokens('bucket:k1', limit),
      await other.takeTokens('bucket:k1', limit),
    ];
    expect(takes.map((take) => take.allowed)).toEqual([true, true, true, false]);
    expect(takes[2]?.remaining).toBe(0);
    expect(takes[3]?.retryAfterMs).toBeGreaterThan(0);
    expect(takes[3]?.retryAfterMs).toBeLessThanOrEqual(1000);
    expect(takes[3]?.resetMs).toBeLessThanOrEqual(3000);
    expect(await raw.pttl(`${prefix}bucket:k1`)).toBeGreaterThan(0);
    await other.close();
  });

  it('refills a bucket over time', async () => {
    const limit = { capacity: 1, refillPerSecond: 50 };
    expect((await cache.takeTokens('bucket:k2', limit)).allowed).toBe(true);
    const refused = await cache.takeTokens('bucket:k2', limit);
    expect(refused.allowed).toBe(false);
    await waitFor(async () => (await cache.takeTokens('bucket:k2', limit)).allowed, {
      what: 'the bucket to refill',
    });
    expect((await cache.takeTokens('bucket:k3', limit, 5)).allowed).toBe(false);
  });

  it('keeps the newest version of a versioned entry whatever order writers arrive in', async () => {
    expect(await cache.setVersioned('doc:a', 2, { n: 2 }, 60_000)).toBe(true);
    expect(await cache.setVersioned('doc:a', 1, { n: 1 }, 60_000)).toBe(false);
    expect(await cache.setVersioned('doc:a', 2, { n: 'again' }, 60_000)).toBe(false);
    expect(await cache.getVersioned('doc:a')).toEqual({
      kind: 'value',
      version: 2,
      value: { n: 2 },
    });

    // A write fences version 3: a reader holding version 2 (read before the write) is refused,
    // one that read version 3 from the source after it is accepted.
    await cache.fenceVersion('doc:a', 3, 60_000);
    expect(await cache.getVersioned('doc:a')).toEqual({ kind: 'fence', version: 3 });
    expect(await cache.setVersioned('doc:a', 2, { n: 2 }, 60_000)).toBe(false);
    expect(await cache.setVersioned('doc:a', 3, { n: 3 }, 60_000)).toBe(true);
    // A fence at or below what is held changes nothing.
    await cache.fenceVersion('doc:a', 3, 60_000);
    expect(await cache.getVersioned('doc:a')).toEqual({
      kind: 'value',
      version: 3,
      value: { n: 3 },
    });

    await raw.set(`${prefix}doc:b`, '"not versioned"');
    expect(await cache.getVersioned('doc:b')).toBeUndefined();
    expect(await cache.setVersioned('doc:b', 1, 'x', 60_000)).toBe(true);
    expect(await cache.getVersioned('doc:missing')).toBeUndefined();
  });

  it('answers ping, and close is idempotent', async () => {
    const second = await connectRedis(
      { url: testInfra.redisUrl, connectTimeoutMs: 2000 },
      { prefix, connectionName: 'cache-test-2' },
    );
    await expect(second.ping()).resolves.toBeUndefined();
    await second.close();
    await second.close();
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
