import { PassThrough } from 'node:stream';
import { MemoryBus } from '@switchboard/bus';
import { MemoryCache } from '@switchboard/cache';
import { loadConfig } from '@switchboard/config';
import type { Database } from '@switchboard/db';
import { createLogger } from '@switchboard/logger';
import { PingRpc } from '@switchboard/protocol';
import {
  createDatabaseTestContext,
  type DatabaseTestContext,
  type TestContext,
} from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService } from './create-service.ts';
import { createTestFolder, testServiceConfig } from './test-service.ts';

// The embedded mode builds every service over one bus, cache and Postgres pool it made itself:
// a service uses what it is given, serves and answers over it, and leaves it open when it stops.

let world: DatabaseTestContext | undefined;
let context: TestContext;
let folder: ReturnType<typeof createTestFolder>;
let db: Database;
let bus: MemoryBus;
let cache: MemoryCache;

beforeAll(async () => {
  folder = createTestFolder();
  world = await createDatabaseTestContext('injected-test', { poolMax: 2 });
  ({ context, database: db } = world);
  bus = new MemoryBus({
    namespace: context.namespace,
    requestTimeoutMs: () => 2000,
    eventRetryDelayMs: 20,
    eventMaxAgeMs: 60_000,
  });
  cache = new MemoryCache(`${context.namespace}:`);
});
afterAll(async () => {
  await bus?.close();
  await cache?.close();
  await world?.cleanup();
  folder.remove();
});

async function buildService(instanceId: string) {
  const config = await loadConfig(testServiceConfig, {
    env: { ...context.env, SB_TASKS__PORT: '0' },
  });
  return createService({
    service: 'tasks',
    version: '0.0.0-test',
    config,
    log: createLogger({
      service: 'tasks',
      instanceId,
      level: 'silent',
      format: 'json',
      destination: new PassThrough(),
    }),
    instanceId,
    connections: { bus, db, cache },
    migrationsFolder: folder.migrations,
    listen: () => config.current.tasks,
  });
}

describe('a service given its connections', () => {
  it('serves over them, reports ready, and leaves them open when it stops', async () => {
    const service = await buildService('injected');
    await service.start();
    expect((await service.http.inject('/readyz')).json()).toEqual({
      status: 'ready',
      checks: { nats: 'ok', postgres: 'ok', redis: 'ok' },
    });
    const ping = bus.subjects.rpc('tasks', 'ping');
    expect(await bus.request(ping, PingRpc, {})).toMatchObject({ instanceId: 'injected' });

    await service.stop();
    await expect(bus.request(ping, PingRpc, {})).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    expect(await bus.ping()).toBe(0);
    await cache.setJson('still-open', 1);
    expect(await cache.getJson('still-open')).toBe(1);
    await db.ping();

    // Another service starts over the same connections after the first one left.
    const next = await buildService('next');
    await next.start();
    expect(await bus.request(ping, PingRpc, {})).toMatchObject({ instanceId: 'next' });
    await next.stop();
  });
});
