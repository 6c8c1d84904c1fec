import { type AddressInfo, createServer } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Grant } from '@switchboard/authz';
import { isSbError, SbError } from '@switchboard/protocol';
import { type AgentClient, connect } from '@switchboard/sdk';
import {
  type AgentCardServer,
  type MeshService,
  serveAgentCard,
  startMeshService,
  waitFor,
} from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToolMesh, type ToolMesh } from './test-mesh.ts';

// The permission matrix (docs/authz.md, "Where each grant is enforced"): for every grant kind and
// every path that reaches its resource (the SDK over the gateway WebSocket, the operator HTTP
// API, MCP on the registry, A2A through the a2a-peer), the call is refused without the grant and
// allowed with it, granted once through a custom role and once directly. One mesh of real
// services; HTTP callers hold the route's operator scope, so a refusal is the owning service's
// grant check and not the route's.

type Outcome = 'allowed' | 'forbidden' | 'unauthorized';

/** What a credential may try on one path, reduced to its outcome. */
type Attempt = (token: string | undefined) => Promise<Outcome>;

let mesh: ToolMesh;
let services: MeshService[] = [];
let gatewayUrl: string;
let mcpUrl: string;
let a2aUrl: string;
let operatorToken: string;
let remote: AgentCardServer;
const clients: AgentClient[] = [];
let roleCounter = 0;
let agentCounter = 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function http(
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : JSON.parse(text) };
}

/** An HTTP answer as an outcome; anything but 2xx, 401 and 403 fails the test. */
function httpOutcome(answer: { status: number; body: unknown }): Outcome {
  if (answer.status === 401) return 'unauthorized';
  if (answer.status === 403) return 'forbidden';
  if (answer.status >= 200 && answer.status < 300) return 'allowed';
  throw new Error(`unexpected ${answer.status}: ${JSON.stringify(answer.body)}`);
}

/** A call's outcome: resolved is allowed, E_FORBIDDEN forbidden; anything else fails the test. */
async function outcomeOf(call: Promise<unknown>): Promise<Outcome> {
  try {
    await call;
    return 'allowed';
  } catch (error) {
    if (isSbError(error) && error.code === 'E_FORBIDDEN') return 'forbidden';
    throw error;
  }
}

/** Creates custom role `name` with `grants` through the operator API. */
async function defineRole(name: string, grants: Grant[]): Promise<void> {
  const answer = await http('PUT', `/v1/roles/${name}`, operatorToken, { grants });
  expect(answer.status).toBe(200);
}

/** A key that may act as any agent, with `roles` and `grants`. */
async function createKey(options: { roles?: string[]; grants?: Grant[] }): Promise<string> {
  const answer = await http('POST', '/v1/keys', operatorToken, {
    name: 'matrix',
    agentIds: ['*'],
    roles: options.roles ?? [],
    grants: options.grants ?? [],
  });
  expect(answer.status).toBe(201);
  return answer.body.token as string;
}

/**
 * Three credentials that all hold `base` (what the path itself needs, such as a route's scope):
 * one without `grants`, one with them through a fresh custom role, one with them directly.
 */
async function credentials(grants: Grant[], base: Grant[] = []) {
  roleCounter += 1;
  const role = `matrix-${roleCounter}`;
  await defineRole(role, grants);
  const [without, viaRole, direct] = await Promise.all([
    createKey({ grants: base }),
    createKey({ roles: [role], grants: base }),
    createKey({ grants: [...base, ...grants] }),
  ]);
  return { role, without, viaRole, direct };
}

/** Asserts the matrix row: refused without the grant, allowed through a role and directly. */
async function expectRow(
  grants: Grant[],
  attempt: Attempt,
  options: { base?: Grant[]; anonymous?: boolean } = {},
): Promise<void> {
  const keys = await credentials(grants, options.base);
  const outcomes = {
    without: await attempt(keys.without),
    viaRole: await attempt(keys.viaRole),
    direct: await attempt(keys.direct),
    ...(options.anonymous === true ? { anonymous: await attempt(undefined) } : {}),
  };
  expect(outcomes).toEqual({
    without: 'forbidden',
    viaRole: 'allowed',
    direct: 'allowed',
    ...(options.anonymous === true ? { anonymous: 'unauthorized' } : {}),
  });
}

