import { LifecycleTransitionRpc } from '@switchboard/protocol';
import {
  connectTestBus,
  keyPrincipal,
  type ServiceProcess,
  spawnService,
} from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OperatorGateway, startOperatorGateway } from './test-operator.ts';

let gateway: OperatorGateway;
let state: ServiceProcess | undefined;

beforeAll(async () => {
  gateway = await startOperatorGateway();
  state = await spawnService('state', { ...gateway.context.env, SB_STATE__PORT: '0' });
});
afterAll(async () => {
  await state?.stop();
  await gateway?.stop();
});

const admin = () => ({ token: gateway.adminToken });

describe('/v1/state through the state service', () => {
  it('puts, gets and lists the history of a document as an admin', async () => {
    const url = '/v1/state/team.alpha/plan';
    const created = await gateway.call('PUT', url, {
      ...admin(),
      body: { document: { steps: ['a'] }, expectedVersion: 0 },
    });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toMatchObject({ version: 1 });
    const replaced = await gateway.call('PUT', url, {
      ...admin(),
      body: { document: { steps: ['a', 'b'] }, expectedVersion: 1 },
    });
    expect(replaced.json()).toMatchObject({ version: 2 });

    const got = await gateway.call('GET', url, admin());
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({
      scope: 'team.alpha',
      key: 'plan',
      version: 2,
      document: { steps: ['a', 'b'] },
    });

    const first = await gateway.call('GET', `${url}/history?limit=1`, admin());
    expect(first.statusCode).toBe(200);
    const page = first.json() as { items: { version: number; op: string }[]; nextCursor: string };
    expect(page.items).toMatchObject([{ version: 2, op: 'put' }]);
    expect(page.nextCursor).toBe('2');
    const older = await gateway.call(
      'GET',
      `${url}/history?limit=1&cursor=${page.nextCursor}`,
      admin(),
    );
    expect(older.json()).toMatchObject({
      items: [{ version: 1, document: { steps: ['a'] } }],
    });
  });

  it("takes an agent's scope and a key with a slash as URL-encoded path segments", async () => {
    const url = `/v1/state/${encodeURIComponent('agent:planner-1')}/${encodeURIComponent('notes/today')}`;
    const put = await gateway.call('PUT', url, {
      ...admin(),
      body: { document: 'remember', expectedVersion: 0 },
    });
    expect(put.statusCode).toBe(200);
    const got = await gateway.call('GET', url, admin());
    expect(got.json()).toMatchObject({
      scope: 'agent:planner-1',
      key: 'notes/today',
      document: 'remember',
    });
    const raw = await gateway.call('GET', '/v1/state/agent:planner-1/notes%2Ftoday', admin());
    expect(raw.json()).toMatchObject({ version: 1 });
  });

  it('refuses a stale version with 409 and the current document', async () => {
    const url = '/v1/state/team.beta/counter';
    await gateway.call('PUT', url, {
      ...admin(),
      body: { document: { n: 1 }, expectedVersion: 0 },
    });
    const stale = await gateway.call('PUT', url, {
      ...admin(),
      body: { document: { n: 2 }, expectedVersion: 0 },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({
      code: 'E_CONFLICT',
      details: { currentVersion: 1, document: { n: 1 } },
    });
  });

  it('answers a missing key with 404 and an invalid request with 400', async () => {
    const missing = await gateway.call('GET', '/v1/state/team.alpha/nothing', admin());
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'E_NOT_FOUND' });
    const badScope = await gateway.call('GET', '/v1/state/team..alpha/plan', admin());
    expect(badScope.json()).toMatchObject({ status: 400, errors: [{ field: 'params.scope' }] });
    const noVersion = await gateway.call('PUT', '/v1/state/team.alpha/plan', {
      ...admin(),
      body: { document: {} },
    });
    expect(noVersion.json()).toMatchObject({
      status: 400,
      errors: [{ field: 'body.expectedVersion' }],
    });
  });

  it('lets the state service refuse a key without state grants, and needs credentials', async () => {
    const created = await gateway.call('POST', '/v1/keys', {
      ...admin(),
      body: { name: 'observer', roles: ['observer'] },
    });
    const { token } = created.json() as { token: string };
    const read = await gateway.call('GET', '/v1/state/team.alpha/plan', { token });
    expect(read.statusCode).toBe(403);
    expect(read.json()).toMatchObject({ code: 'E_FORBIDDEN' });
    const write = await gateway.call('PUT', '/v1/state/team.alpha/plan', {
      token,
      body: { document: {}, expectedVersion: 2 },
    });
    expect(write.statusCode).toBe(403);
    const anonymous = await gateway.call('GET', '/v1/state/team.alpha/plan');
    expect(anonymous.statusCode).toBe(401);
  });

  it("lists a scope's keys with their versions, most recently written first", async () => {
    for (const key of ['first', 'second']) {
      await gateway.call('PUT', `/v1/state/team.gamma/${key}`, {
        ...admin(),
        body: { document: { key }, expectedVersion: 0 },
      });
    }
    const all = await gateway.call('GET', '/v1/state/team.gamma', admin());
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({
      scope: 'team.gamma',
      items: [
        { key: 'second', version: 1 },
        { key: 'first', version: 1 },
      ],
      truncated: false,
    });
    const one = await gateway.call('GET', '/v1/state/team.gamma?limit=1', admin());
    expect(one.json()).toMatchObject({ items: [{ key: 'second' }], truncated: true });
  });

  it("reads an agent's lifecycle and its transitions, newest first", async () => {
    const unknown = await gateway.call('GET', '/v1/agents/never-seen/lifecycle', admin());
    expect(unknown.json()).toMatchObject({
      agentId: 'never-seen',
      status: 'registered',
      version: 0,
    });

    const bus = await connectTestBus(gateway.context.namespace);
    try {
      for (const to of ['starting', 'idle'] as const) {
        await bus.request(
          bus.subjects.rpc('state', LifecycleTransitionRpc.operation),
          LifecycleTransitionRpc,
          { agentId: 'cycler', to, reason: `test ${to}` },
          { principal: keyPrincipal('k_admin', ['admin']) },
        );
      }
    } finally {
      await bus.close();
    }
    const current = await gateway.call('GET', '/v1/agents/cycler/lifecycle', admin());
    expect(current.json()).toMatchObject({ status: 'idle', version: 2 });
    const history = await gateway.call('GET', '/v1/agents/cycler/lifecycle/history', admin());
    expect(history.json()).toMatchObject({
      items: [
        { from: 'starting', to: 'idle', reason: 'test idle' },
        { from: 'registered', to: 'starting' },
      ],
      nextCursor: null,
    });
    const observer = await gateway.call('POST', '/v1/keys', {
      ...admin(),
      body: { name: 'lifecycle observer', roles: ['observer'] },
    });
    const refused = await gateway.call('GET', '/v1/agents/cycler/lifecycle/history', {
      token: (observer.json() as { token: string }).token,
    });
    expect(refused.statusCode).toBe(403);
  });

  it('answers 503 once no state service runs', async () => {
    await state?.stop();
    state = undefined;
    const got = await gateway.call('GET', '/v1/state/team.alpha/plan', admin());
    expect(got.statusCode).toBe(503);
    expect(got.json()).toMatchObject({ code: 'E_UNAVAILABLE' });
  });
});
