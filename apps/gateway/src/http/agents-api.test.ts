import type { Bus } from '@switchboard/bus';
import { connectPostgres, type Database } from '@switchboard/db';
import {
  AgentDisconnectedEventSchema,
  type AgentRecord,
  AgentsQueryRpc,
} from '@switchboard/protocol';
import { connectTestBus, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentStore, createAgentStore } from '../db/agent-store.ts';
import { connectAgent, type TestAgent } from '../test/agent-client.ts';
import { type OperatorGateway, startOperatorGateway } from './test-operator.ts';

let gateway: OperatorGateway;
let bus: Bus;
let database: Database;
let agents: AgentStore;
let agentToken: string;
const disconnects: Array<{ agentId: string; reason: string }> = [];

type Page = { items: AgentRecord[]; nextCursor: string | null };

async function openAgent(port: number, agent: Record<string, unknown>): Promise<TestAgent> {
  const attempt = await connectAgent(port, { token: agentToken });
  if (!('agent' in attempt)) throw new Error(`refused: ${attempt.body}`);
  const reply = await attempt.agent.handshake(agent);
  expect(reply).toMatchObject({ type: 'result' });
  return attempt.agent;
}

async function list(query: string): Promise<Page> {
  const response = await gateway.call('GET', `/v1/agents${query}`, { token: gateway.adminToken });
  expect(response.statusCode).toBe(200);
  return response.json() as Page;
}

const ids = (page: Page) => page.items.map((agent) => agent.id);

beforeAll(async () => {
  gateway = await startOperatorGateway();
  bus = await connectTestBus(gateway.context.namespace);
  database = await connectPostgres(
    { url: gateway.context.database.url, poolMax: 2, connectTimeoutMs: 2000 },
    'test',
  );
  agents = createAgentStore(database);
  await bus.consumeEvents({
    filterSubject: bus.subjects.event('agent', 'disconnected'),
    schema: AgentDisconnectedEventSchema,
    handler: async (event) => void disconnects.push(event.payload),
  });
  const created = await gateway.call('POST', '/v1/keys', {
    token: gateway.adminToken,
    body: { name: 'agents', agentIds: ['*'] },
  });
  agentToken = (created.json() as { token: string }).token;
});
afterAll(async () => {
  await bus?.close();
  await database?.close();
  await gateway?.stop();
});

describe('the agent catalog', () => {
  const open: TestAgent[] = [];
  beforeAll(async () => {
    open.push(
      await openAgent(gateway.port, {
        id: 'cat-a',
        name: 'A',
        version: '1',
        capabilities: [{ name: 'plan' }, { name: 'search', version: '2' }],
        labels: { team: 'ops', env: 'prod' },
      }),
      await openAgent(gateway.port, {
        id: 'cat-b',
        name: 'B',
        version: '1',
        capabilities: [{ name: 'search' }],
        labels: { team: 'ops', env: 'dev' },
      }),
      await openAgent(gateway.port, {
        id: 'cat-c',
        name: 'C',
        version: '1',
        capabilities: [{ name: 'plan' }],
        labels: { team: 'web' },
      }),
    );
    (open.pop() as TestAgent).socket.close();
    await waitFor(async () => (await agents.get('cat-c'))?.connected === false);
  });
  afterAll(() => {
    for (const agent of open) agent.socket.close();
  });

  it('filters by capability, labels and status', async () => {
    expect(ids(await list('?capability=search'))).toEqual(['cat-a', 'cat-b']);
    expect(ids(await list('?capability=plan&label=team=ops'))).toEqual(['cat-a']);
    expect(ids(await list('?label=team=ops&label=env=dev'))).toEqual(['cat-b']);
    expect(ids(await list('?status=disconnected&label=team=web'))).toEqual(['cat-c']);
    expect(ids(await list('?status=connected&capability=plan'))).toEqual(['cat-a']);
    expect(ids(await list('?capability=none'))).toEqual([]);
  });

  it('pages by id with a cursor', async () => {
    const first = await list('?limit=2&label=team=ops');
    expect(ids(first)).toEqual(['cat-a', 'cat-b']);
    expect(first.nextCursor).toBeNull();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await list(`?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`);
      seen.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen.filter((id) => id.startsWith('cat-'))).toEqual(['cat-a', 'cat-b', 'cat-c']);
  });

  it('shows one agent as registered, with its connection', async () => {
    const response = await gateway.call('GET', '/v1/agents/cat-a', { token: gateway.adminToken });
    expect(response.json()).toMatchObject({
      id: 'cat-a',
      status: 'connected',
      gatewayId: gateway.gatewayId,
      capabilities: [{ name: 'plan' }, { name: 'search', version: '2' }],
      labels: { team: 'ops', env: 'prod' },
      disconnectReason: null,
    });
    const gone = await gateway.call('GET', '/v1/agents/cat-c', { token: gateway.adminToken });
    expect(gone.json()).toMatchObject({ status: 'disconnected', disconnectReason: 'closed' });
    const missing = await gateway.call('GET', '/v1/agents/nobody', { token: gateway.adminToken });
    expect(missing.json()).toMatchObject({ status: 404, code: 'E_NOT_FOUND' });
  });

  it('refuses bad filters and cursors, naming the field', async () => {
    const badLabel = await gateway.call('GET', '/v1/agents?label=-bad=x', {
      token: gateway.adminToken,
    });
    expect(badLabel.json()).toMatchObject({
      status: 400,
      errors: [{ field: 'query.label' }],
    });
    const noEquals = await gateway.call('GET', '/v1/agents?label=team', {
      token: gateway.adminToken,
    });
    expect(noEquals.json()).toMatchObject({ status: 400, code: 'E_VALIDATION' });
    const badStatus = await gateway.call('GET', '/v1/agents?status=sleeping', {
      token: gateway.adminToken,
    });
    expect(badStatus.json()).toMatchObject({ errors: [{ field: 'query.status' }] });
    const badCursor = await gateway.call('GET', '/v1/agents?cursor=!!!', {
      token: gateway.adminToken,
    });
    expect(badCursor.json()).toMatchObject({ status: 400, detail: /cursor/ });
  });

  it('serves the same catalog over NATS to other services', async () => {
    const subject = bus.subjects.rpc('gateway', AgentsQueryRpc.operation);
    const page = await bus.request(subject, AgentsQueryRpc, {
      capability: 'search',
      labels: { env: 'prod' },
    });
    expect(page.items.map((agent) => agent.id)).toEqual(['cat-a']);
    expect(page.items[0]).toMatchObject({ status: 'connected', name: 'A' });
    await expect(
      bus.request(subject, AgentsQueryRpc, { cursor: 'not a cursor' }),
    ).rejects.toMatchObject({ code: 'E_VALIDATION' });
  });
});