/** An SDK agent connected with `token` (a fresh agent id each time). */
async function agentWith(token: string | undefined): Promise<AgentClient> {
  agentCounter += 1;
  const client = await connect({
    url: gatewayUrl.replace('http', 'ws'),
    apiKey: token as string,
    agent: { id: `matrix-${agentCounter}`, name: 'matrix', version: '1.0.0' },
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    requestTimeoutMs: 20_000,
  });
  clients.push(client);
  return client;
}

/** Through the SDK: connects with the credential and runs `call` as that agent. */
const viaSdk =
  (call: (agent: AgentClient) => Promise<unknown>): Attempt =>
  async (token) =>
    outcomeOf(agentWith(token).then(call));

async function mcpClient(token: string | undefined): Promise<Client> {
  const client = new Client({ name: 'matrix', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: {
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      },
    }),
  );
  return client;
}

/** Through MCP: an unauthenticated client is refused with 401 before any JSON-RPC. */
const viaMcp =
  (call: (client: Client) => Promise<Outcome>): Attempt =>
  async (token) => {
    let client: Client;
    try {
      client = await mcpClient(token);
    } catch (error) {
      if (/401|unauthorized/i.test(String(error))) return 'unauthorized';
      throw error;
    }
    try {
      return await call(client);
    } finally {
      await client.close();
    }
  };

/**
 * An MCP tools/call as an outcome: a refusal is a JSON-RPC error naming the missing grant. With
 * `failsRemotely`, a tool result with `isError` that is neither a refusal nor bad arguments
 * counts as allowed (the call got past every check and failed at the provider).
 */
async function mcpCall(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  options: { failsRemotely?: boolean } = {},
): Promise<Outcome> {
  try {
    const result = await client.callTool({ name, arguments: args });
    if (result.isError !== true) return 'allowed';
    const text = JSON.stringify(result.content);
    if (options.failsRemotely === true && !/E_FORBIDDEN|E_VALIDATION/.test(text)) return 'allowed';
    throw new Error(`${name} failed: ${text}`);
  } catch (error) {
    if (/has no \w+ grant/.test(String(error))) return 'forbidden';
    throw error;
  }
}

