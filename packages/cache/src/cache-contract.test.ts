import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCache } from './memory-cache.ts';
import { type Cache, connectRedis } from './redis-cache.ts';
import { redisUrl, testNamespace, waitFor } from './test-support.ts';

// The contract every Cache keeps, run against Redis and the in-process cache of the embedded
// mode alike. Redis-only facts (the keys on the server, connecting) are in redis-cache.test.ts.

interface Implementation {
  name: string;
  /** Two clients of one store: two connections to Redis, or the one in-process cache twice. */
  open(prefix: string): Promise<[Cache, Cache]>;
}

const implementations: Implementation[] = [
  {
    name: 'Redis',
    open: async (prefix) => {
      const connect = (connectionName: string) =>
        connectRedis({ url: redisUrl, connectTimeoutMs: 2000 }, { prefix, connectionName });
      return Promise.all([connect('cache-contract-1'), connect('cache-contract-2')]);
    },
  },
  {
    name: 'in-process',
    open: async (prefix) => {
      const cache = new MemoryCache(prefix);
      return [cache, cache];
    },
  },
];

describe.each(implementations)('the $name cache', (implementation) => {
  let cache: Cache;
  let other: Cache;

  beforeAll(async () => {
    [cache, other] = await implementation.open(`${testNamespace()}:`);
  });
  afterAll(async () => {
    await cache.deleteAll();
    await Promise.all([cache.close(), other.close()]);
  });

  it('stores JSON and reads it back, one or many at once', async () => {
    await cache.setJson('agent:a1', { status: 'idle', load: 2 });
    await cache.setJson('agent:a2', [1, 'two']);
    expect(await other.getJson('agent:a1')).toEqual({ status: 'idle', load: 2 });
    expect(await cache.getJson('missing')).toBeUndefined();
    expect(await cache.getManyJson(['agent:a2', 'missing', 'agent:a1'])).toEqual([
      [1, 'two'],
      undefined,
      { status: 'idle', load: 2 },
    ]);
    expect(await cache.getManyJson([])).toEqual([]);
  });

  it('expires a value after its ttl', async () => {
    await cache.setJson('short', 1, 50);
    await waitFor(async () => (await cache.getJson('short')) === undefined, 'expiry');
  });

  it('deletes one key, then every key of its namespace', async () => {
    await cache.setJson('one', 1);
    await cache.delete('one');
    expect(await cache.getJson('one')).toBeUndefined();
    for (let index = 0; index < 20; index++) await cache.setJson(`bulk:${index}`, index);
    expect(await cache.deleteAll()).toBeGreaterThanOrEqual(20);
    expect(await cache.getJson('bulk:3')).toBeUndefined();
  });

  it('deletes a key only while it holds the expected value', async () => {
    await cache.setJson('presence:a1', { connectionId: 'c2' });
    expect(await cache.deleteIfEquals('presence:a1', { connectionId: 'c1' })).toBe(false);
    expect(await cache.getJson('presence:a1')).toEqual({ connectionId: 'c2' });
    expect(await other.deleteIfEquals('presence:a1', { connectionId: 'c2' })).toBe(true);
    expect(await cache.getJson('presence:a1')).toBeUndefined();
  });

  it('shares a token bucket between clients and refuses past its capacity', async () => {
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
  });

  it('refills a bucket over time', async () => {
    const limit = { capacity: 1, refillPerSecond: 50 };
    expect((await cache.takeTokens('bucket:k2', limit)).allowed).toBe(true);
    expect((await cache.takeTokens('bucket:k2', limit)).allowed).toBe(false);
    await waitFor(
      async () => (await cache.takeTokens('bucket:k2', limit)).allowed,
      'the bucket to refill',
    );
    expect((await cache.takeTokens('bucket:k3', limit, 5)).allowed).toBe(false);
  });

  it('counts the distinct members of a set shared between clients until its window ends', async () => {
    expect(await cache.addToSet('window:w1', 'a', 60_000)).toBe(1);
    expect(await other.addToSet('window:w1', 'b', 60_000)).toBe(2);
    expect(await cache.addToSet('window:w1', 'a', 60_000)).toBe(2);
    expect(await cache.addToSet('window:w2', 'a', 30)).toBe(1);
    await waitFor(
      async () => (await cache.addToSet('window:w2', 'b', 30)) === 1,
      'the window to end',
    );
  });

  it('keeps the newest version of a versioned entry whatever order writers arrive in', async () => {
    expect(await cache.setVersioned('doc:a', 2, { n: 2 }, 60_000)).toBe(true);
    expect(await other.setVersioned('doc:a', 1, { n: 1 }, 60_000)).toBe(false);
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
    expect(await cache.getVersioned('doc:a')).toMatchObject({ kind: 'value', version: 3 });
    // What is not a versioned entry is overwritten.
    await cache.setJson('doc:b', 'not versioned');
    expect(await cache.getVersioned('doc:b')).toBeUndefined();
    expect(await cache.setVersioned('doc:b', 1, 'x', 60_000)).toBe(true);
    expect(await cache.getVersioned('doc:missing')).toBeUndefined();
  });

  it('answers ping, and close is idempotent', async () => {
    const [second] = await implementation.open(`${testNamespace()}:`);
    await expect(second.ping()).resolves.toBeUndefined();
    await second.close();
    await second.close();
  });
});
