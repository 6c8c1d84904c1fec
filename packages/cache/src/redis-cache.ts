import { resolveTls, type TlsSettings, unreachableError } from '@switchboard/config';
import { Redis } from 'ioredis';
import { type BucketLimit, TAKE_TOKENS, type TakeResult } from './token-bucket.ts';
import { parseVersioned, SET_VERSIONED, type VersionedEntry } from './versioned.ts';

/** Connection settings, as the shared `redis` config section holds them. */
export interface RedisSettings {
  url: string;
  connectTimeoutMs: number;
  tls?: TlsSettings | undefined;
}

/**
 * The cache every service uses: fast paths only, never the only copy of anything (DESIGN.md,
 * Messages: losing Redis loses nothing). Every key is prefixed with the namespace.
 */
export interface Cache {
  /** The prefix of every key (`<ns>:`). */
  readonly prefix: string;
  ping(): Promise<void>;
  /** The JSON value at `key`, or undefined when absent or expired. */
  getJson(key: string): Promise<unknown>;
  /** The JSON values at `keys` in one round trip, undefined where absent. */
  getManyJson(keys: readonly string[]): Promise<unknown[]>;
  /** Stores a JSON value, expiring after `ttlMs` when given. */
  setJson(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Deletes `key` only while it still holds `value` (atomically): an owner clears its own entry
   * without removing one a newer owner wrote in between.
   */
  deleteIfEquals(key: string, value: unknown): Promise<boolean>;
  /**
   * Stores `value` at `version` unless the key holds a value at this version or later, or a
   * fence above it (see `versioned.ts`). Resolves true when stored.
   */
  setVersioned(key: string, version: number, value: unknown, ttlMs: number): Promise<boolean>;
  /** Fences the key at `version`: older values can no longer be stored. */
  fenceVersion(key: string, version: number, ttlMs: number): Promise<void>;
  /** The versioned entry at `key`, or undefined when absent or not a versioned entry. */
  getVersioned(key: string): Promise<VersionedEntry | undefined>;
  /**
   * Takes `cost` tokens from the bucket at `key`, atomically across every replica sharing
   * Redis (rate limits).
   */
  takeTokens(key: string, limit: BucketLimit, cost?: number): Promise<TakeResult>;
  /**
   * Adds `member` to the set at `key` and returns how many distinct members it holds, atomically
   * across replicas; the set expires `ttlMs` after it was created (counting windows).
   */
  addToSet(key: string, member: string, ttlMs: number): Promise<number>;
  /** Deletes every key of the namespace ("Redis is lost" in tests, a reset in operations). */
  deleteAll(): Promise<number>;
  /** Closes the connection. Idempotent. */
  close(): Promise<void>;
}

// The expiry is set once, when the set is created: a window ends on time however busy it is.
const ADD_TO_SET = `
local added = redis.call('SADD', KEYS[1], ARGV[1])
if added == 1 and redis.call('SCARD', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('SCARD', KEYS[1])`;

const DELETE_IF_EQUALS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Waits for the first connection so start-up fails fast and clearly, then lets ioredis reconnect. */
async function firstConnect(client: Redis, url: string): Promise<void> {
  // connect() rejects with a bare "Connection is closed."; the socket error says why.
  let socketError: unknown;
  const remember = (error: unknown) => {
    socketError ??= error;
  };
  client.on('error', remember);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    const parsed = new URL(url);
    throw unreachableError(
      'Redis',
      `${parsed.hostname}:${parsed.port || '6379'}`,
      socketError ?? error,
    );
  } finally {
    client.off('error', remember);
  }
}

/** Connects to Redis; fails with `E_UNAVAILABLE` naming the address when it cannot. */
export async function connectRedis(
  settings: RedisSettings,
  options: { prefix: string; connectionName: string },
): Promise<Cache> {
  const tls = resolveTls('Redis', settings.tls);
  const client = new Redis(settings.url, {
    lazyConnect: true,
    connectTimeout: settings.connectTimeoutMs,
    connectionName: options.connectionName,
    keyPrefix: options.prefix,
    // Fail a command quickly while Redis is down: callers fall back to Postgres.
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    ...(tls === undefined ? {} : { tls }),
  });
  // Without a listener ioredis reports connection errors as unhandled; reconnects are automatic.
  client.on('error', () => {});
  await firstConnect(client, settings.url);

  let closed: Promise<void> | undefined;
  return {
    prefix: options.prefix,
    ping: async () => {
      await client.ping();
    },
    getJson: async (key) => {
      const raw = await client.get(key);
      return raw === null ? undefined : JSON.parse(raw);
    },
    getManyJson: async (keys) => {
      if (keys.length === 0) return [];
      const raws = await client.mget(...keys);
      return raws.map((raw) => (raw === null ? undefined : JSON.parse(raw)));
    },
    setJson: async (key, value, ttlMs) => {
      const raw = JSON.stringify(value);
      if (ttlMs === undefined) await client.set(key, raw);
      else await client.set(key, raw, 'PX', ttlMs);
    },
    delete: async (key) => {
      await client.del(key);
    },
    deleteIfEquals: async (key, value) => {
      const deleted = await client.eval(DELETE_IF_EQUALS, 1, key, JSON.stringify(value));
      return deleted === 1;
    },
    setVersioned: async (key, version, value, ttlMs) => {
      const stored = JSON.stringify({ v: version, d: value });
      return (await client.eval(SET_VERSIONED, 1, key, stored, version, ttlMs, '0')) === 1;
    },
    fenceVersion: async (key, version, ttlMs) => {
      const stored = JSON.stringify({ v: version, f: true });
      await client.eval(SET_VERSIONED, 1, key, stored, version, ttlMs, '1');
    },
    getVersioned: async (key) => {
      const raw = await client.get(key);
      return raw === null ? undefined : parseVersioned(JSON.parse(raw));
    },
    takeTokens: async (key, limit, cost = 1) => {
      const [allowed, remaining, retryAfterMs, resetMs] = (await client.eval(
        TAKE_TOKENS,
        1,
        key,
        limit.capacity,
        limit.refillPerSecond,
        cost,
      )) as [number, number, number, number];
      return { allowed: allowed === 1, remaining, retryAfterMs, resetMs };
    },
    addToSet: async (key, member, ttlMs) =>
      (await client.eval(ADD_TO_SET, 1, key, member, ttlMs)) as number,
    deleteAll: async () => {
      let deleted = 0;
      // SCAN patterns ignore keyPrefix, and returned keys carry it: strip before DEL re-adds it.
      const stream = client.scanStream({ match: `${options.prefix}*`, count: 500 });
      for await (const keys of stream as AsyncIterable<string[]>) {
        if (keys.length === 0) continue;
        deleted += await client.del(...keys.map((key) => key.slice(options.prefix.length)));
      }
      return deleted;
    },
    close: () => {
      closed ??= client.quit().then(
        () => undefined,
        () => client.disconnect(),
      );
      return closed;
    },
  };
}
