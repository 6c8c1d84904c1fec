import {
  type AgentCardServer,
  type ServiceProcess,
  serveAgentCard,
  spawnService,
  waitFor,
} from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OperatorGateway, startOperatorGateway } from './test-operator.ts';

// /v1/a2a through a real a2a-peer process: peers registered by the URL of a remote agent's card
// (a card server in this process), their health followed on /v1/events, the directory searched.

let gateway: OperatorGateway;
let peerService: ServiceProcess | undefined;
let echo: AgentCardServer;

beforeAll(async () => {
  gateway = await startOperatorGateway();
  peerService = await spawnService('a2a-peer', {
    ...gateway.context.env,
    SB_LOG__LEVEL: 'warn',
    SB_A2A__PORT: '0',
    // The remote agent listens on loopback, which the SSRF guard refuses unless told otherwise.
    SB_A2A__PEERS__ALLOW_PRIVATE: 'true',
    SB_A2A__PEERS__HEALTH_INTERVAL_MS: '100',
    SB_A2A__PEERS__DOWN_AFTER_FAILURES: '2',
  });
  echo = await serveAgentCard({ name: 'Echo', skills: ['echo'] });
}, 60_000);
afterAll(async () => {
  await echo?.close();
  await peerService?.stop();
  await gateway?.stop();
});

const admin = () => ({ token: gateway.adminToken });