describe('disconnecting an agent', () => {
  it('closes a connection held by this gateway', async () => {
    const agent = await openAgent(gateway.port, { id: 'local-1', name: 'L', version: '1' });
    const response = await gateway.call('POST', '/v1/agents/local-1/disconnect', {
      token: gateway.adminToken,
    });
    expect(response.json()).toEqual({
      agentId: 'local-1',
      outcome: 'closed',
      gatewayId: gateway.gatewayId,
    });
    expect(await agent.closed).toEqual({ code: 4004, reason: 'disconnected by an operator' });
    await waitFor(async () => (await agents.get('local-1'))?.disconnectReason === 'operator');
  });

  it('asks the gateway instance that holds the connection to close it', async () => {
    const replica = await gateway.startReplica();
    const agent = await openAgent(replica.port, { id: 'remote-1', name: 'R', version: '1' });
    const response = await gateway.call('POST', '/v1/agents/remote-1/disconnect', {
      token: gateway.adminToken,
    });
    expect(response.json()).toEqual({
      agentId: 'remote-1',
      outcome: 'closed',
      gatewayId: replica.gatewayId,
    });
    expect((await agent.closed).code).toBe(4004);
    await replica.service.stop();
  });

  it('marks an agent no gateway holds disconnected, and announces it', async () => {
    await agents.markConnected({
      agentId: 'ghost-1',
      registration: { name: 'G', version: '1', capabilities: [], labels: {} },
      registeredBy: 'key:test',
      gatewayId: 'gw-gone',
      connectionId: 'c-ghost',
      at: new Date(),
    });
    const response = await gateway.call('POST', '/v1/agents/ghost-1/disconnect', {
      token: gateway.adminToken,
    });
    expect(response.json()).toEqual({
      agentId: 'ghost-1',
      outcome: 'marked_disconnected',
      gatewayId: null,
    });
    expect(await agents.get('ghost-1')).toMatchObject({
      connected: false,
      disconnectReason: 'operator',
    });
    await waitFor(() =>
      disconnects.some((event) => event.agentId === 'ghost-1' && event.reason === 'operator'),
    );
    const again = await gateway.call('POST', '/v1/agents/ghost-1/disconnect', {
      token: gateway.adminToken,
    });
    expect(again.json()).toMatchObject({ outcome: 'not_connected' });
  });

  it('answers an unknown agent with 404 and needs agents:write', async () => {
    const missing = await gateway.call('POST', '/v1/agents/nobody/disconnect', {
      token: gateway.adminToken,
    });
    expect(missing.json()).toMatchObject({ status: 404, detail: 'no agent nobody in the catalog' });
    const observer = await gateway.call('POST', '/v1/keys', {
      token: gateway.adminToken,
      body: { name: 'observer', roles: ['observer'] },
    });
    const refused = await gateway.call('POST', '/v1/agents/nobody/disconnect', {
      token: (observer.json() as { token: string }).token,
    });
    expect(refused.json()).toMatchObject({ status: 403, detail: /agents:write/ });
  });
});
