import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OperatorGateway, startOperatorGateway } from './test-operator.ts';

let gateway: OperatorGateway;

beforeAll(async () => {
  gateway = await startOperatorGateway();
});

afterAll(async () => {
  await gateway.stop();
});

interface Session {
  cookie: string;
  csrfToken: string;
  body: { keyId: string; principal: string; scopes: string[]; expiresAt: string };
}

function setCookieOf(response: LightMyRequestResponse): string {
  const header = response.headers['set-cookie'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) throw new Error('no Set-Cookie in the response');
  return value;
}

async function signIn(apiKey: string, http = gateway.service.http): Promise<Session> {
  const response = await http.inject({ method: 'POST', url: '/v1/session', payload: { apiKey } });
  expect(response.statusCode, response.body).toBe(201);
  const cookie = setCookieOf(response).split(';')[0] as string;
  const body = response.json();
  return { cookie, csrfToken: body.csrfToken, body };
}

function withSession(
  session: Session,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  options: { csrf?: boolean; payload?: object; http?: OperatorGateway['service']['http'] } = {},
) {
  return (options.http ?? gateway.service.http).inject({
    method,
    url,
    headers: {
      cookie: session.cookie,
      ...(options.csrf === true ? { 'x-csrf-token': session.csrfToken } : {}),
    },
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  });
}

async function createKey(roles: string[]): Promise<{ id: string; token: string }> {
  const response = await gateway.call('POST', '/v1/keys', {
    token: gateway.adminToken,
    body: { name: `console ${roles.join(',')}`, roles },
  });
  expect(response.statusCode, response.body).toBe(201);
  const body = response.json();
  return { id: body.key.id, token: body.token };
}

describe('console sessions', () => {
  it('exchanges an operator key for an httpOnly SameSite=Strict cookie that authenticates the API', async () => {
    const response = await gateway.service.http.inject({
      method: 'POST',
      url: '/v1/session',
      payload: { apiKey: gateway.adminToken },
    });
    expect(response.statusCode).toBe(201);
    const cookie = setCookieOf(response);
    expect(cookie).toMatch(/^sb_session=[\w-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(response.json()).toMatchObject({ keyId: 'bootstrap', scopes: ['*'] });
    // The token never comes back: only the cookie and the CSRF token do.
    expect(response.body).not.toContain(gateway.adminToken);

    const session = await signIn(gateway.adminToken);
    const agents = await withSession(session, 'GET', '/v1/agents');
    expect(agents.statusCode, agents.body).toBe(200);
  });

  it('refuses a change made with the cookie but without the CSRF token', async () => {
    const session = await signIn(gateway.adminToken);
    const payload = { name: 'made from the console', roles: ['observer'] };
    const refused = await withSession(session, 'POST', '/v1/keys', { payload });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'E_FORBIDDEN' });
    expect(refused.json().detail).toContain('x-csrf-token');

    const wrong = await gateway.service.http.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: { cookie: session.cookie, 'x-csrf-token': 'a'.repeat(43) },
      payload,
    });
    expect(wrong.statusCode).toBe(403);

    const made = await withSession(session, 'POST', '/v1/keys', { payload, csrf: true });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().key.createdBy).toBe('key:bootstrap');
  });

  it('gives the session back after a reload, with the same CSRF token', async () => {
    const session = await signIn(gateway.adminToken);
    const response = await withSession(session, 'GET', '/v1/session');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      keyId: 'bootstrap',
      principal: 'key:bootstrap',
      csrfToken: session.csrfToken,
    });
    const none = await gateway.service.http.inject({ method: 'GET', url: '/v1/session' });
    expect(none.statusCode).toBe(401);
  });

  it('holds the operator to its scopes: an observer session reads but cannot create keys', async () => {
    const observer = await createKey(['observer']);
    const session = await signIn(observer.token);
    expect(session.body.scopes).toContain('keys:read');
    expect((await withSession(session, 'GET', '/v1/keys')).statusCode).toBe(200);
    const refused = await withSession(session, 'POST', '/v1/keys', {
      csrf: true,
      payload: { name: 'escalation', roles: ['admin'] },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toMatch(/keys:write/);
  });

  it('refuses keys that are unknown or have no operator scope', async () => {
    const unknown = await gateway.service.http.inject({
      method: 'POST',
      url: '/v1/session',
      payload: { apiKey: 'sbk_nope_nope' },
    });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.headers['set-cookie']).toBeUndefined();

    const agentKey = await createKey(['agent']);
    const noScope = await gateway.service.http.inject({
      method: 'POST',
      url: '/v1/session',
      payload: { apiKey: agentKey.token },
    });
    expect(noScope.statusCode).toBe(403);
    expect(noScope.json().detail).toContain('no operator scope');
  });

  it('ends the sessions of a revoked key at once', async () => {
    const operator = await createKey(['observer']);
    const session = await signIn(operator.token);
    expect((await withSession(session, 'GET', '/v1/agents')).statusCode).toBe(200);
    const revoked = await gateway.call('DELETE', `/v1/keys/${operator.id}`, {
      token: gateway.adminToken,
    });
    expect(revoked.statusCode).toBe(200);
    const after = await withSession(session, 'GET', '/v1/agents');
    expect(after.statusCode).toBe(401);
    expect(after.json().detail).toContain('revoked');
  });

  it('signs out only with the CSRF token, after which the cookie is worthless', async () => {
    const session = await signIn(gateway.adminToken);
    const forged = await withSession(session, 'DELETE', '/v1/session');
    expect(forged.statusCode).toBe(403);
    expect((await withSession(session, 'GET', '/v1/agents')).statusCode).toBe(200);

    const out = await withSession(session, 'DELETE', '/v1/session', { csrf: true });
    expect(out.statusCode).toBe(204);
    expect(setCookieOf(out)).toMatch(/^sb_session=;/);
    const after = await withSession(session, 'GET', '/v1/agents');
    expect(after.statusCode).toBe(401);
    expect(after.json().detail).toContain('sign in again');
    // Signing out twice is fine.
    expect((await withSession(session, 'DELETE', '/v1/session')).statusCode).toBe(204);
  });

  it('is honoured by every gateway replica (the session lives in Redis)', async () => {
    const session = await signIn(gateway.adminToken);
    const replica = await gateway.startReplica();
    const response = await withSession(session, 'GET', '/v1/agents', {
      http: replica.service.http,
    });
    expect(response.statusCode, response.body).toBe(200);
  });
});
