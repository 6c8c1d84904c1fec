import { mintApiKey } from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import type { Database } from '@switchboard/db';
import { AgentConnectedEventSchema, AgentDisconnectedEventSchema } from '@switchboard/protocol';
import type { Service } from '@switchboard/service';
import {
  connectTestBus,
  createDatabaseTestContext,
  type DatabaseTestContext,
  type TestContext,
  testInfra,
  waitFor,
} from '@switchboard/testing';
import { Redis } from 'ioredis';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentStore } from '../db/agent-store.ts';
import { type ApiKeyStore, createApiKeyStore } from '../db/api-key-store.ts';
import { agentOf, connectAgent } from '../test/agent-client.ts';
import { startTestGateway } from '../test/start-gateway.ts';

let world: DatabaseTestContext | undefined;
let context: TestContext;
let database: Database;
let keys: ApiKeyStore;
let bus: Bus;
let redis: Redis;
let gateway: Service;
let port: number;
let token: string;
let signer: Awaited<ReturnType<typeof generateKeyPair>>;
const bootstrap = mintApiKey();
const events: Array<{ subject: string; payload: unknown }> = [];

async function startGateway(extraEnv: Record<string, string> = {}) {
  return startTestGateway(context, `gw-${Math.random().toString(16).slice(2, 8)}`, {
    SB_GATEWAY__ALLOWED_ORIGINS: 'https://console.example',
    SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: bootstrap.sha256,
    SB_GATEWAY__AUTH__JWT__ISSUER: 'https://idp.example',
    SB_GATEWAY__AUTH__JWT__AUDIENCE: 'switchboard',
    SB_GATEWAY__AUTH__JWT__PUBLIC_KEYS: await exportSPKI(signer.publicKey),
    SB_GATEWAY__CONNECTIONS__MAX_BAD_FRAMES: '10',
    ...extraEnv,
  });
}

beforeAll(async () => {
  world = await createDatabaseTestContext('test', { poolMax: 2, connectTimeoutMs: 2000 });
  ({ context, database } = world);
  signer = await generateKeyPair('ES256');
  keys = createApiKeyStore(database);
  bus = await connectTestBus(context.namespace);
  redis = new Redis(testInfra.redisUrl);
  ({ service: gateway, port } = await startGateway());
  for (const [event, schema] of [
    ['connected', AgentConnectedEventSchema],
    ['disconnected', AgentDisconnectedEventSchema],
  ] as const) {
    await bus.consumeEvents({
      filterSubject: bus.subjects.event('agent', event),
      schema,
      handler: async (received) => void events.push({ subject: event, payload: received.payload }),
    });
  }
  ({ token } = await keys.create({
    name: 'agents',
    agentIds: ['*'],
    roles: ['agent'],
    grants: [],
    createdBy: 'test',
  }));
});
afterAll(async () => {
  await gateway?.stop();
  await bus?.close();
  redis?.disconnect();
  await world?.cleanup();
});

