import {
  createTestContext,
  type ServiceProcess,
  spawnService,
  type TestContext,
  waitFor,
} from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentClient } from './agent-client.ts';
import { connect } from './connect.ts';
import { createTestAuth, startGateway } from './test-gateway.ts';

let context: TestContext;
let gateway: ServiceProcess;
let state: ServiceProcess;
let url: string;
let token: string;
const suffix = Math.random().toString(16).slice(2, 8);
const clients: AgentClient[] = [];

async function agent(name: string): Promise<AgentClient> {
  const client = await connect({
    url,
    token,
    agent: { id: `${name}-${suffix}`, name, version: '1' },
  });
  clients.push(client);
  return client;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the call should have been refused'),
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  context = await createTestContext();
  const auth = await createTestAuth();
  [gateway, state] = await Promise.all([
    startGateway(context, auth),
    spawnService('state', { ...context.env, SB_STATE__PORT: '0' }),
  ]);
  url = `ws://127.0.0.1:${gateway.port}`;
  token = await auth.sign('agents', ['*']);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway?.stop();
  await state?.stop();
  await context?.cleanup();
});

describe('client.store', () => {
  it('puts, gets and patches the agent’s own state', async () => {
    const client = await agent('writer');
    const created = await client.store.put('plan', { steps: ['a'] }, { expectedVersion: 0 });
    expect(created.version).toBe(1);
    const patched = await client.store.patch('plan', { done: false }, { expectedVersion: 1 });
    expect(patched.version).toBe(2);
    expect(await client.store.get('plan')).toMatchObject({
      scope: `agent:writer-${suffix}`,
      key: 'plan',
      version: 2,
      document: { steps: ['a'], done: false },
      updatedBy: `agent:writer-${suffix}`,
    });
    const history = await client.store.history('plan', { limit: 1 });
    expect(history.items.map((item) => item.version)).toEqual([2]);
    expect(history.nextCursor).toBe('2');
    expect(await client.store.delete('plan', { expectedVersion: 2 })).toMatchObject({
      version: 3,
    });
    expect(await rejection(client.store.get('plan'))).toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('refuses a stale expected version with the current document', async () => {
    const client = await agent('racer');
    await client.store.put('counter', { n: 1 }, { expectedVersion: 0 });
    await client.store.put('counter', { n: 2 }, { expectedVersion: 1 });
    expect(
      await rejection(client.store.put('counter', { n: 3 }, { expectedVersion: 1 })),
    ).toMatchObject({
      code: 'E_CONFLICT',
      details: { currentVersion: 2, document: { n: 2 } },
    });
  });

  it('refuses another scope without a grant', async () => {
    const client = await agent('nosy');
    for (const call of [
      client.store.get('plan', { scope: `agent:writer-${suffix}` }),
      client.store.put('plan', {}, { scope: 'team.alpha', expectedVersion: 0 }),
    ]) {
      expect(await rejection(call)).toMatchObject({ code: 'E_FORBIDDEN' });
    }
  });
});

describe('client.lifecycle', () => {
  it('reports idle once connected, and refuses an illegal move', async () => {
    const client = await agent('worker');
    await waitFor(async () => (await client.lifecycle.get()).status === 'starting', {
      what: 'the connect event to move the agent to starting',
    });
    expect(await client.lifecycle.report('idle', 'ready')).toMatchObject({
      agentId: `worker-${suffix}`,
      status: 'idle',
    });
    expect(await client.lifecycle.get()).toMatchObject({ status: 'idle' });
    expect(await rejection(client.lifecycle.report('stopped'))).toMatchObject({
      code: 'E_INVALID_TRANSITION',
    });
  });
});