beforeAll(async () => {
  // A long token cache: the invalidation tests show that auth.changed, not the TTL, drops it.
  mesh = await createToolMesh();
  const gateway = await mesh.startGateway('gw-a');
  const registry = await mesh.startRegistry({ SB_TOOLS__MCP__TOKEN_CACHE_TTL_MS: '600000' });
  gatewayUrl = `http://127.0.0.1:${gateway.port}`;
  mcpUrl = `http://127.0.0.1:${registry.port}/mcp`;
  const common = { ...mesh.context.env, SB_LOG__LEVEL: 'warn' };
  const a2aPort = await freePort();
  a2aUrl = `http://127.0.0.1:${a2aPort}`;
  services = await Promise.all([
    startMeshService(
      'message-router',
      { ...common, SB_ROUTER__PORT: '0' },
      mesh.context.connections,
    ),
    startMeshService('state', { ...common, SB_STATE__PORT: '0' }, mesh.context.connections),
    startMeshService('task-worker', { ...common, SB_TASKS__PORT: '0' }, mesh.context.connections),
    startMeshService(
      'a2a-peer',
      {
        ...common,
        SB_A2A__PORT: String(a2aPort),
        SB_A2A__PUBLIC_URL: a2aUrl,
        SB_A2A__PEERS__ALLOW_PRIVATE: 'true',
      },
      mesh.context.connections,
    ),
  ]);
  operatorToken = await mesh.key([
    { kind: 'operator', scopes: ['*'] },
    { kind: 'tool', names: ['>'], actions: ['list'] },
  ]);

  // The resources: tools calc.add 1.0.0 and 2.0.0, task type report.daily, peer alpha whose
  // skill is published as tool a2a.alpha.shout.
  const provider = await mesh.agent('gw-a', 'calc-provider');
  for (const version of ['1.0.0', '2.0.0']) {
    await provider.tools.provide(
      { name: 'calc.add', version, inputSchema: { type: 'object' } },
      () => ({ sum: 2 }),
    );
  }
  expect((await http('PUT', '/v1/task-types/report.daily', operatorToken, {})).status).toBe(200);
  remote = await serveAgentCard({ name: 'Alpha', skills: ['shout'] });
  const peer = await http('POST', '/v1/a2a/peers', operatorToken, {
    name: 'alpha',
    url: remote.baseUrl,
    publishTools: true,
  });
  expect(peer.status).toBe(200);
  await waitFor(
    async () =>
      (await http('GET', '/v1/tools/a2a.alpha.shout', operatorToken)).status === 200 || undefined,
    { what: 'the peer tool in the registry' },
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(services.map((service) => service.stop()));
  await remote?.close();
  await mesh?.stop();
});

describe('messaging', () => {
  const orders: Grant[] = [{ kind: 'publish', topics: ['orders.>'] }];
  const messagesWrite: Grant[] = [{ kind: 'operator', scopes: ['messages:write'] }];

  it('publishes to a topic only under a publish grant (SDK and HTTP)', async () => {
    await expectRow(
      orders,
      viaSdk((agent) => agent.publish('orders.eu', { n: 1 })),
    );
    await expectRow(
      orders,
      async (token) =>
        httpOutcome(
          await http('POST', '/v1/messages', token, {
            to: { kind: 'topic', topic: 'orders.eu' },
            payload: { n: 1 },
          }),
        ),
      { base: messagesWrite, anonymous: true },
    );
  });

  it('subscribes only to patterns a subscribe grant covers (SDK)', async () => {
    const grants: Grant[] = [{ kind: 'subscribe', topics: ['orders.>'] }];
    await expectRow(
      grants,
      viaSdk((agent) => agent.subscribe('orders.*')),
    );
    // A grant covers a narrower pattern, never a wider one.
    const { direct } = await credentials(grants);
    await expect(viaSdk((agent) => agent.subscribe('>'))(direct)).resolves.toBe('forbidden');
  });

  it('broadcasts only under a broadcast grant for the capability (SDK and HTTP)', async () => {
    const grants: Grant[] = [{ kind: 'broadcast', capabilities: ['translate.*'] }];
    await expectRow(
      grants,
      viaSdk((agent) => agent.broadcast({ n: 1 }, { capability: 'translate.fr' })),
    );
    await expectRow(
      grants,
      async (token) =>
        httpOutcome(
          await http('POST', '/v1/messages', token, {
            to: { kind: 'broadcast', capability: 'translate.fr' },
            payload: { n: 1 },
          }),
        ),
      { base: messagesWrite },
    );
  });
});

describe('tools', () => {
  const callV1: Grant[] = [
    { kind: 'tool', names: ['calc.*'], versions: '^1', actions: ['list', 'call'] },
  ];

  it('lists, calls and provides tools within the grant’s names and version range (SDK)', async () => {
    await expectRow(
      callV1,
      viaSdk((agent) => agent.tools.call('calc.add', { a: 1 }, { version: '^1' })),
    );
    await expectRow(
      callV1,
      viaSdk(async (agent) => {
        const { items } = await agent.tools.list();
        if (!items.some((tool) => tool.name === 'calc.add'))
          throw new SbError('E_FORBIDDEN', 'calc.add is not listed');
      }),
    );
    await expectRow(
      [{ kind: 'tool', names: ['calc.*'], versions: '^1', actions: ['provide'] }],
      viaSdk((agent) =>
        agent.tools.provide(
          { name: 'calc.mul', version: '1.0.0', inputSchema: { type: 'object' } },
          () => 0,
        ),
      ),
    );
    // Outside the range: 2.0.0 is neither callable nor providable under ^1.
    const { direct } = await credentials(callV1);
    await expect(
      viaSdk((agent) => agent.tools.call('calc.add', { a: 1 }, { version: '^2' }))(direct),
    ).resolves.toBe('forbidden');
    const provideV1 = await credentials([
      { kind: 'tool', names: ['calc.*'], versions: '^1', actions: ['provide'] },
    ]);
    await expect(
      viaSdk((agent) =>
        agent.tools.provide(
          { name: 'calc.mul', version: '2.0.0', inputSchema: { type: 'object' } },
          () => 0,
        ),
      )(provideV1.direct),
    ).resolves.toBe('forbidden');
  });

  it('lists and calls tools over HTTP within the grant', async () => {
    await expectRow(
      callV1,
      async (token) =>
        httpOutcome(
          await http('POST', '/v1/tools/calc.add/call', token, {
            arguments: { a: 1 },
            version: '^1',
          }),
        ),
      { base: [{ kind: 'operator', scopes: ['tools:write'] }], anonymous: true },
    );
    await expectRow(
      callV1,
      async (token) => {
        const answer = await http('GET', '/v1/tools/calc.add', token);
        return httpOutcome(answer);
      },
      { base: [{ kind: 'operator', scopes: ['tools:read'] }] },
    );
  });

  it('lists and calls tools over MCP within the grant', async () => {
    await expectRow(
      callV1,
      viaMcp((client) => mcpCall(client, 'calc.add', { a: 1 })),
      { anonymous: true },
    );
    await expectRow(
      callV1,
      viaMcp(async (client) => {
        const { tools } = await client.listTools();
        return tools.some((tool) => tool.name === 'calc.add') ? 'allowed' : 'forbidden';
      }),
    );
  });
});

describe('state and tasks', () => {
  let keyCounter = 0;
  const freshKey = () => `k${++keyCounter}`;
  const team: Grant[] = [{ kind: 'state', scopes: ['team.>'], access: ['read', 'write'] }];

  it('reads and writes state scopes only under a state grant (SDK and HTTP)', async () => {
    await expectRow(
      team,
      viaSdk((agent) =>
        agent.store.put(freshKey(), { v: 1 }, { scope: 'team.eu', expectedVersion: 0 }),
      ),
    );
    await expectRow(
      team,
      async (token) =>
        httpOutcome(
          await http('PUT', `/v1/state/team.eu/${freshKey()}`, token, {
            document: { v: 1 },
            expectedVersion: 0,
          }),
        ),
      { anonymous: true },
    );
    // Read access alone does not write.
    const readOnly = await credentials([{ kind: 'state', scopes: ['team.>'], access: ['read'] }]);
    const write = await http('PUT', `/v1/state/team.eu/${freshKey()}`, readOnly.direct, {
      document: { v: 1 },
      expectedVersion: 0,
    });
    expect(write.status).toBe(403);
  });

  it('submits tasks only of the types a task grant covers (SDK and HTTP)', async () => {
    const reports: Grant[] = [{ kind: 'task', types: ['report.>'], actions: ['submit'] }];
    await expectRow(
      reports,
      viaSdk((agent) => agent.tasks.submit('report.daily', { day: 1 })),
    );
    await expectRow(
      reports,
      async (token) =>
        httpOutcome(await http('POST', '/v1/tasks', token, { type: 'report.daily', input: {} })),
      { base: [{ kind: 'operator', scopes: ['tasks:write'] }], anonymous: true },
    );
  });
});

describe('A2A peers', () => {
  const alpha: Grant[] = [{ kind: 'a2a', peers: ['alpha'] }];

  it('sends to a2a:<peer> only under an a2a grant for the peer (SDK)', async () => {
    await expectRow(
      alpha,
      viaSdk((agent) => agent.sendTo('a2a:alpha', 'hello')),
    );
  });

  it('answers inbound A2A calls only with a credential (no grant: they reach published agents)', async () => {
    const inbound = (token: string | undefined) =>
      fetch(`${a2aUrl}/jsonrpc`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'none' } }),
      });
    expect((await inbound(undefined)).status).toBe(401);
    const answer = await inbound(await createKey({}));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ jsonrpc: '2.0', id: 1 });
  });

  it('calls a tool published from a peer over MCP only under an a2a grant too', async () => {
    // The card server answers no A2A call: past the grants, the call fails at the remote end,
    // which is not a refusal.
    await expectRow(
      alpha,
      viaMcp((client) =>
        mcpCall(client, 'a2a.alpha.shout', { text: 'hi' }, { failsRemotely: true }),
      ),
      { base: [{ kind: 'tool', names: ['a2a.>'], actions: ['list', 'call'] }] },
    );
  });
});