describe('the agent handshake', () => {
  it('refuses every bad credential before the upgrade', async () => {
    const revoked = await keys.create({
      name: 'old',
      agentIds: ['*'],
      roles: [],
      grants: [],
      createdBy: 'test',
    });
    await keys.revoke(revoked.record.id);
    const expiredJwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('a1')
      .setIssuer('https://idp.example')
      .setAudience('switchboard')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(signer.privateKey);
    const wrongAudience = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('a1')
      .setIssuer('https://idp.example')
      .setAudience('elsewhere')
      .setExpirationTime('5m')
      .sign(signer.privateKey);
    const cases: Array<[Parameters<typeof connectAgent>[1], number, string]> = [
      [{}, 401, 'no credentials'],
      [{ token: mintApiKey().token }, 401, 'unknown API key'],
      [{ token: revoked.token }, 401, 'was revoked'],
      [{ token: expiredJwt }, 401, 'the JWT has expired'],
      [{ token: wrongAudience }, 401, "the JWT's aud claim"],
      [
        { token, origin: 'https://evil.example' },
        403,
        'origin https://evil.example is not allowed',
      ],
      [{ token, query: `?token=${token}` }, 401, 'credentials in the URL'],
    ];
    for (const [options, status, detail] of cases) {
      const attempt = await connectAgent(port, options);
      expect(attempt).toMatchObject({ status });
      expect('body' in attempt ? JSON.parse(attempt.body) : undefined).toMatchObject({
        status,
        detail: expect.stringContaining(detail),
      });
    }
  });

  it('registers an agent: catalog row, presence and an event', async () => {
    const agent = agentOf(await connectAgent(port, { token }));
    expect(agent.socket.protocol).toBe('sb.v1');
    const reply = await agent.handshake({
      id: 'planner-1',
      name: 'Planner',
      version: '1.0.0',
      capabilities: [{ name: 'plan' }],
      labels: { team: 'ops' },
    });
    expect(reply).toMatchObject({ type: 'result', result: { agentId: 'planner-1' } });
    const connectionId = (reply.result as { connectionId: string }).connectionId;

    const row = await createAgentStore(database).get('planner-1');
    expect(row).toMatchObject({
      name: 'Planner',
      connected: true,
      connectionId,
      labels: { team: 'ops' },
    });
    const presence = await redis.get(`${context.namespace}:presence:agent:planner-1`);
    expect(JSON.parse(presence ?? '{}')).toMatchObject({ connectionId });
    await waitFor(() =>
      events.some(
        (event) =>
          event.subject === 'connected' &&
          (event.payload as { connectionId: string }).connectionId === connectionId,
      ),
    );

    agent.socket.close(1000);
    await waitFor(
      async () => (await createAgentStore(database).get('planner-1'))?.connected === false,
      { what: 'the agent marked disconnected' },
    );
    expect(await redis.get(`${context.namespace}:presence:agent:planner-1`)).toBeNull();
    await waitFor(() =>
      events.some(
        (event) =>
          event.subject === 'disconnected' &&
          (event.payload as { reason: string; connectionId: string }).connectionId === connectionId,
      ),
    );
  });

  it('accepts a browser-style subprotocol token and echoes only sb.v1', async () => {
    const agent = agentOf(
      await connectAgent(port, {
        protocols: ['sb.v1', `sb.bearer.${token}`],
        origin: 'https://console.example',
      }),
    );
    expect(agent.socket.protocol).toBe('sb.v1');
    expect(await agent.handshake({ id: 'browser-1', name: 'B', version: '1' })).toMatchObject({
      type: 'result',
    });
    agent.socket.close();
  });

  it('refuses a registration for an agent id the credential is not bound to', async () => {
    const bound = await keys.create({
      name: 'one',
      agentIds: ['only-me'],
      roles: [],
      grants: [],
      createdBy: 'test',
    });
    const agent = agentOf(await connectAgent(port, { token: bound.token }));
    expect(await agent.handshake({ id: 'someone-else', name: 'x', version: '1' })).toMatchObject({
      type: 'error',
      error: { code: 'E_FORBIDDEN' },
    });
    expect(await agent.handshake({ name: 'me', version: '1' })).toMatchObject({
      result: { agentId: 'only-me' },
    });
    agent.socket.close();
  });

  it('lets the newer connection of an agent win and closes the older with a reason', async () => {
    const first = agentOf(await connectAgent(port, { token }));
    await first.handshake({ id: 'twin', name: 'T', version: '1' });
    const second = agentOf(await connectAgent(port, { token }));
    const reply = await second.handshake({ id: 'twin', name: 'T', version: '2' });
    expect(await first.closed).toEqual({
      code: 4001,
      reason: 'replaced by a newer connection of the same agent',
    });
    const row = await createAgentStore(database).get('twin');
    expect(row).toMatchObject({
      connected: true,
      version: '2',
      connectionId: (reply.result as { connectionId: string }).connectionId,
    });
    second.socket.close();
  });
});

