import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OperatorGateway, startOperatorGateway } from './test-operator.ts';
import { type StandInRouter, startStandInRouter } from './test-router.ts';

let gateway: OperatorGateway;
let router: StandInRouter;

const admin = () => ({ token: gateway.adminToken });

/** Sends a message through the API and makes a dead letter of it for `agentId`. */
async function deadLetterFor(agentId: string) {
  const sent = await gateway.call('POST', '/v1/messages', {
    ...admin(),
    body: { to: { kind: 'agent', agentId }, payload: { for: agentId } },
  });
  return router.addDeadLetter((sent.json() as { messageId: string }).messageId, agentId);
}

beforeAll(async () => {
  gateway = await startOperatorGateway();
  router = await startStandInRouter(gateway.context.namespace);
});
afterAll(async () => {
  await router?.stop();
  await gateway?.stop();
});

describe('/v1/dead-letters', () => {
  it('lists dead letters a page at a time, of one recipient or all', async () => {
    const first = await deadLetterFor('worker-1');
    const second = await deadLetterFor('worker-2');
    const third = await deadLetterFor('worker-1');

    const page = await gateway.call('GET', '/v1/dead-letters?agent=worker-1&limit=1', admin());
    expect(page.statusCode).toBe(200);
    const body = page.json() as { items: Array<{ id: string }>; nextCursor: string };
    expect(body.items.map((letter) => letter.id)).toEqual([third.id]);
    expect(router.callsOf('dlq.list').at(-1)?.request).toEqual({
      agentId: 'worker-1',
      limit: 1,
    });
    const rest = await gateway.call(
      'GET',
      `/v1/dead-letters?agent=worker-1&limit=1&cursor=${body.nextCursor}`,
      admin(),
    );
    expect(rest.json()).toEqual({ items: [first], nextCursor: null });

    const all = await gateway.call('GET', '/v1/dead-letters', admin());
    expect((all.json() as { items: Array<{ id: string }> }).items.map(({ id }) => id)).toEqual([
      third.id,
      second.id,
      first.id,
    ]);
    expect(router.callsOf('dlq.list').at(-1)?.request).toEqual({ limit: 50 });
  });

  it('shows one dead letter with its message, and 404 for an unknown id', async () => {
    const letter = await deadLetterFor('worker-3');
    const got = await gateway.call('GET', `/v1/dead-letters/${letter.id}`, admin());
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(letter);
    expect(got.json()).toMatchObject({
      reason: 'max_attempts',
      lastError: { code: 'E_TIMEOUT' },
      message: { payload: { for: 'worker-3' }, sentBy: 'key:bootstrap' },
    });
    const missing = await gateway.call('GET', '/v1/dead-letters/999999', admin());
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'E_NOT_FOUND', detail: 'no dead letter 999999' });
  });

  it('replays listed ids and purges all of a recipient, as the caller', async () => {
    const replayable = await deadLetterFor('worker-4');
    await deadLetterFor('worker-5');
    await deadLetterFor('worker-5');

    const replayed = await gateway.call('POST', '/v1/dead-letters/replay', {
      ...admin(),
      body: { ids: [replayable.id] },
    });
    expect(replayed.statusCode).toBe(200);
    expect(replayed.json()).toEqual({ replayed: 1 });
    expect(router.callsOf('dlq.replay').at(-1)).toMatchObject({
      request: { ids: [replayable.id] },
      principal: { id: 'key:bootstrap' },
    });

    const purged = await gateway.call('POST', '/v1/dead-letters/purge', {
      ...admin(),
      body: { agentId: 'worker-5' },
    });
    expect(purged.json()).toEqual({ purged: 2 });
    expect(router.callsOf('dlq.purge').at(-1)?.request).toEqual({ agentId: 'worker-5' });
    const left = await gateway.call('GET', '/v1/dead-letters?agent=worker-5', admin());
    expect(left.json()).toEqual({ items: [], nextCursor: null });
  });

  it('refuses an empty selection or a bad id naming the field', async () => {
    const before = router.calls.length;
    const cases: Array<['GET' | 'POST', string, unknown, string]> = [
      ['POST', '/v1/dead-letters/replay', {}, 'body'],
      ['POST', '/v1/dead-letters/purge', { ids: [] }, 'body.ids'],
      ['POST', '/v1/dead-letters/purge', { ids: ['x1'] }, 'body.ids.0'],
      ['POST', '/v1/dead-letters/replay', { agentId: 'bad id' }, 'body.agentId'],
      ['GET', '/v1/dead-letters/abc', undefined, 'params.id'],
      ['GET', '/v1/dead-letters?agent=%20', undefined, 'query.agent'],
      ['GET', '/v1/dead-letters?limit=0', undefined, 'query.limit'],
    ];
    for (const [method, path, body, field] of cases) {
      const response = await gateway.call(method, path, { ...admin(), body });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'E_VALIDATION',
        errors: expect.arrayContaining([expect.objectContaining({ field })]),
      });
    }
    expect(router.calls.length).toBe(before);
  });

  it('needs messages:read to look and messages:write to replay or purge', async () => {
    const created = await gateway.call('POST', '/v1/keys', {
      ...admin(),
      body: { name: 'config only', grants: [{ kind: 'operator', scopes: ['config:read'] }] },
    });
    const outsider = (created.json() as { token: string }).token;
    const observer = (
      (
        await gateway.call('POST', '/v1/keys', {
          ...admin(),
          body: { name: 'observer', roles: ['observer'] },
        })
      ).json() as { token: string }
    ).token;
    const before = router.calls.length;
    for (const path of ['/v1/dead-letters', '/v1/dead-letters/101']) {
      const denied = await gateway.call('GET', path, { token: outsider });
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toMatchObject({ code: 'E_FORBIDDEN' });
      expect((denied.json() as { detail: string }).detail).toMatch(/scope messages:read$/);
    }
    for (const path of ['/v1/dead-letters/replay', '/v1/dead-letters/purge']) {
      const denied = await gateway.call('POST', path, {
        token: observer,
        body: { agentId: 'worker-1' },
      });
      expect(denied.statusCode).toBe(403);
      expect((denied.json() as { detail: string }).detail).toMatch(/scope messages:write$/);
    }
    expect(router.calls.length).toBe(before);
    const allowed = await gateway.call('GET', '/v1/dead-letters', { token: observer });
    expect(allowed.statusCode).toBe(200);
  });
});
