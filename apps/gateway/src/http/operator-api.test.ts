import { mintApiKey } from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import { connectPostgres } from '@switchboard/db';
import { connectTestBus, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyStore } from '../db/api-key-store.ts';
import { connectAgent } from '../test/agent-client.ts';
import { type OperatorGateway, startOperatorGateway } from './test-operator.ts';

let gateway: OperatorGateway;
let bus: Bus;
const authEvents: unknown[] = [];

beforeAll(async () => {
  gateway = await startOperatorGateway();
  bus = await connectTestBus(gateway.context.namespace);
  await bus.consumeEvents({
    filterSubject: bus.subjects.event('auth', 'changed'),
    schema: (await import('@switchboard/authz')).AuthChangedEventSchema,
    handler: async (event) => void authEvents.push(event.payload),
  });
});
afterAll(async () => {
  await bus?.close();
  await gateway?.stop();
});

async function createKey(body: Record<string, unknown>) {
  const response = await gateway.call('POST', '/v1/keys', { token: gateway.adminToken, body });
  expect(response.statusCode).toBe(201);
  return response.json() as { token: string; key: { id: string } };
}

describe('authentication and permissions', () => {
  it('refuses a request without credentials with a problem+json 401', async () => {
    const response = await gateway.call('GET', '/v1/keys');
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      code: 'E_UNAUTHORIZED',
      detail: expect.stringContaining('Authorization: Bearer'),
      instance: '/v1/keys',
    });
  });

  it('refuses unknown, malformed and URL-borne credentials', async () => {
    const unknown = await gateway.call('GET', '/v1/agents', { token: mintApiKey().token });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toMatchObject({ code: 'E_UNAUTHORIZED', detail: /unknown API key/ });
    const malformed = await gateway.service.http.inject({
      url: '/v1/agents',
      headers: { authorization: 'Basic abc' },
    });
    expect(malformed.json()).toMatchObject({ status: 401, detail: /must be `Bearer <token>`/ });
    const inUrl = await gateway.call('GET', `/v1/agents?token=${gateway.adminToken}`, {
      token: gateway.adminToken,
    });
    expect(inUrl.json()).toMatchObject({ status: 401, detail: /credentials in the URL/ });
  });

  it('refuses a key without the route scope with a 403 naming the scope', async () => {
    const observer = await createKey({ name: 'watcher', roles: ['observer'] });
    expect((await gateway.call('GET', '/v1/keys', { token: observer.token })).statusCode).toBe(200);
    const refused = await gateway.call('POST', '/v1/keys', {
      token: observer.token,
      body: { name: 'sneaky', roles: ['admin'] },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      code: 'E_FORBIDDEN',
      detail: `principal key:${observer.key.id} has no operator grant with scope keys:write`,
    });
  });

  it('answers an unknown route with a problem+json 404 once authenticated', async () => {
    const response = await gateway.call('GET', '/v1/nothing-here', { token: gateway.adminToken });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({
      code: 'E_NOT_FOUND',
      detail: /GET \/v1\/nothing-here/,
    });
  });
});

describe('validation', () => {
  it('names each failing field', async () => {
    const response = await gateway.call('POST', '/v1/keys', {
      token: gateway.adminToken,
      body: { name: '', roles: ['Not A Role'], extra: true },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json() as { code: string; errors: Array<{ field: string }> };
    expect(body.code).toBe('E_VALIDATION');
    expect(body.errors.map((error) => error.field)).toEqual(
      expect.arrayContaining(['body.name', 'body.roles.0']),
    );
  });

  it('refuses malformed JSON and a past expiry with E_VALIDATION', async () => {
    const malformed = await gateway.service.http.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: {
        authorization: `Bearer ${gateway.adminToken}`,
        'content-type': 'application/json',
      },
      payload: '{"name":',
    });
    expect(malformed.json()).toMatchObject({ status: 400, code: 'E_VALIDATION' });
    const past = await gateway.call('POST', '/v1/keys', {
      token: gateway.adminToken,
      body: { name: 'old', expiresAt: '2000-01-01T00:00:00Z' },
    });
    expect(past.json()).toMatchObject({
      code: 'E_VALIDATION',
      errors: [{ field: 'body.expiresAt', message: 'must be in the future' }],
    });
  });
});

