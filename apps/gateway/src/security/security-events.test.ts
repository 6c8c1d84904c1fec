import { randomBytes } from 'node:crypto';
import { mintApiKey } from '@switchboard/authz';
import { connectPostgres, type Database } from '@switchboard/db';
import type { SecurityEvent } from '@switchboard/protocol';
import { type ServiceProcess, spawnService, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OperatorGateway, startOperatorGateway } from '../http/test-operator.ts';
import { connectAgent } from '../test/agent-client.ts';
import { metricValues } from '../test/start-gateway.ts';

// Every class of security event, produced by the real gateway, state service and tool registry
// in one namespace, stored by the gateway and read back through GET /v1/security/events.

let gateway: OperatorGateway;
let state: ServiceProcess | undefined;
let tools: ServiceProcess | undefined;
let a2a: ServiceProcess | undefined;
let database: Database;
const day = String(86_400_000);

beforeAll(async () => {
  gateway = await startOperatorGateway(
    {},
    {
      SB_GATEWAY__SECURITY__AUTH_FAILURE_SPIKE__THRESHOLD: '3',
      SB_GATEWAY__SECURITY__AUTH_FAILURE_SPIKE__WINDOW_MS: day,
      SB_GATEWAY__SECURITY__KEY_MANY_IPS__THRESHOLD: '3',
      SB_GATEWAY__SECURITY__KEY_MANY_IPS__WINDOW_MS: day,
      SB_GATEWAY__SECURITY__RETENTION_MS: day,
      SB_GATEWAY__SECURITY__SWEEP_INTERVAL_MS: '50',
      SB_GATEWAY__SECURITY__SWEEP_BATCH_SIZE: '4',
      SB_GATEWAY__RATE_LIMITS__FRAME_BATCH: '1',
      SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL_BY_ROLE: JSON.stringify({
        observer: { capacity: 3, refillPerSecond: 0.001 },
        bulk: { capacity: 500, refillPerSecond: 0.001 },
      }),
    },
  );
  const env = gateway.context.env;
  [state, tools, a2a] = await Promise.all([
    spawnService('state', {
      ...env,
      SB_STATE__PORT: '0',
      SB_PAYLOADS__ENCRYPTION__ACTIVE_KEY_ID: 'k1',
      SB_PAYLOADS__ENCRYPTION__KEYS: JSON.stringify({ k1: randomBytes(32).toString('base64') }),
    }),
    spawnService('tool-registry', {
      ...env,
      SB_TOOLS__PORT: '0',
      SB_TOOLS__MCP__RATE_LIMIT_BY_ROLE: JSON.stringify({
        admin: { capacity: 77, refillPerSecond: 1 },
      }),
    }),
    spawnService('a2a-peer', { ...env, SB_A2A__PORT: '0' }),
  ]);
  database = await connectPostgres(
    { url: gateway.context.database.url, poolMax: 1, connectTimeoutMs: 2000 },
    'test',
  );
}, 60_000);
afterAll(async () => {
  await database?.close();
  await Promise.all([state?.stop(), tools?.stop(), a2a?.stop()]);
  await gateway?.stop();
});

const call = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  options: { token?: string; ip?: string; body?: unknown } = {},
) =>
  gateway.service.http.inject({
    method,
    url,
    remoteAddress: options.ip ?? '127.0.0.1',
    headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` },
    ...(options.body === undefined ? {} : { payload: options.body as object }),
  });

const createKey = async (name: string, roles: string[], grants: unknown[] = []) => {
  const created = await call('POST', '/v1/keys', {
    token: gateway.adminToken,
    body: { name, roles, grants },
  });
  expect(created.statusCode).toBe(201);
  const { token, key } = created.json() as { token: string; key: { id: string } };
  return { token, id: key.id };
};

/** The named events of `GET /v1/events`, as they arrive. */
async function followEvents(token: string) {
  const controller = new AbortController();
  const response = await fetch(`http://127.0.0.1:${gateway.port}/v1/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  const events: Array<{ id: number; event: string }> = [];
  const reading = (async () => {
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += Buffer.from(chunk).toString();
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop() ?? '';
      for (const block of blocks) {
        const id = /^id: (\d+)$/m.exec(block)?.[1];
        const event = /^event: (.+)$/m.exec(block)?.[1];
        if (id !== undefined && event !== undefined) events.push({ id: Number(id), event });
      }
    }
  })().catch(() => undefined);
  return {
    events,
    close: async () => {
      controller.abort();
      await reading;
    },
  };
}

const listEvents = async (query: string): Promise<SecurityEvent[]> => {
  const response = await call('GET', `/v1/security/events?${query}`, {
    token: gateway.adminToken,
  });
  expect(response.statusCode).toBe(200);
  return (response.json() as { items: SecurityEvent[] }).items;
};

