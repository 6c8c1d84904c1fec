import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { connectRedis } from '@switchboard/cache';
import { createRecordCodec, type RecordCodec } from '@switchboard/db';
import { createLogger } from '@switchboard/logger';
import { createTestNamespace, testInfra } from '@switchboard/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createStateCache } from './state-cache.ts';
import { createStateMetrics } from './state-metrics.ts';

const entry = {
  version: 2,
  document: { a: 1 },
  updatedAt: new Date(0).toISOString(),
  updatedBy: 'x',
};

const plainCodec = createRecordCodec();
const encrypting = (keys: Map<string, Buffer>, activeKeyId: string) =>
  createRecordCodec({ keys, activeKeyId });

async function cacheOver(lines: string[], codec: RecordCodec = plainCodec) {
  const cache = await connectRedis(
    { url: testInfra.redisUrl, connectTimeoutMs: 2000 },
    { prefix: `${createTestNamespace()}:`, connectionName: 'test' },
  );
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  const log = createLogger({
    service: 'state',
    instanceId: 't',
    level: 'warn',
    format: 'json',
    destination,
  });
  const metrics = createStateMetrics(new Registry());
  return {
    cache,
    log,
    metrics,
    state: createStateCache({ cache, codec, log, metrics, ttlMs: () => 60_000 }),
  };
}

describe('the state cache', () => {
  it('stores, reads back, and never takes back a version older than a write', async () => {
    const { cache, metrics, state } = await cacheOver([]);
    try {
      expect(await state.get('s', 'k')).toBeUndefined();
      await state.set('s', 'k', entry);
      expect(await state.get('s', 'k')).toEqual(entry);
      // A write commits version 3 and fences it; a reader that loaded version 2 before the
      // write then tries to cache it: refused, so the next read goes to Postgres.
      await state.invalidate('s', 'k', 3);
      await state.set('s', 'k', entry);
      expect(await state.get('s', 'k')).toBeUndefined();
      const newer = { ...entry, version: 3, document: { a: 3 } };
      await state.set('s', 'k', newer);
      expect(await state.get('s', 'k')).toEqual(newer);
      expect(metrics.stats()).toMatchObject({ cacheHits: 2, cacheMisses: 2, cacheHitRatio: 0.5 });
    } finally {
      await cache.deleteAll();
      await cache.close();
    }
  });

  it('holds encrypted documents when payload encryption is on: no plaintext in Redis', async () => {
    const lines: string[] = [];
    const keys = new Map([['k1', randomBytes(32)]]);
    const { cache, log, metrics, state } = await cacheOver(lines, encrypting(keys, 'k1'));
    try {
      const secret = { secret: 'the-plaintext-marker' };
      await state.set('s', 'k', { ...entry, document: secret });
      const stored = await cache.getVersioned('state:doc:s:k');
      expect(stored).toMatchObject({ kind: 'value', value: { keyId: 'k1', codec: 'identity' } });
      expect(JSON.stringify(stored)).not.toContain('the-plaintext-marker');
      expect(await state.get('s', 'k')).toEqual({ ...entry, document: secret });

      // The same entry under another key, or claimed for another version, does not decrypt:
      // the ciphertext is bound to its document's record. Both read as misses (Postgres).
      const value = stored?.kind === 'value' ? (stored.value as Record<string, unknown>) : {};
      await cache.setVersioned('state:doc:s:other', 2, value, 60_000);
      expect(await state.get('s', 'other')).toBeUndefined();
      await cache.setVersioned('state:doc:s:k', 3, { ...value, version: 3 }, 60_000);
      expect(await state.get('s', 'k')).toBeUndefined();
      expect(lines.join('')).toContain('state cache read failed; reading Postgres');

      // A replica without the key (encryption turned off, key not loaded) misses as well.
      const keyless = createStateCache({
        cache,
        codec: plainCodec,
        log,
        metrics,
        ttlMs: () => 60_000,
      });
      await state.set('s', 'k2', { ...entry, document: secret });
      expect(await keyless.get('s', 'k2')).toBeUndefined();
      expect(metrics.stats()).toMatchObject({ cacheHits: 1, cacheMisses: 3 });
    } finally {
      await cache.deleteAll();
      await cache.close();
    }
  });

  it('answers a miss and warns when Redis is gone, never failing the caller', async () => {
    const lines: string[] = [];
    const { cache, state } = await cacheOver(lines);
    await cache.close();
    expect(await state.get('s', 'k')).toBeUndefined();
    await state.set('s', 'k', entry);
    await state.invalidate('s', 'k', 3);
    expect(lines.join('')).toContain('state cache read failed; reading Postgres');
    expect(lines.join('')).toContain('state cache write failed');
    expect(lines.join('')).toContain('the entry expires with its ttl');
  });
});
