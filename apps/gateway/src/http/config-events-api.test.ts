import { waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAgent } from '../test/agent-client.ts';
import { type OperatorGateway, startOperatorGateway } from './test-operator.ts';

let gateway: OperatorGateway;

beforeAll(async () => {
  gateway = await startOperatorGateway({ statsIntervalMs: 100, heartbeatIntervalMs: 50 });
});
afterAll(async () => {
  await gateway?.stop();
});

type Setting = { key: string; value: unknown; source: string; live: boolean };

describe('live config through the owning service', () => {
  const key = 'gateway.connections.maxBadFrames';

  it("reads a service's settings with their sources", async () => {
    const all = await gateway.call('GET', '/v1/config/gateway', { token: gateway.adminToken });
    expect(all.statusCode).toBe(200);
    const body = all.json() as { service: string; settings: Setting[] };
    expect(body.service).toBe('gateway');
    expect(body.settings).toContainEqual(
      expect.objectContaining({ key, value: 20, source: 'default', live: true }),
    );
    const some = await gateway.call('GET', '/v1/config/gateway/gateway.connections', {
      token: gateway.adminToken,
    });
    const keys = (some.json() as { settings: Setting[] }).settings.map((setting) => setting.key);
    expect(keys).toContain(key);
    expect(keys.every((name) => name.startsWith('gateway.connections.'))).toBe(true);
  });

  it('sets and unsets an override, refusing an invalid value with the reason', async () => {
    const set = await gateway.call('PUT', `/v1/config/gateway/${key}`, {
      token: gateway.adminToken,
      body: { value: 7 },
    });
    expect(set.json()).toMatchObject({
      setting: { key, value: 7, source: 'override' },
      restartRequired: false,
    });
    const invalid = await gateway.call('PUT', `/v1/config/gateway/${key}`, {
      token: gateway.adminToken,
      body: { value: 'many' },
    });
    expect(invalid.json()).toMatchObject({ status: 400, code: 'E_VALIDATION' });
    const missingValue = await gateway.call('PUT', `/v1/config/gateway/${key}`, {
      token: gateway.adminToken,
      body: {},
    });
    expect(missingValue.json()).toMatchObject({ status: 400, errors: [{ field: 'body.value' }] });
    const unset = await gateway.call('DELETE', `/v1/config/gateway/${key}`, {
      token: gateway.adminToken,
    });
    expect(unset.json()).toMatchObject({
      setting: { value: 20, source: 'default' },
      removed: true,
    });
  });

  it('answers unknown services and keys with 404, and a stopped service with 503', async () => {
    const service = await gateway.call('GET', '/v1/config/billing', { token: gateway.adminToken });
    expect(service.json()).toMatchObject({ status: 404, detail: /no service billing/ });
    const setting = await gateway.call('PUT', '/v1/config/gateway/gateway.nope', {
      token: gateway.adminToken,
      body: { value: 1 },
    });
    expect(setting.json()).toMatchObject({ status: 404, code: 'E_NOT_FOUND' });
    const router = await gateway.call('GET', '/v1/config/router', { token: gateway.adminToken });
    expect(router.json()).toMatchObject({ status: 503, code: 'E_UNAVAILABLE' });
  });

  it('lets an observer read but not write', async () => {
    const created = await gateway.call('POST', '/v1/keys', {
      token: gateway.adminToken,
      body: { name: 'observer', roles: ['observer'] },
    });
    const token = (created.json() as { token: string }).token;
    expect((await gateway.call('GET', '/v1/config/gateway', { token })).statusCode).toBe(200);
    const refused = await gateway.call('DELETE', `/v1/config/gateway/${key}`, { token });
    expect(refused.json()).toMatchObject({ status: 403, detail: /config:write/ });
  });
});

