import { SbError } from '@switchboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OperatorGateway, startOperatorGateway } from './test-operator.ts';
import { type StandInRouter, startStandInRouter } from './test-router.ts';

let gateway: OperatorGateway;
let router: StandInRouter | undefined;

beforeAll(async () => {
  gateway = await startOperatorGateway();
  router = await startStandInRouter(gateway.context.namespace);
});
afterAll(async () => {
  await router?.stop();
  await gateway?.stop();
});

const admin = () => ({ token: gateway.adminToken });
const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function standIn(): StandInRouter {
  if (router === undefined) throw new Error('the stand-in router was stopped');
  return router;
}

async function keyWith(body: Record<string, unknown>) {
  const created = await gateway.call('POST', '/v1/keys', { ...admin(), body });
  expect(created.statusCode).toBe(201);
  return created.json() as { token: string; key: { id: string } };
}

describe('POST /v1/messages', () => {
  it('sends as the caller with a new UUIDv7 and answers 202 with the send result', async () => {
    const sent = await gateway.call('POST', '/v1/messages', {
      ...admin(),
      body: {
        to: { kind: 'topic', topic: 'jobs.build' },
        payload: { n: 1 },
        priority: 7,
        headers: { region: 'eu' },
      },
    });
    expect(sent.statusCode).toBe(202);
    const result = sent.json() as { messageId: string };
    expect(result).toEqual({
      messageId: expect.stringMatching(uuidV7),
      recipients: 0,
      duplicate: false,
    });
    const [call] = standIn().callsOf('send').slice(-1);
    expect(call?.principal?.id).toBe('key:bootstrap');
    expect(call?.request).toEqual({
      message: {
        id: result.messageId,
        to: { kind: 'topic', topic: 'jobs.build' },
        payload: { n: 1 },
        priority: 7,
        headers: { region: 'eu' },
      },
    });
  });

  it('keeps an id the caller chose, so a re-send is a duplicate', async () => {
    const body = {
      id: '0190f5c6-0000-7000-8000-000000000001',
      to: { kind: 'agent', agentId: 'planner-1' },
      payload: 'hello',
    };
    const first = await gateway.call('POST', '/v1/messages', { ...admin(), body });
    expect(first.json()).toEqual({ messageId: body.id, recipients: 1, duplicate: false });
    const again = await gateway.call('POST', '/v1/messages', { ...admin(), body });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ messageId: body.id, duplicate: true });
  });

  it('answers a refusal of the router with its code and message', async () => {
    standIn().failNext('send', new SbError('E_FORBIDDEN', 'principal key:x may not broadcast'));
    const refused = await gateway.call('POST', '/v1/messages', {
      ...admin(),
      body: { to: { kind: 'broadcast' }, payload: null },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({
      code: 'E_FORBIDDEN',
      detail: 'principal key:x may not broadcast',
      instance: '/v1/messages',
    });
    standIn().failNext('send', new SbError('E_NOT_FOUND', 'no agent ghost'));
    const unknown = await gateway.call('POST', '/v1/messages', {
      ...admin(),
      body: { to: { kind: 'agent', agentId: 'ghost' }, payload: 1 },
    });
    expect(unknown.json()).toMatchObject({ status: 404, code: 'E_NOT_FOUND' });
  });

  it('refuses an invalid message naming the field, without calling the router', async () => {
    const before = standIn().calls.length;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ payload: 1 }, 'body.to'],
      [{ to: { kind: 'topic', topic: 'jobs.*' }, payload: 1 }, 'body.to.topic'],
      [{ to: { kind: 'agent', agentId: 'a' } }, 'body.payload'],
      [{ to: { kind: 'agent', agentId: 'a' }, payload: 1, priority: 12 }, 'body.priority'],
      [{ to: { kind: 'agent', agentId: 'a' }, payload: 1, id: 'not-a-uuid' }, 'body.id'],
      [{ to: { kind: 'agent', agentId: 'a' }, payload: 1, sender: 'me' }, 'body'],
    ];
    for (const [body, field] of cases) {
      const response = await gateway.call('POST', '/v1/messages', { ...admin(), body });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'E_VALIDATION',
        errors: expect.arrayContaining([expect.objectContaining({ field })]),
      });
    }
    expect(standIn().calls.length).toBe(before);
  });
});

