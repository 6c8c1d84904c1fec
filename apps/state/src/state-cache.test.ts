import { PassThrough } from 'node:stream';
import { connectRedis } from '@switchboard/cache';
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

async function cacheOver(lines: string[]) {
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
  return { cache, metrics, state: createStateCache({ cache, log, metrics, ttlMs: () => 60_000 }) };
}

describe('the state cache', () => {
  it('stores, reads back, forgets only the same entry, and invalidates', async () => {
    const { cache, metrics, state } = await cacheOver([]);
    try {
      expect(await state.get('s', 'k')).toBeUndefined();
      await state.set('s', 'k', entry);
      expect(await state.get('s', 'k')).toEqual(entry);
      await state.forget('s', 'k', { ...entry, version: 1 });
      expect(await state.get('s', 'k')).toEqual(entry);
      await state.forget('s', 'k', entry);
      expect(await state.get('s', 'k')).toBeUndefined();
      await state.set('s', 'k', entry);
      await state.invalidate('s', 'k');
      expect(await state.get('s', 'k')).toBeUndefined();
      expect(metrics.stats()).toMatchObject({ cacheHits: 2, cacheMisses: 3, cacheHitRatio: 0.4 });
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
    await state.forget('s', 'k', entry);
    await state.invalidate('s', 'k');
    expect(lines.join('')).toContain('state cache read failed; reading Postgres');
    expect(lines.join('')).toContain('state cache write failed');
    expect(lines.join('')).toContain('the entry expires with its ttl');
  });
});
