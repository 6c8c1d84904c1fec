import { decodePrincipal, mintApiKey } from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import type { Database } from '@switchboard/db';
import {
  LifecycleTransitionRpc,
  SbError,
  StateGetRpc,
  StateHistoryRpc,
  StatePutRpc,
  TaskSubmitBatchRpc,
  TaskSubmitRpc,
} from '@switchboard/protocol';
import { answerEach, type Service } from '@switchboard/service';
import {
  connectTestBus,
  createDatabaseTestContext,
  type DatabaseTestContext,
  type TestContext,
} from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyStore } from '../db/api-key-store.ts';
import { agentOf, connectAgent, registeredAgent } from '../test/agent-client.ts';
import { startTestGateway } from '../test/start-gateway.ts';

let world: DatabaseTestContext | undefined;
let context: TestContext;
let database: Database;
let bus: Bus;
let gateway: Service;
let port: number;
let token: string;
let keyId: string;
const seen: Array<{ operation: string; request: unknown; principal: string | undefined }> = [];
const submits: Array<{ batch: boolean; types: string[] }> = [];
const at = new Date().toISOString();

const registered = (agentId: string) => registeredAgent(port, token, agentId);

beforeAll(async () => {
  world = await createDatabaseTestContext('test', { poolMax: 2, connectTimeoutMs: 2000 });
  ({ context, database } = world);
  bus = await connectTestBus(context.namespace);
  // A stand-in state service on the real bus: it records what the gateway sends.
  const queue = { queue: bus.subjects.queueGroup('state') };
  bus.serve(
    bus.subjects.rpc('state', StateGetRpc.operation),
    StateGetRpc,
    async (request, { principal }) => {
      seen.push({ operation: 'get', request, principal });
      return { ...request, version: 4, document: { a: 1 }, updatedAt: at, updatedBy: 'x' };
    },
    queue,
  );
  bus.serve(
    bus.subjects.rpc('state', StatePutRpc.operation),
    StatePutRpc,
    async () => {
      throw new SbError('E_CONFLICT', 'stale', { details: { currentVersion: 4 } });
    },
    queue,
  );
  bus.serve(
    bus.subjects.rpc('state', StateHistoryRpc.operation),
    StateHistoryRpc,
    async (request, { principal }) => {
      seen.push({ operation: 'history', request, principal });
      return { items: [], nextCursor: null };
    },
    queue,
  );
  bus.serve(
    bus.subjects.rpc('state', LifecycleTransitionRpc.operation),
    LifecycleTransitionRpc,
    async (request, { principal }) => {
      seen.push({ operation: 'transition', request, principal });
      return { agentId: request.agentId, status: request.to, version: 3, updatedAt: at };
    },
    queue,
  );
  // A stand-in task worker: single submits and batches, recorded; a type `bad.*` is refused.
  const tasksQueue = { queue: bus.subjects.queueGroup('tasks') };
  const submit = async (request: { type: string }) => {
    if (request.type.startsWith('bad.')) throw new SbError('E_VALIDATION', 'no such type');
    return {
      taskId: '0190f3a2-7c4e-7000-8000-000000000001',
      status: 'queued' as const,
      duplicate: false,
    };
  };
  bus.serve(
    bus.subjects.rpc('tasks', TaskSubmitRpc.operation),
    TaskSubmitRpc,
    async (request) => {
      submits.push({ batch: false, types: [request.type] });
      return submit(request);
    },
    tasksQueue,
  );
  bus.serve(
    bus.subjects.rpc('tasks', TaskSubmitBatchRpc.operation),
    TaskSubmitBatchRpc,
    async ({ items }) => {
      submits.push({ batch: true, types: items.map((item) => item.type) });
      return answerEach(items, submit, { error: () => {} });
    },
    tasksQueue,
  );
  await bus.ping();
  const keys = createApiKeyStore(database);
  const created = await keys.create({
    name: 'agents',
    agentIds: ['*'],
    roles: ['agent'],
    grants: [],
    createdBy: 'test',
  });
  ({ token } = created);
  keyId = created.record.id;
  ({ service: gateway, port } = await startTestGateway(context, 'gw-forward', {
    SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: mintApiKey().sha256,
  }));
});
afterAll(async () => {
  await gateway?.stop();
  await bus?.close();
  await world?.cleanup();
});