describe('operator scopes', () => {
  it('opens each operator route only to its scope (HTTP, as the CLI calls it)', async () => {
    const routes: Array<[string, string, Grant[]]> = [
      ['GET', '/v1/agents', [{ kind: 'operator', scopes: ['agents:read'] }]],
      ['GET', '/v1/keys', [{ kind: 'operator', scopes: ['keys:read'] }]],
      ['GET', '/v1/tasks', [{ kind: 'operator', scopes: ['tasks:read'] }]],
      ['GET', '/v1/a2a/peers', [{ kind: 'operator', scopes: ['peers:read'] }]],
      ['GET', '/v1/messages', [{ kind: 'operator', scopes: ['messages:read'] }]],
      ['GET', '/v1/security/events', [{ kind: 'operator', scopes: ['security:read'] }]],
    ];
    for (const [method, path, grants] of routes) {
      await expectRow(grants, async (token) => httpOutcome(await http(method, path, token)), {
        anonymous: true,
      });
    }
  });
});

describe('cached decisions', () => {
  it('refuses the next MCP call once the key is revoked, long before the token cache TTL', async () => {
    const token = await createKey({
      grants: [{ kind: 'tool', names: ['calc.*'], actions: ['call'] }],
    });
    const client = await mcpClient(token);
    expect(await mcpCall(client, 'calc.add', { a: 1 })).toBe('allowed');
    const keyId = token.split('_')[1] as string;
    expect((await http('DELETE', `/v1/keys/${keyId}`, operatorToken)).status).toBe(200);
    await waitFor(
      async () =>
        (await mcpClient(token).then(
          (c) => c.close().then(() => false),
          (error: unknown) => /401|unauthorized/i.test(String(error)),
        )) || undefined,
      { what: 'the revoked key refused by /mcp' },
    );
    await client.close().catch(() => undefined);
  });

  it('applies a changed role to the next call on every path, without waiting for a TTL', async () => {
    const role = 'matrix-changing';
    const granted: Grant[] = [
      { kind: 'tool', names: ['calc.*'], actions: ['list', 'call'] },
      { kind: 'publish', topics: ['orders.>'] },
      { kind: 'operator', scopes: ['tools:write', 'messages:write'] },
    ];
    await defineRole(role, granted);
    const token = await createKey({ roles: [role] });
    const agent = await agentWith(token);
    const mcp = async () => {
      const client = await mcpClient(token);
      try {
        return await mcpCall(client, 'calc.add', { a: 1 });
      } finally {
        await client.close();
      }
    };
    const httpCall = async () =>
      httpOutcome(await http('POST', '/v1/tools/calc.add/call', token, { arguments: { a: 1 } }));
    expect(await mcp()).toBe('allowed');
    expect(await httpCall()).toBe('allowed');
    expect(await outcomeOf(agent.publish('orders.eu', {}))).toBe('allowed');

    await defineRole(
      role,
      granted.filter((grant) => grant.kind === 'operator'),
    );
    // The gateway reads roles on every request: HTTP sees the change at once.
    expect(await httpCall()).toBe('forbidden');
    // The registry's token cache and decisions drop on auth.changed; the agent is reconnected.
    await waitFor(async () => (await mcp()) === 'forbidden' || undefined, {
      what: 'the MCP call refused after the role change',
    });
    await waitFor(
      async () =>
        (await outcomeOf(agent.publish('orders.eu', {})).catch(() => undefined)) === 'forbidden' ||
        undefined,
      { what: 'the agent refused after the role change' },
    );
  });
});