describe('GET /v1/messages and /v1/messages/:id', () => {
  it('passes the filters to the router and answers its page', async () => {
    const since = '2026-01-01T00:00:00.000Z';
    const page = await gateway.call(
      'GET',
      `/v1/messages?agent=planner-1&topic=jobs.%3E&conversation=c-1&since=${since}&until=2099-01-01T00:00:00Z&limit=2&cursor=9`,
      admin(),
    );
    expect(page.statusCode).toBe(200);
    expect(page.json()).toEqual({ items: [], nextCursor: null });
    expect(standIn().callsOf('history').at(-1)?.request).toEqual({
      agentId: 'planner-1',
      topic: 'jobs.>',
      conversationId: 'c-1',
      since,
      until: '2099-01-01T00:00:00Z',
      limit: 2,
      cursor: '9',
    });

    const all = await gateway.call('GET', '/v1/messages?topic=jobs.*', admin());
    const { items } = all.json() as { items: Array<{ topic: string; sentBy: string }> };
    expect(items).toEqual([
      expect.objectContaining({ topic: 'jobs.build', sentBy: 'key:bootstrap' }),
    ]);
    expect(standIn().callsOf('history').at(-1)?.request).toEqual({ topic: 'jobs.*', limit: 50 });
  });

  it('answers one message with its deliveries, and 404 for an unknown id', async () => {
    const id = '0190f5c6-0000-7000-8000-000000000001';
    const got = await gateway.call('GET', `/v1/messages/${id}`, admin());
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({
      id,
      payload: 'hello',
      to: { kind: 'agent', agentId: 'planner-1' },
      deliveries: [{ agentId: 'planner-1', status: 'queued', attempts: 0 }],
    });
    const missing = await gateway.call(
      'GET',
      '/v1/messages/0190f5c6-0000-7000-8000-0000000000ff',
      admin(),
    );
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('refuses invalid filters naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['/v1/messages?topic=jobs..x', 'query.topic'],
      ['/v1/messages?limit=501', 'query.limit'],
      ['/v1/messages?cursor=abc', 'query.cursor'],
      ['/v1/messages?since=yesterday', 'query.since'],
      ['/v1/messages?sender=x', 'query'],
      ['/v1/messages/42', 'params.id'],
    ];
    for (const [url, field] of cases) {
      const response = await gateway.call('GET', url, admin());
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        errors: expect.arrayContaining([expect.objectContaining({ field })]),
      });
    }
  });
});

describe("an agent's subscriptions", () => {
  const url = '/v1/agents/planner-1/subscriptions';

  it('subscribes, lists and unsubscribes for the agent named in the path', async () => {
    const filter = { headers: { region: ['eu', 'us'] } };
    const put = await gateway.call('PUT', url, {
      ...admin(),
      body: { pattern: 'jobs.*', filter },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ agentId: 'planner-1', pattern: 'jobs.*', filter });
    expect(standIn().callsOf('subscribe').at(-1)).toMatchObject({
      request: { agentId: 'planner-1', pattern: 'jobs.*', filter },
      principal: { id: 'key:bootstrap' },
    });

    const listed = await gateway.call('GET', url, admin());
    expect(listed.json()).toEqual({
      items: [expect.objectContaining({ pattern: 'jobs.*' })],
    });
    expect(standIn().callsOf('subscriptions').at(-1)?.request).toEqual({ agentId: 'planner-1' });

    const removed = await gateway.call('DELETE', `${url}?pattern=jobs.*`, admin());
    expect(removed.json()).toEqual({ removed: true });
    expect(standIn().callsOf('unsubscribe').at(-1)?.request).toEqual({
      agentId: 'planner-1',
      pattern: 'jobs.*',
    });
    const again = await gateway.call('DELETE', `${url}?pattern=jobs.*`, admin());
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ removed: false });
  });

  it('refuses a bad pattern, filter or agent id naming the field', async () => {
    const cases: Array<['PUT' | 'DELETE', string, unknown, string]> = [
      ['PUT', url, { pattern: 'jobs.>.x' }, 'body.pattern'],
      ['PUT', url, { pattern: 'jobs', filter: { labels: {} } }, 'body.filter'],
      ['DELETE', url, undefined, 'query.pattern'],
      ['PUT', '/v1/agents/bad%20id/subscriptions', { pattern: 'jobs' }, 'params.agentId'],
    ];
    for (const [method, path, body, field] of cases) {
      const response = await gateway.call(method, path, { ...admin(), body });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        errors: expect.arrayContaining([expect.objectContaining({ field })]),
      });
    }
  });
});

describe('operator scopes', () => {
  it('needs messages:read to read and messages:write to change, before calling the router', async () => {
    const agentsOnly = await keyWith({
      name: 'agents only',
      grants: [{ kind: 'operator', scopes: ['agents:read'] }],
    });
    const observer = await keyWith({ name: 'observer', roles: ['observer'] });
    const before = standIn().calls.length;
    const reads = ['/v1/messages', '/v1/agents/planner-1/subscriptions'];
    for (const path of reads) {
      const denied = await gateway.call('GET', path, { token: agentsOnly.token });
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toMatchObject({
        code: 'E_FORBIDDEN',
        detail: `principal key:${agentsOnly.key.id} has no operator grant with scope messages:read`,
      });
    }
    const writes: Array<['POST' | 'PUT' | 'DELETE', string, unknown]> = [
      ['POST', '/v1/messages', { to: { kind: 'broadcast' }, payload: 1 }],
      ['PUT', '/v1/agents/planner-1/subscriptions', { pattern: 'jobs' }],
      ['DELETE', '/v1/agents/planner-1/subscriptions?pattern=jobs', undefined],
    ];
    for (const [method, path, body] of writes) {
      const denied = await gateway.call(method, path, { token: observer.token, body });
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toMatchObject({
        detail: `principal key:${observer.key.id} has no operator grant with scope messages:write`,
      });
    }
    expect(standIn().calls.length).toBe(before);
    expect((await gateway.call('GET', '/v1/messages')).statusCode).toBe(401);

    const read = await gateway.call('GET', '/v1/messages?limit=1', { token: observer.token });
    expect(read.statusCode).toBe(200);
    expect(standIn().callsOf('history').at(-1)?.principal).toMatchObject({
      id: `key:${observer.key.id}`,
      credential: { type: 'api_key', id: observer.key.id },
      roles: ['observer'],
    });
  });
});

describe('without a router', () => {
  it('answers 503 E_UNAVAILABLE', async () => {
    await router?.stop();
    router = undefined;
    const response = await gateway.call('GET', '/v1/messages', admin());
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'E_UNAVAILABLE' });
  });
});
