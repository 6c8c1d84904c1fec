import { connectPostgres, type Database } from '@switchboard/db';
import type { Service } from '@switchboard/service';
import {
  createTestContext,
  spawnService,
  type TestContext,
  testInfra,
  waitFor,
} from '@switchboard/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentStore, createAgentStore } from '../db/agent-store.ts';
import { createApiKeyStore } from '../db/api-key-store.ts';
import { connectAgent, type TestAgent } from '../test/agent-client.ts';
import { startTestGateway } from '../test/start-gateway.ts';

let context: TestContext;
let database: Database;
let agents: AgentStore;
let redis: Redis;
let token: string;
const running: Service[] = [];
const leaseEnv = { SB_GATEWAY__LEASE__TTL_MS: '300', SB_GATEWAY__LEASE__SWEEP_INTERVAL_MS: '50' };

async function startGateway(id: string) {
  const started = await startTestGateway(context, id, leaseEnv);
  running.push(started.service);
  return started;
}

async function openAgent(
  port: number,
  agentId: string,
): Promise<TestAgent & { connectionId: string }> {
  const attempt = await connectAgent(port, { token });
  if (!('agent' in attempt)) throw new Error(`refused: ${attempt.body}`);
  const reply = await attempt.agent.handshake({ id: agentId, name: agentId, version: '1' });
  return {
    ...attempt.agent,
    connectionId: (reply.result as { connectionId: string }).connectionId,
  };
}

beforeAll(async () => {
  context = await createTestContext();
  database = await connectPostgres(
    { url: context.database.url, poolMax: 2, connectTimeoutMs: 2000 },
    'test',
  );
  agents = createAgentStore(database);
  redis = new Redis(testInfra.redisUrl);
  ({ token } = await createApiKeyStore(database).create({
    name: 'agents',
    agentIds: ['*'],
    roles: [],
    grants: [],
    createdBy: 'test',
  }));
});
afterAll(async () => {
  await Promise.all(running.map((service) => service.stop()));
  redis?.disconnect();
  await database?.close();
  await context?.cleanup();
});

describe('two gateway replicas', () => {
  it('find an agent on the other replica through presence, and the newer connection wins across them', async () => {
    const a = await startGateway('gw-a');
    const b = await startGateway('gw-b');
    const first = await openAgent(a.port, 'roamer');
    const presence = JSON.parse(
      (await redis.get(`${context.namespace}:presence:agent:roamer`)) ?? '{}',
    );
    expect(presence).toEqual({ gatewayId: 'gw-a', connectionId: first.connectionId });

    const second = await openAgent(b.port, 'roamer');
    expect((await first.closed).code).toBe(4001);
    expect(await agents.get('roamer')).toMatchObject({
      connected: true,
      gatewayId: 'gw-b',
      connectionId: second.connectionId,
    });
    await waitFor(
      async () =>
        JSON.parse((await redis.get(`${context.namespace}:presence:agent:roamer`)) ?? '{}')
          .gatewayId === 'gw-b',
    );
    second.socket.close();
  });

  it('mark the agents of a SIGKILLed replica disconnected once its lease lapses', async () => {
    await startGateway('gw-survivor');
    const doomed = await spawnService('gateway', {
      ...context.env,
      ...leaseEnv,
      SB_GATEWAY__PORT: '0',
      SB_INSTANCE_ID: 'gw-doomed',
    });
    const ghost = await openAgent(doomed.port, 'ghost');
    expect(await agents.get('ghost')).toMatchObject({ connected: true, gatewayId: 'gw-doomed' });
    await doomed.stop('SIGKILL');
    await ghost.closed;
    await waitFor(async () => (await agents.get('ghost'))?.disconnectReason === 'gateway_lost', {
      what: 'the survivor to sweep the lost gateway',
    });
    expect(await redis.get(`${context.namespace}:presence:agent:ghost`)).toBeNull();
  });

  it('do not take a live replica for dead when Redis loses its data', async () => {
    const a = await startGateway('gw-steady');
    await startGateway('gw-watcher');
    const steady = await openAgent(a.port, 'steady');
    const keys = await redis.keys(`${context.namespace}:*`);
    if (keys.length > 0) await redis.del(...keys);
    const flushedAt = Date.now();
    await waitFor(
      async () => (await redis.exists(`${context.namespace}:gateway:lease:gw-steady`)) === 1,
      {
        what: 'the live instance to re-write its lease',
      },
    );
    // A negative can only be observed over time: two lease lifetimes after the loss, the
    // watcher has swept many times and must not have taken gw-steady for dead.
    await waitFor(() => Date.now() - flushedAt > 600, { timeoutMs: 2000 });
    expect(await agents.get('steady')).toMatchObject({ connected: true, gatewayId: 'gw-steady' });
    steady.socket.close();
  });
});