describe('bad input on a connection', () => {
  it('answers garbage with error frames naming the frame, and keeps the connection', async () => {
    const agent = agentOf(await connectAgent(port, { token }));
    await agent.handshake({ id: 'sturdy', name: 'S', version: '1' });
    agent.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]), { binary: true });
    expect(await agent.next('error')).toMatchObject({ re: null, error: { code: 'E_VALIDATION' } });
    agent.send('{"v":1,"type":"ping","id":"t1"');
    expect(await agent.next('error')).toMatchObject({ re: null, error: { code: 'E_VALIDATION' } });
    agent.send(
      `{"v":1,"type":"register","id":"deep","agent":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    );
    expect(await agent.next('error', 'deep')).toMatchObject({ error: { code: 'E_VALIDATION' } });
    agent.send({ v: 1, type: 'register', id: 'types', agent: { name: 5, version: [] } });
    expect(await agent.next('error', 'types')).toMatchObject({ error: { code: 'E_VALIDATION' } });
    agent.send({ v: 1, type: 'warp', id: 'w1' });
    expect(await agent.next('error', 'w1')).toMatchObject({ error: { code: 'E_UNKNOWN_FRAME' } });
    agent.send({ v: 9, type: 'ping', id: 'v9' });
    expect(await agent.next('error', 'v9')).toMatchObject({
      error: { code: 'E_UNSUPPORTED_VERSION' },
    });
    agent.send({ v: 1, type: 'ping', id: 'big', pad: 'x'.repeat(600 * 1024) });
    expect(await agent.next('error', 'big')).toMatchObject({
      error: { code: 'E_PAYLOAD_TOO_LARGE' },
    });
    agent.send({ v: 1, type: 'ping', id: 'still-here' });
    expect(await agent.next('pong', 'still-here')).toMatchObject({ type: 'pong' });
    agent.socket.close();
  });

  it('closes a connection that sends a frame over the frame limit with 1009, and serves others', async () => {
    const bystander = agentOf(await connectAgent(port, { token }));
    await bystander.handshake({ id: 'bystander', name: 'B', version: '1' });
    const agent = agentOf(await connectAgent(port, { token }));
    agent.send('x'.repeat(2 * 1024 * 1024));
    expect(await agent.closed).toEqual({ code: 1009, reason: 'E_PAYLOAD_TOO_LARGE' });
    bystander.send({ v: 1, type: 'ping', id: 'alive' });
    expect(await bystander.next('pong', 'alive')).toBeDefined();
    bystander.socket.close();
  });

  it('closes a connection after too many malformed frames in a row', async () => {
    const agent = agentOf(await connectAgent(port, { token }));
    for (let index = 0; index < 10; index++) agent.send('not json');
    expect(await agent.closed).toEqual({ code: 4003, reason: 'too many malformed frames' });
  });

  it('says hello first, and names versions it cannot speak', async () => {
    const agent = agentOf(await connectAgent(port, { token }));
    agent.send({ v: 1, type: 'register', id: 'early', agent: { name: 'a', version: '1' } });
    expect(await agent.next('error', 'early')).toMatchObject({
      error: { message: 'send hello before register' },
    });
    agent.send({ v: 1, type: 'hello', id: 'h9', versions: [9] });
    expect(await agent.next('error', 'h9')).toMatchObject({
      error: { code: 'E_UNSUPPORTED_VERSION' },
    });
    agent.socket.close();
  });
});

describe('auth.resolve', () => {
  it('resolves a key for another service and refuses a revoked one', async () => {
    const { AuthResolveRpc } = await import('@switchboard/authz');
    const subject = bus.subjects.rpc('gateway', 'auth.resolve');
    const created = await keys.create({
      name: 'mcp',
      agentIds: [],
      roles: ['observer'],
      grants: [],
      createdBy: 'test',
    });
    const principal = await bus.request(subject, AuthResolveRpc, { token: created.token });
    expect(principal).toMatchObject({ id: `key:${created.record.id}`, roles: ['observer'] });
    await keys.revoke(created.record.id);
    await expect(
      bus.request(subject, AuthResolveRpc, { token: created.token }),
    ).rejects.toMatchObject({ code: 'E_UNAUTHORIZED' });
  });
});

describe('heartbeats', () => {
  it('drops a client that stops answering, and marks its agent disconnected', async () => {
    const quick = await startGateway({
      SB_GATEWAY__CONNECTIONS__HEARTBEAT_INTERVAL_MS: '50',
      SB_GATEWAY__CONNECTIONS__HEARTBEAT_TIMEOUT_MS: '200',
    });
    try {
      const agent = agentOf(await connectAgent(quick.port, { token }));
      await agent.handshake({ id: 'sleepy', name: 'S', version: '1' });
      // The test client never answers pings: the gateway must give up on it.
      expect((await agent.closed).code).toBe(1006);
      await waitFor(
        async () =>
          (await createAgentStore(database).get('sleepy'))?.disconnectReason ===
          'heartbeat_timeout',
      );
    } finally {
      await quick.service.stop();
    }
  });

  it('closes connections when the gateway stops, marking agents disconnected', async () => {
    const other = await startGateway();
    const agent = agentOf(await connectAgent(other.port, { token }));
    await agent.handshake({ id: 'leaving', name: 'L', version: '1' });
    await other.service.stop();
    expect((await agent.closed).code).toBe(1001);
    expect(await createAgentStore(database).get('leaving')).toMatchObject({
      connected: false,
      disconnectReason: 'gateway_stopped',
    });
  });
});
