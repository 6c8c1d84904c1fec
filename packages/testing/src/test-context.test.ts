import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { testInfra } from './infra.ts';
import { createTestContext } from './test-context.ts';

async function streamNames(): Promise<string[]> {
  const nc = await connect({ servers: testInfra.natsServers.split(',') });
  try {
    const names: string[] = [];
    for await (const name of (await jetstreamManager(nc)).streams.names()) names.push(name);
    return names;
  } finally {
    await nc.close();
  }
}

describe('createTestContext', () => {
  it('gives each file its own migrated database and namespace, and cleans both up', async () => {
    const [first, second] = await Promise.all([createTestContext(), createTestContext()]);
    expect(first.namespace).not.toBe(second.namespace);
    expect(first.database.name).not.toBe(second.database.name);
    expect(first.env).toMatchObject({
      SB_NAMESPACE: first.namespace,
      SB_POSTGRES__URL: first.database.url,
    });

    const sql = postgres(first.database.url, { max: 1 });
    const schemas = await sql<{ name: string }[]>`
      select schema_name as name from information_schema.schemata
      where schema_name in ('gateway', 'router', 'tools', 'a2a', 'state', 'tasks') order by 1`;
    await sql.end();
    expect(schemas.map((row) => row.name)).toEqual([
      'a2a',
      'gateway',
      'router',
      'state',
      'tasks',
      'tools',
    ]);

    const nc = await connect({ servers: testInfra.natsServers.split(',') });
    const jsm = await jetstreamManager(nc);
    for (const namespace of [first.namespace, second.namespace]) {
      await jsm.streams.add({ name: `${namespace}_events`, subjects: [`${namespace}.v1.evt.>`] });
      await jsm.streams.add({
        name: `KV_${namespace}_config`,
        subjects: [`$KV.${namespace}_config.>`],
      });
    }
    await nc.close();
    const redis = new Redis(testInfra.redisUrl);
    await redis.set(`${first.namespace}:a`, '1');
    await redis.set(`${second.namespace}:a`, '1');

    await first.cleanup();
    const names = await streamNames();
    expect(names.filter((name) => name.includes(first.namespace))).toEqual([]);
    expect(names).toContain(`${second.namespace}_events`);
    expect(await redis.exists(`${first.namespace}:a`)).toBe(0);
    expect(await redis.exists(`${second.namespace}:a`)).toBe(1);
    const admin = postgres(testInfra.postgresUrl, { max: 1 });
    const left =
      await admin`select datname from pg_database where datname = ${first.database.name}`;
    await admin.end();
    expect(left).toEqual([]);

    await second.cleanup();
    redis.disconnect();
  });
});