/** A Server-Sent Events reader over a real HTTP connection. */
async function follow(token: string) {
  const controller = new AbortController();
  const response = await fetch(`http://127.0.0.1:${gateway.port}/v1/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  const events: Array<{ id?: string; event?: string; data?: unknown }> = [];
  const comments: string[] = [];
  let ended = false;
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: { id?: string; event?: string; data?: unknown } = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments.push(line.slice(1).trim());
          else if (line.startsWith('id: ')) event.id = line.slice(4);
          else if (line.startsWith('event: ')) event.event = line.slice(7);
          else if (line.startsWith('data: ')) event.data = JSON.parse(line.slice(6));
        }
        if (event.event !== undefined) events.push(event);
        end = buffer.indexOf('\n\n');
      }
    }
  })()
    .catch(() => undefined)
    .finally(() => {
      ended = true;
    });
  return {
    response,
    events,
    comments,
    isEnded: () => ended,
    close: async () => {
      controller.abort();
      await reading;
    },
  };
}

describe('the live channel', () => {
  it('streams events as they happen, stats and heartbeats', async () => {
    const stream = await follow(gateway.adminToken);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
    const stats = await waitFor(() => stream.events.find((event) => event.event === 'stats'));
    const services = (stats.data as { services: Record<string, Record<string, unknown>> }).services;
    expect(services.gateway).toMatchObject({ service: 'gateway', figures: expect.any(Object) });
    expect(services.router).toEqual({ error: expect.objectContaining({ code: 'E_UNAVAILABLE' }) });
    await waitFor(() => stream.comments.includes('keep-alive'), { what: 'a heartbeat' });

    const created = await gateway.call('POST', '/v1/keys', {
      token: gateway.adminToken,
      body: { name: 'streamer', agentIds: ['*'] },
    });
    const attempt = await connectAgent(gateway.port, {
      token: (created.json() as { token: string }).token,
    });
    if (!('agent' in attempt)) throw new Error(attempt.body);
    await attempt.agent.handshake({ id: 'sse-1', name: 'S', version: '1' });
    const connected = await waitFor(
      () =>
        stream.events.find(
          (event) =>
            event.event === 'agent.connected' &&
            (event.data as { agentId: string }).agentId === 'sse-1',
        ),
      { what: 'agent.connected on the stream' },
    );
    expect(Number(connected.id)).toBeGreaterThan(0);
    expect(stream.events).toContainEqual(
      expect.objectContaining({
        event: 'auth.changed',
        data: expect.objectContaining({ change: 'created' }),
      }),
    );
    attempt.agent.socket.close();
    await stream.close();
  });

  it('ends the stream of a key that is revoked', async () => {
    const created = await gateway.call('POST', '/v1/keys', {
      token: gateway.adminToken,
      body: { name: 'watcher', roles: ['observer'] },
    });
    const { token, key } = created.json() as { token: string; key: { id: string } };
    const stream = await follow(token);
    await waitFor(() => stream.events.some((event) => event.event === 'stats'));
    await gateway.call('DELETE', `/v1/keys/${key.id}`, { token: gateway.adminToken });
    await waitFor(() => stream.isEnded(), { what: 'the stream ended' });
    expect(stream.events.at(-1)).toMatchObject({
      event: 'auth.changed',
      data: { keyId: key.id, change: 'revoked' },
    });
  });

  it('ends the stream of a credential whose role changes, and not the others', async () => {
    const put = (grants: unknown[]) =>
      gateway.call('PUT', '/v1/roles/streamers', { token: gateway.adminToken, body: { grants } });
    await put([{ kind: 'operator', scopes: ['events:read'] }]);
    const create = async (roles: string[]) =>
      (
        (
          await gateway.call('POST', '/v1/keys', {
            token: gateway.adminToken,
            body: { name: 'streamer', roles },
          })
        ).json() as { token: string }
      ).token;
    const changing = await follow(await create(['streamers']));
    const other = await follow(await create(['observer']));
    await waitFor(() => changing.events.some((event) => event.event === 'stats'));
    await put([]);
    await waitFor(() => changing.isEnded(), { what: 'the stream of the changed role ended' });
    expect(changing.events.at(-1)).toMatchObject({
      event: 'auth.changed',
      data: { role: 'streamers', change: 'role_changed' },
    });
    await waitFor(
      () =>
        other.events.some(
          (event) => (event.data as { role?: string } | undefined)?.role === 'streamers',
        ),
      { what: 'the role change on the other stream' },
    );
    expect(other.isEnded()).toBe(false);
    await other.close();
  });

  it('needs events:read', async () => {
    const created = await gateway.call('POST', '/v1/keys', {
      token: gateway.adminToken,
      body: { name: 'agent-only', roles: ['agent'] },
    });
    const refused = await gateway.call('GET', '/v1/events', {
      token: (created.json() as { token: string }).token,
    });
    expect(refused.json()).toMatchObject({ status: 403, detail: /events:read/ });
  });

  it('ends open streams when the gateway stops', async () => {
    const replica = await gateway.startReplica();
    const response = await fetch(`http://127.0.0.1:${replica.port}/v1/events`, {
      headers: { authorization: `Bearer ${gateway.adminToken}` },
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await replica.service.stop();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
  });
});