/** Waits until the gateway has stored an event matching `query` and `match`; returns it. */
const storedEvent = async (query: string, match: (event: SecurityEvent) => boolean) => {
  let found: SecurityEvent | undefined;
  await waitFor(
    async () => {
      found = (await listEvents(query)).find(match);
      return found !== undefined;
    },
    { what: `a security event (${query})` },
  );
  return found as SecurityEvent;
};

describe('security events', () => {
  it('records a refused API key with the client address, and a revoked key presented', async () => {
    const unknown = mintApiKey();
    const refused = await call('GET', '/v1/agents', { token: unknown.token, ip: '10.1.0.1' });
    expect(refused.statusCode).toBe(401);
    expect(
      await storedEvent('kind=auth_failed&ip=10.1.0.1', (event) => event.path === '/v1/agents'),
    ).toMatchObject({
      kind: 'auth_failed',
      service: 'gateway',
      ip: '10.1.0.1',
      code: 'E_UNAUTHORIZED',
      credentialId: unknown.keyId,
    });

    const { token, id } = await createKey('to-revoke', ['observer']);
    expect((await call('DELETE', `/v1/keys/${id}`, { token: gateway.adminToken })).statusCode).toBe(
      200,
    );
    expect((await call('GET', '/v1/agents', { token, ip: '10.1.0.2' })).statusCode).toBe(401);
    const revoked = await storedEvent(`kind=revoked_key_used&principal=${id}`, () => true);
    expect(revoked).toMatchObject({ credentialId: id, ip: '10.1.0.2', service: 'gateway' });
    // Never the token.
    expect(JSON.stringify(revoked)).not.toContain(token);
  });

  it('records a route its principal has no operator scope for as forbidden', async () => {
    const { token, id } = await createKey('reader', ['observer']);
    const denied = await call('POST', '/v1/keys', { token, body: { name: 'x' } });
    expect(denied.statusCode).toBe(403);
    expect(await storedEvent(`kind=forbidden&principal=key:${id}`, () => true)).toMatchObject({
      service: 'gateway',
      path: '/v1/keys',
      credentialId: id,
      code: 'E_FORBIDDEN',
    });
  });

  it('records what a service refuses itself: a state scope the caller has no grant for', async () => {
    const { token, id } = await createKey('no-state', ['observer']);
    const denied = await call('PUT', '/v1/state/team.secret/plan', {
      token,
      body: { document: { a: 1 }, expectedVersion: 0 },
    });
    expect(denied.statusCode).toBe(403);
    expect(
      await storedEvent(`kind=forbidden&principal=key:${id}`, (event) => event.service === 'state'),
    ).toMatchObject({ principal: `key:${id}`, credentialId: id, code: 'E_FORBIDDEN' });
  });

  it('records a stored payload that does not decrypt, naming the record and key, never the payload', async () => {
    const admin = { token: gateway.adminToken };
    for (const key of ['a', 'b']) {
      const put = await call('PUT', `/v1/state/vault/${key}`, {
        ...admin,
        body: { document: { secret: `the ${key} secret` }, expectedVersion: 0 },
      });
      expect(put.statusCode).toBe(200);
    }
    // b gets a's ciphertext: bound to a's record, it does not decrypt as b.
    await database.sql`
      UPDATE state.documents AS b SET document = a.document, nonce = a.nonce
      FROM state.documents AS a
      WHERE b.scope = 'vault' AND b.key = 'b' AND a.scope = 'vault' AND a.key = 'a'`;
    expect((await call('GET', '/v1/state/vault/b', admin)).statusCode).toBe(500);
    const event = await storedEvent('kind=decrypt_failed', (found) => found.service === 'state');
    expect(event.facts).toMatchObject({ keyId: 'k1', record: expect.stringContaining('vault') });
    expect(JSON.stringify(event)).not.toContain('secret"');
  });

  it('records a refused token at /mcp (the tool registry)', async () => {
    const ghost = mintApiKey();
    const response = await fetch(`http://127.0.0.1:${tools?.port}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ghost.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(
      await storedEvent(
        `kind=auth_failed&principal=${ghost.keyId}`,
        (event) => event.service === 'tools',
      ),
    ).toMatchObject({ path: '/mcp', code: 'E_UNAUTHORIZED', ip: expect.any(String) });
  });
});

describe('security events of the other inbound paths', () => {
  it('records a revoked key presented at the agent WebSocket, and frames past the credential’s bucket', async () => {
    const { token, id } = await createKey('ws-revoked', ['observer']);
    await call('DELETE', `/v1/keys/${id}`, { token: gateway.adminToken });
    const refused = await connectAgent(gateway.port, { token });
    expect(refused).toMatchObject({ status: 401 });
    expect(await storedEvent(`kind=revoked_key_used&principal=${id}`, () => true)).toMatchObject({
      path: '/v1/connect',
      ip: '127.0.0.1',
    });

    // The observer role's bucket holds 3: the connect takes one, two frames pass, one is refused.
    const limited = await createKey('ws-frames', ['observer'], []);
    const attempt = await connectAgent(gateway.port, { token: limited.token });
    if (!('agent' in attempt)) throw new Error(attempt.body);
    for (let index = 0; index < 3; index++) {
      attempt.agent.send({ v: 1, type: 'ping', id: `p${index}` });
    }
    expect(await attempt.agent.next('error', 'p2')).toMatchObject({
      error: { code: 'E_RATE_LIMITED' },
    });
    attempt.agent.socket.close();
    expect(
      await storedEvent(`kind=rate_limited&principal=${limited.id}`, () => true),
    ).toMatchObject({ path: '/v1/connect (frames)', principal: `key:${limited.id}` });
  });

  it('records a refused token at the A2A endpoints (the a2a peer)', async () => {
    const ghost = mintApiKey();
    const response = await fetch(`http://127.0.0.1:${a2a?.port}/jsonrpc`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ghost.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'x' } }),
    });
    expect(response.status).toBe(401);
    expect(
      await storedEvent(
        `kind=auth_failed&principal=${ghost.keyId}`,
        (event) => event.service === 'a2a',
      ),
    ).toMatchObject({ path: '/a2a', code: 'E_UNAUTHORIZED' });
  });

  it('gives /mcp callers the bucket of their role, in RateLimit-* headers', async () => {
    const response = await fetch(`http://127.0.0.1:${tools?.port}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gateway.adminToken}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    await response.arrayBuffer();
    expect(response.headers.get('ratelimit-limit')).toBe('77');
    expect(Number(response.headers.get('ratelimit-remaining'))).toBeLessThan(77);
  });
});

describe('retention', () => {
  it('deletes a backlog of events older than gateway.security.retentionMs, and keeps recent ones', async () => {
    // 11 old events, more than two and a half batches of sweepBatchSize (4); that each statement
    // deletes at most a batch is shown in security-retention.test.ts.
    await database.sql`
      INSERT INTO gateway.security_events (id, kind, at, service, ip)
      SELECT gen_random_uuid(), 'auth_failed', now() - interval '2 days' - n * interval '1 minute',
        'gateway', '10.5.0.1'
      FROM generate_series(1, 11) AS n`;
    const recent = '0193a1b2-0000-7000-8000-0000000000ab';
    await database.sql`
      INSERT INTO gateway.security_events (id, kind, at, service, ip)
      VALUES (${recent}, 'auth_failed', now() - interval '1 hour', 'gateway', '10.5.0.1')`;
    await waitFor(
      async () =>
        (
          await database.sql`
            SELECT 1 FROM gateway.security_events WHERE at < now() - interval '1 day'`
        ).length === 0,
      { what: 'the old events swept' },
    );
    const left = await database.sql<{ id: string }[]>`
      SELECT id FROM gateway.security_events WHERE ip = '10.5.0.1'`;
    expect(left.map((row) => row.id)).toEqual([recent]);
  });
});

describe('limits per role', () => {
  it('gives a role its bucket, with RateLimit-* on every answer and Retry-After on the refusal, and records the hit', async () => {
    const { token, id } = await createKey('limited', ['observer']);
    for (let request = 0; request < 3; request++) {
      const allowed = await call('GET', '/v1/agents', { token });
      expect(allowed.statusCode).toBe(200);
      expect(allowed.headers['ratelimit-limit']).toBe('3');
      expect(allowed.headers['ratelimit-remaining']).toBe(String(2 - request));
    }
    const refused = await call('GET', '/v1/agents', { token });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'E_RATE_LIMITED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['ratelimit-limit']).toBe('3');
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    expect(Number(refused.headers['ratelimit-reset'])).toBeGreaterThan(0);
    expect(await storedEvent(`kind=rate_limited&principal=${id}`, () => true)).toMatchObject({
      path: '/v1/agents',
      ip: '127.0.0.1',
      facts: { hits: 1 },
    });
    const hits = await metricValues(gateway.service, 'sb_rate_limit_hits_total');
    expect(hits).toContainEqual({ labels: { path: '/v1/agents', credential: id }, value: 1 });
  });

  it('gives a principal with several roles the most generous of their buckets', async () => {
    const { token } = await createKey('bulk-reader', ['observer', 'bulk']);
    const allowed = await call('GET', '/v1/agents', { token });
    expect(allowed.headers['ratelimit-limit']).toBe('500');
  });
});

describe('detectors', () => {
  it('raise an alert on a spike of authentication failures from one address', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      await call('GET', '/v1/agents', { token: `sbk_guess${attempt}_secret`, ip: '10.2.0.9' });
    }
    const alert = await storedEvent('kind=alert&ip=10.2.0.9', () => true);
    expect(alert).toMatchObject({
      service: 'gateway',
      facts: { detector: 'auth_failure_spike', count: 3 },
    });
    const alerts = await metricValues(gateway.service, 'sb_security_alerts_total');
    const spikes = alerts.find(
      (alert) => (alert.labels as { detector?: string }).detector === 'auth_failure_spike',
    );
    expect(spikes?.value).toBeGreaterThanOrEqual(1);
  });

  it('raise an alert on one key used from many addresses at once', async () => {
    const { token, id } = await createKey('shared', ['bulk', 'observer']);
    for (const ip of ['10.3.0.1', '10.3.0.2', '10.3.0.2', '10.3.0.3']) {
      expect((await call('GET', '/v1/agents', { token, ip })).statusCode).toBe(200);
    }
    expect(await storedEvent(`kind=alert&principal=${id}`, () => true)).toMatchObject({
      facts: { detector: 'key_many_ips', count: 3 },
    });
  });
});

describe('GET /v1/security/events', () => {
  it('needs security:read', async () => {
    const { token } = await createKey('agent-only', ['agent']);
    const denied = await call('GET', '/v1/security/events', { token });
    expect(denied.statusCode).toBe(403);
    const { token: observer } = await createKey('observer', ['bulk', 'observer']);
    expect((await call('GET', '/v1/security/events', { token: observer })).statusCode).toBe(200);
  });

  it('filters by kind, address and time, newest first, in cursor pages', async () => {
    for (const ip of ['10.4.0.1', '10.4.0.1'])
      await call('GET', '/v1/agents', { token: 'bad', ip });
    await waitFor(async () => (await listEvents('ip=10.4.0.1')).length === 2, {
      what: 'both failures stored',
    });
    const both = await listEvents('ip=10.4.0.1&kind=auth_failed,revoked_key_used');
    expect(both).toHaveLength(2);
    expect((both[0] as SecurityEvent).at).toBeGreaterThanOrEqual((both[1] as SecurityEvent).at);
    const first = await call('GET', '/v1/security/events?ip=10.4.0.1&limit=1', {
      token: gateway.adminToken,
    });
    const page = first.json() as { items: SecurityEvent[]; nextCursor: string };
    expect(page.items.map((event) => event.id)).toEqual([both[0]?.id]);
    const second = await listEvents(`ip=10.4.0.1&limit=1&cursor=${page.nextCursor}`);
    expect(second.map((event) => event.id)).toEqual([both[1]?.id]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(await listEvents(`ip=10.4.0.1&since=${future}`)).toEqual([]);
    expect(await listEvents(`ip=10.4.0.1&until=${future}`)).toHaveLength(2);
    expect(await listEvents('ip=10.4.0.1&kind=forbidden')).toEqual([]);
    const bad = await call('GET', '/v1/security/events?kind=nonsense', {
      token: gateway.adminToken,
    });
    expect(bad.statusCode).toBe(400);
    const badCursor = await call('GET', '/v1/security/events?cursor=nope', {
      token: gateway.adminToken,
    });
    expect(badCursor.statusCode).toBe(400);
  });

  it('shows security events on the live channel only to principals with security:read', async () => {
    const watcher = await createKey(
      'events-only',
      [],
      [{ kind: 'operator', scopes: ['events:read'] }],
    );
    const [everything, idsOnly] = await Promise.all([
      followEvents(gateway.adminToken),
      followEvents(watcher.token),
    ]);
    try {
      await call('GET', '/v1/agents', { token: 'not-a-key', ip: '10.6.0.1' });
      let seen: { id: number } | undefined;
      await waitFor(
        () => {
          seen = everything.events.find((event) => event.event === 'security.auth_failed');
          return seen !== undefined;
        },
        { what: 'the security event on the admin stream' },
      );
      // A later event reaches both streams: the one without security:read has passed it by.
      await createKey('marker', ['agent']);
      await waitFor(
        () => idsOnly.events.some((event) => event.id > (seen?.id ?? Number.POSITIVE_INFINITY)),
        { what: 'a later event on the other stream' },
      );
      expect(idsOnly.events.filter((event) => event.event.startsWith('security.'))).toEqual([]);
    } finally {
      await Promise.all([everything.close(), idsOnly.close()]);
    }
  });

  it('counts the events of each service in sb_security_events_total by kind', async () => {
    const counted = await metricValues(gateway.service, 'sb_security_events_total');
    expect(counted).toContainEqual({ labels: { kind: 'auth_failed' }, value: expect.any(Number) });
  });
});