/** The `a2a.peer` events of `/v1/events`, read over a real connection until `close()`. */
async function followPeerEvents() {
  const controller = new AbortController();
  const response = await fetch(`http://127.0.0.1:${gateway.port}/v1/events`, {
    headers: { authorization: `Bearer ${gateway.adminToken}` },
    signal: controller.signal,
  });
  const events: unknown[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop() ?? '';
      for (const block of blocks) {
        const lines = block.split('\n');
        if (!lines.includes('event: a2a.peer')) continue;
        const data = lines.find((line) => line.startsWith('data: '));
        if (data !== undefined) events.push(JSON.parse(data.slice(6)));
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

describe('/v1/a2a', () => {
  it('registers, lists, shows and removes a peer, live on /v1/events', async () => {
    const stream = await followPeerEvents();
    const added = await gateway.call('POST', '/v1/a2a/peers', {
      ...admin(),
      body: { name: 'echo', url: echo.baseUrl },
    });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toMatchObject({
      name: 'echo',
      cardUrl: echo.cardUrl,
      agentName: 'Echo',
      endpoint: `${echo.baseUrl}/jsonrpc`,
      streaming: true,
      signature: 'unsigned',
      status: 'up',
      publishTools: false,
      skills: [{ id: 'echo', name: 'echo', description: 'does echo', tags: ['remote'] }],
    });
    expect(added.json()).not.toHaveProperty('token');

    const listed = await gateway.call('GET', '/v1/a2a/peers?status=up', admin());
    expect(listed.json().items.map((peer: { name: string }) => peer.name)).toEqual(['echo']);
    const none = await gateway.call('GET', '/v1/a2a/peers?status=down', admin());
    expect(none.json().items).toEqual([]);
    const shown = await gateway.call('GET', '/v1/a2a/peers/echo', admin());
    expect(shown.json()).toMatchObject({ name: 'echo', agentName: 'Echo' });

    // The peer goes down and comes back: each status change reaches operators as an event.
    await echo.pause();
    await waitFor(() =>
      stream.events.some((event) => (event as { status: string }).status === 'down'),
    );
    const down = await gateway.call('GET', '/v1/a2a/peers/echo', admin());
    expect(down.json()).toMatchObject({ status: 'down', lastError: expect.any(String) });
    await echo.resume();
    await waitFor(async () => {
      const peer = await gateway.call('GET', '/v1/a2a/peers/echo', admin());
      return peer.json().status === 'up';
    });

    const removed = await gateway.call('DELETE', '/v1/a2a/peers/echo', admin());
    expect(removed.json()).toEqual({ removed: true });
    const again = await gateway.call('DELETE', '/v1/a2a/peers/echo', admin());
    expect(again.json()).toEqual({ removed: false });
    const gone = await gateway.call('GET', '/v1/a2a/peers/echo', admin());
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ code: 'E_NOT_FOUND' });

    await waitFor(() =>
      stream.events.some((event) => (event as { what: string }).what === 'removed'),
    );
    await stream.close();
    expect(stream.events[0]).toEqual({ name: 'echo', what: 'added', status: 'up' });
    expect(stream.events).toContainEqual({ name: 'echo', what: 'status', status: 'down' });
    expect(stream.events).toContainEqual({ name: 'echo', what: 'status', status: 'up' });
    expect(stream.events.at(-1)).toEqual({ name: 'echo', what: 'removed', status: 'unknown' });
  });

  it('refuses a bad name and an unreachable peer as problems', async () => {
    const badName = await gateway.call('POST', '/v1/a2a/peers', {
      ...admin(),
      body: { name: 'Not Valid', url: echo.baseUrl },
    });
    expect(badName.statusCode).toBe(400);
    expect(badName.json()).toMatchObject({ code: 'E_VALIDATION' });
    const gone = await serveAgentCard({ name: 'Gone', skills: [] });
    await gone.close();
    const unreachable = await gateway.call('POST', '/v1/a2a/peers', {
      ...admin(),
      body: { name: 'gone', url: gone.baseUrl },
    });
    expect(unreachable.statusCode).toBe(503);
    expect(unreachable.headers['content-type']).toContain('application/problem+json');
    expect(unreachable.json()).toMatchObject({ code: 'E_UNAVAILABLE' });
  });

  it('searches the directory by skill, tag, kind and words', async () => {
    await gateway.call('POST', '/v1/a2a/peers', {
      ...admin(),
      body: { name: 'finder', url: echo.cardUrl },
    });
    const bySkill = await gateway.call('GET', '/v1/a2a/directory?skill=echo', admin());
    expect(bySkill.statusCode).toBe(200);
    expect(bySkill.json().items).toEqual([
      {
        kind: 'remote',
        address: 'a2a:finder',
        name: 'Echo',
        description: 'Echo, a remote agent for tests',
        skills: [{ id: 'echo', name: 'echo', description: 'does echo', tags: ['remote'] }],
        status: 'up',
      },
    ]);
    const byTag = await gateway.call('GET', '/v1/a2a/directory?tag=remote&kind=remote', admin());
    expect(byTag.json().items).toHaveLength(1);
    const local = await gateway.call('GET', '/v1/a2a/directory?kind=local', admin());
    expect(local.json().items).toEqual([]);
    const nothing = await gateway.call('GET', '/v1/a2a/directory?q=nowhere', admin());
    expect(nothing.json().items).toEqual([]);
    const badKind = await gateway.call('GET', '/v1/a2a/directory?kind=other', admin());
    expect(badKind.statusCode).toBe(400);
  });

  it('needs peers:read to look and peers:write to change', async () => {
    const created = await gateway.call('POST', '/v1/keys', {
      ...admin(),
      body: { name: 'peer-observer', roles: ['observer'] },
    });
    const observer = { token: created.json().token as string };
    expect((await gateway.call('GET', '/v1/a2a/peers', observer)).statusCode).toBe(200);
    expect((await gateway.call('GET', '/v1/a2a/directory', observer)).statusCode).toBe(200);
    const add = await gateway.call('POST', '/v1/a2a/peers', {
      ...observer,
      body: { name: 'sneaky', url: echo.baseUrl },
    });
    expect(add.statusCode).toBe(403);
    expect(add.json()).toMatchObject({ detail: /peers:write/ });
    const remove = await gateway.call('DELETE', '/v1/a2a/peers/finder', observer);
    expect(remove.statusCode).toBe(403);
  });
});