describe('API keys', () => {
  it('lists the roles keys may name, with the grants each bundles', async () => {
    const response = await gateway.call('GET', '/v1/roles', { token: gateway.adminToken });
    expect(response.statusCode).toBe(200);
    const roles = (response.json() as { items: Array<{ name: string; grants: unknown[] }> }).items;
    expect(roles.map((role) => role.name).slice(0, 3)).toEqual(['admin', 'agent', 'observer']);
    expect(roles.find((role) => role.name === 'observer')?.grants).toEqual([
      { kind: 'operator', scopes: expect.arrayContaining(['keys:read', 'agents:read']) },
    ]);
  });

  it('defines, redefines and deletes a custom role, applied to the next request', async () => {
    const put = (grants: unknown[]) =>
      gateway.call('PUT', '/v1/roles/auditor', { token: gateway.adminToken, body: { grants } });
    const defined = await put([{ kind: 'operator', scopes: ['agents:read'] }]);
    expect(defined.json()).toEqual({
      name: 'auditor',
      grants: [{ kind: 'operator', scopes: ['agents:read'] }],
      builtIn: false,
    });
    const listed = await gateway.call('GET', '/v1/roles', { token: gateway.adminToken });
    expect((listed.json() as { items: unknown[] }).items).toContainEqual(defined.json());
    const { token } = await createKey({ name: 'audit', roles: ['auditor'] });
    expect((await gateway.call('GET', '/v1/agents', { token })).statusCode).toBe(200);
    expect((await gateway.call('GET', '/v1/keys', { token })).statusCode).toBe(403);

    await put([{ kind: 'operator', scopes: ['keys:read'] }]);
    expect((await gateway.call('GET', '/v1/agents', { token })).statusCode).toBe(403);
    expect((await gateway.call('GET', '/v1/keys', { token })).statusCode).toBe(200);

    const deleted = await gateway.call('DELETE', '/v1/roles/auditor', {
      token: gateway.adminToken,
    });
    expect(deleted.json()).toEqual({ removed: true });
    expect((await gateway.call('GET', '/v1/keys', { token })).statusCode).toBe(403);
    const again = await gateway.call('DELETE', '/v1/roles/auditor', { token: gateway.adminToken });
    expect(again.json()).toMatchObject({ status: 404, detail: 'no custom role auditor' });
    const builtIn = await gateway.call('PUT', '/v1/roles/admin', {
      token: gateway.adminToken,
      body: { grants: [] },
    });
    expect(builtIn.json()).toMatchObject({ status: 409, detail: /built-in role/ });
    const notWriter = await gateway.call('PUT', '/v1/roles/x', { token, body: { grants: [] } });
    expect(notWriter.statusCode).toBe(403);
    await waitFor(
      () =>
        authEvents.filter(
          (event) => (event as { role?: string; change: string }).role === 'auditor',
        ).length === 3,
      { what: 'three auth.changed role_changed events' },
    );
  });

  it('creates a key whose token is shown once, lists, gets and revokes it', async () => {
    const created = await createKey({
      name: 'ci',
      agentIds: ['builder'],
      roles: ['observer'],
      grants: [{ kind: 'operator', scopes: ['agents:write'] }],
    });
    expect(created.token).toMatch(/^sbk_[0-9a-f]{16}_/);
    expect(created.key).toMatchObject({
      name: 'ci',
      status: 'active',
      agentIds: ['builder'],
      createdBy: 'key:bootstrap',
      revokedAt: null,
    });
    const asCreated = await gateway.call('GET', '/v1/agents', { token: created.token });
    expect(asCreated.statusCode).toBe(200);

    const fetched = await gateway.call('GET', `/v1/keys/${created.key.id}`, {
      token: gateway.adminToken,
    });
    expect(fetched.json()).toEqual(created.key);
    expect(JSON.stringify(fetched.json())).not.toContain(created.token);
    const listed = await gateway.call('GET', '/v1/keys', { token: gateway.adminToken });
    expect(
      (listed.json() as { items: Array<{ id: string }> }).items.map((key) => key.id),
    ).toContain(created.key.id);

    const revoked = await gateway.call('DELETE', `/v1/keys/${created.key.id}`, {
      token: gateway.adminToken,
    });
    expect(revoked.json()).toMatchObject({ id: created.key.id, status: 'revoked' });
    const refused = await gateway.call('GET', '/v1/agents', { token: created.token });
    expect(refused.json()).toMatchObject({ status: 401, detail: /was revoked/ });
    const active = await gateway.call('GET', '/v1/keys', { token: gateway.adminToken });
    expect(
      (active.json() as { items: Array<{ id: string }> }).items.map((key) => key.id),
    ).not.toContain(created.key.id);
    const all = await gateway.call('GET', '/v1/keys?includeRevoked=true', {
      token: gateway.adminToken,
    });
    expect((all.json() as { items: Array<{ id: string }> }).items.map((key) => key.id)).toContain(
      created.key.id,
    );
    await waitFor(
      () =>
        authEvents.some(
          (event) =>
            (event as { keyId: string; change: string }).keyId === created.key.id &&
            (event as { change: string }).change === 'revoked',
        ),
      { what: 'auth.changed revoked' },
    );
    expect(authEvents).toContainEqual(
      expect.objectContaining({ keyId: created.key.id, change: 'created' }),
    );
  });

  it('pages through keys with a cursor', async () => {
    for (const name of ['p1', 'p2', 'p3']) await createKey({ name });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const page = (
        await gateway.call('GET', `/v1/keys?limit=2${query}`, { token: gateway.adminToken })
      ).json() as { items: Array<{ id: string }>; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((key) => key.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });

  it('shows a key past its expiry as expired', async () => {
    const database = await connectPostgres(
      { url: gateway.context.database.url, poolMax: 1, connectTimeoutMs: 2000 },
      'test',
    );
    try {
      const { record } = await createApiKeyStore(database).create({
        name: 'old',
        agentIds: [],
        roles: [],
        grants: [],
        createdBy: 'test',
        expiresAt: new Date(Date.now() - 1000),
      });
      const shown = await gateway.call('GET', `/v1/keys/${record.id}`, {
        token: gateway.adminToken,
      });
      expect(shown.json()).toMatchObject({ status: 'expired' });
    } finally {
      await database.close();
    }
  });

  it('answers unknown keys and the bootstrap key with 404', async () => {
    const missing = await gateway.call('DELETE', '/v1/keys/0123456789abcdef', {
      token: gateway.adminToken,
    });
    expect(missing.json()).toMatchObject({ status: 404, detail: 'no API key 0123456789abcdef' });
    const bootstrap = await gateway.call('GET', '/v1/keys/bootstrap', {
      token: gateway.adminToken,
    });
    expect(bootstrap.json()).toMatchObject({ status: 404, detail: /bootstrapKeySha256/ });
  });

  it('closes the agent connections of a revoked key', async () => {
    const agentKey = await createKey({ name: 'agent', agentIds: ['*'] });
    const attempt = await connectAgent(gateway.port, { token: agentKey.token });
    if (!('agent' in attempt)) throw new Error(attempt.body);
    await attempt.agent.handshake({ id: 'revokee', name: 'R', version: '1' });
    await gateway.call('DELETE', `/v1/keys/${agentKey.key.id}`, { token: gateway.adminToken });
    expect(await attempt.agent.closed).toEqual({
      code: 4005,
      reason: 'the credential was revoked',
    });
  });
});

describe('the OpenAPI document', () => {
  it('lists every operator route with its schemas and the bearer scheme', async () => {
    const response = await gateway.service.http.inject({ url: '/docs/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json() as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    const routes = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'POST /v1/keys',
        'GET /v1/keys',
        'GET /v1/keys/{id}',
        'GET /v1/roles',
        'PUT /v1/roles/{name}',
        'DELETE /v1/roles/{name}',
        'DELETE /v1/keys/{id}',
        'GET /v1/agents',
        'GET /v1/agents/{id}',
        'POST /v1/agents/{id}/disconnect',
        'GET /v1/config/{service}',
        'GET /v1/config/{service}/{key}',
        'PUT /v1/config/{service}/{key}',
        'DELETE /v1/config/{service}/{key}',
        'GET /v1/state/{scope}/{key}',
        'PUT /v1/state/{scope}/{key}',
        'GET /v1/state/{scope}/{key}/history',
        'GET /v1/state/{scope}',
        'GET /v1/agents/{agentId}/lifecycle',
        'GET /v1/agents/{agentId}/lifecycle/history',
        'GET /v1/events',
        'POST /v1/messages',
        'GET /v1/messages',
        'GET /v1/messages/{id}',
        'GET /v1/agents/{agentId}/subscriptions',
        'PUT /v1/agents/{agentId}/subscriptions',
        'DELETE /v1/agents/{agentId}/subscriptions',
        'GET /v1/dead-letters',
        'GET /v1/dead-letters/{id}',
        'POST /v1/dead-letters/replay',
        'POST /v1/dead-letters/purge',
        'POST /v1/session',
        'GET /v1/session',
        'DELETE /v1/session',
        'GET /v1/stats',
        // Tasks.
        'POST /v1/tasks',
        'GET /v1/tasks',
        'GET /v1/tasks/{id}',
        'GET /v1/tasks/{id}/history',
        'POST /v1/tasks/{id}/cancel',
        'GET /v1/task-types',
        'GET /v1/task-types/{name}',
        'PUT /v1/task-types/{name}',
        'GET /v1/task-schedules',
        'PUT /v1/task-schedules/{name}',
        'DELETE /v1/task-schedules/{name}',
        // Tools.
        'GET /v1/tools',
        'GET /v1/tools/search',
        'GET /v1/tools/figures',
        'GET /v1/tools/audit',
        'GET /v1/tools/audit/export',
        'GET /v1/tools/upstreams',
        'POST /v1/tools/import',
        'GET /v1/tools/groups',
        'PUT /v1/tools/groups/{group}',
        'DELETE /v1/tools/groups/{group}',
        'GET /v1/tools/{name}',
        'GET /v1/tools/{name}/versions',
        'POST /v1/tools/{name}/call',
        'POST /v1/tools/{name}/versions/{version}/deprecate',
        'POST /v1/tools/{name}/versions/{version}/retire',
        // Payloads.
        'POST /v1/payloads/{service}/reencrypt',
        // A2A peers.
        'GET /v1/a2a/peers',
        'POST /v1/a2a/peers',
        'GET /v1/a2a/peers/{name}',
        'DELETE /v1/a2a/peers/{name}',
        'GET /v1/a2a/directory',
        // Security events.
        'GET /v1/security/events',
      ].sort(),
    );
    expect(document.paths['/v1/keys']?.post?.responses).toHaveProperty('201');
    expect(document.components.securitySchemes).toHaveProperty('bearer');
    expect(document.components.securitySchemes).toHaveProperty('session');
    expect(document.components.schemas).toHaveProperty('ApiKey');
    expect(document.components.schemas).toHaveProperty('Problem');
    for (const name of [
      'OutgoingMessage',
      'Message',
      'DeadLetter',
      'Subscription',
      'Task',
      'TaskType',
      'TaskSchedule',
      'A2aPeer',
      'DirectoryEntry',
    ]) {
      expect(document.components.schemas).toHaveProperty(name);
    }
    expect(document.paths['/v1/messages']?.post?.responses).toHaveProperty('202');
    const ui = await gateway.service.http.inject({ url: '/docs' });
    expect(ui.statusCode).toBeLessThan(400);
  });
});