describe('frames forwarded to a service', () => {
  it('refuses a state frame before register and keeps the connection', async () => {
    const agent = agentOf(await connectAgent(port, { token }));
    agent.send({ v: 1, type: 'hello', id: 'h', versions: [1] });
    await agent.next('welcome', 'h');
    agent.send({ v: 1, type: 'state.get', id: 'early', key: 'profile' });
    expect(await agent.next('error', 'early')).toMatchObject({
      error: { code: 'E_VALIDATION', message: expect.stringContaining('register first') },
    });
    agent.send({ v: 1, type: 'ping', id: 'p' });
    expect(await agent.next('pong', 'p')).toMatchObject({ re: 'p' });
    agent.socket.close();
  });

  it('asks as agent:<id> for its own scope when the frame names none', async () => {
    const agent = await registered('fwd-1');
    agent.send({ v: 1, type: 'state.get', id: 'g', key: 'profile' });
    expect(await agent.next('result', 'g')).toMatchObject({
      result: { scope: 'agent:fwd-1', key: 'profile', version: 4, document: { a: 1 } },
    });
    const sent = seen.find((entry) => entry.operation === 'get');
    expect(sent?.request).toEqual({ scope: 'agent:fwd-1', key: 'profile' });
    const principal = decodePrincipal(sent?.principal);
    expect(principal.id).toBe('agent:fwd-1');
    expect(principal.credential.id).toBe(keyId);
    expect(principal.roles).toEqual(['agent']);
    agent.socket.close();
  });

  it('passes a named scope, history paging and the agent id of a lifecycle report', async () => {
    const agent = await registered('fwd-2');
    agent.send({ v: 1, type: 'state.history', id: 'h', scope: 'team.a', key: 'k', cursor: '9' });
    expect(await agent.next('result', 'h')).toMatchObject({ result: { items: [] } });
    agent.send({ v: 1, type: 'lifecycle.transition', id: 't', to: 'idle', reason: 'ready' });
    expect(await agent.next('result', 't')).toMatchObject({ result: { status: 'idle' } });
    expect(seen.find((entry) => entry.operation === 'history')?.request).toEqual({
      scope: 'team.a',
      key: 'k',
      limit: 50,
      cursor: '9',
    });
    expect(seen.find((entry) => entry.operation === 'transition')?.request).toEqual({
      agentId: 'fwd-2',
      to: 'idle',
      reason: 'ready',
    });
    agent.socket.close();
  });

  it("answers with the service's error, or E_UNAVAILABLE when no service serves the RPC", async () => {
    const agent = await registered('fwd-3');
    agent.send({
      v: 1,
      type: 'state.put',
      id: 'p',
      key: 'k',
      expectedVersion: 1,
      document: { b: 2 },
    });
    expect(await agent.next('error', 'p')).toMatchObject({
      error: { code: 'E_CONFLICT', message: 'stale', details: { currentVersion: 4 } },
    });
    agent.send({ v: 1, type: 'lifecycle.get', id: 'l' });
    expect(await agent.next('error', 'l')).toMatchObject({ error: { code: 'E_UNAVAILABLE' } });
    agent.socket.close();
  });

  it("sends a connection's task submits of one tick as one batch, each answered on its own", async () => {
    const agent = await registered('fwd-4');
    const types = ['work.a', 'bad.type', 'work.b'];
    types.forEach((taskType, index) => {
      agent.send({ v: 1, type: 'task.submit', id: `s${index}`, taskType });
    });
    expect(await agent.next('result', 's0')).toMatchObject({ result: { status: 'queued' } });
    expect(await agent.next('error', 's1')).toMatchObject({
      error: { code: 'E_VALIDATION', message: 'no such type' },
    });
    expect(await agent.next('result', 's2')).toMatchObject({ result: { status: 'queued' } });
    expect(submits).toEqual([{ batch: true, types }]);

    // Alone in its tick, a submit goes as the single RPC.
    agent.send({ v: 1, type: 'task.submit', id: 'alone', taskType: 'work.c' });
    await agent.next('result', 'alone');
    expect(submits.at(-1)).toEqual({ batch: false, types: ['work.c'] });

    // Three large inputs do not fit one bus message together: they go one by one instead.
    submits.length = 0;
    const input = 'x'.repeat(400 * 1024);
    for (const id of ['big1', 'big2', 'big3']) {
      agent.send({ v: 1, type: 'task.submit', id, taskType: 'work.big', input });
    }
    for (const id of ['big1', 'big2', 'big3']) await agent.next('result', id);
    expect(submits).toEqual(
      Array.from({ length: 3 }, () => ({ batch: false, types: ['work.big'] })),
    );
    agent.socket.close();
  });
});
