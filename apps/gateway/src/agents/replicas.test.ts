import { spawnService, testInfra, waitFor } from '@switchboard/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentStore, createAgentStore } from '../db/agent-store.ts';
import { connectAgent, type TestAgent } from '../test/agent-client.ts';
import { createGatewayTestWorld, type GatewayTestWorld } from '../test/start-gateway.ts';

let world: GatewayTestWorld;
let agents: AgentStore;
let redis: Redis;
const leaseEnv = { SB_GATEWAY__LEASE__TTL_MS: '300', SB_GATEWAY__LEASE__SWEEP_INTERVAL_MS: '50' };

const startGateway = (id: string) => world.start(id, leaseEnv);

async function openAgent(
  port: number,
  agentId: string,
): Promise<TestAgent & { connectionId: string }> {
  const attempt = await connectAgent(port, { token: world.agentToken });
  if (!('agent' in attempt)) throw new Error(`refused: ${attempt.body}`);
  const reply = await attempt.agent.handshake({ id: agentId, name: agentId, version: '1' });
  return {
    ...attempt.agent,
    connectionId: (reply.result as { connectionId: string }).connectionId,
  };
}

beforeAll(async () => {
  world = await createGatewayTestWorld();
  agents = createAgentStore(world.database);
  redis = new Redis(testInfra.redisUrl);
});
afterAll(async () => {
  redis?.disconnect();
  await world?.stop();
});

describe('two gateway replicas', () => {
  it('find an agent on the other replica through presence, and the newer connection wins across them', async () => {
    const a = await startGateway('gw-a');
    const b = await startGateway('gw-b');
    const first = await openAgent(a.port, 'roamer');
    const presence = JSON.parse(
      (await redis.get(`${world.context.namespace}:presence:agent:roamer`)) ?? '{}',
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
        JSON.parse((await redis.get(`${world.context.namespace}:presence:agent:roamer`)) ?? '{}')
          .gatewayId === 'gw-b',
    );
    second.socket.close();
  });

  it('mark the agents of a SIGKILLed replica disconnected once its lease lapses', async () => {
    await startGateway('gw-survivor');
    const doomed = await spawnService('gateway', {
      ...world.context.env,
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
    expect(await redis.get(`${world.context.namespace}:presence:agent:ghost`)).toBeNull();
  });

  it('do not take a live replica for dead when Redis loses its data', async () => {
    const a = await startGateway('gw-steady');
    await startGateway('gw-watcher');
    const steady = await openAgent(a.port, 'steady');
    const keys = await redis.keys(`${world.context.namespace}:*`);
    if (keys.length > 0) await redis.del(...keys);
    const flushedAt = Date.now();
    await waitFor(
      async () => (await redis.exists(`${world.context.namespace}:gateway:lease:gw-steady`)) === 1,
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
