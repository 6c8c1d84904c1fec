import { createAgentKey, type ServiceProcess, spawnService, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredAgent, type TestAgent } from '../test/agent-client.ts';
import { type OperatorGateway, startOperatorGateway } from './test-operator.ts';

// /v1/tools through a real tool registry, with a tool a raw WebSocket agent provides: it
// registers with a `tools.register` frame and answers each `tool.call` with a `tool.result`.

let gateway: OperatorGateway;
let registry: ServiceProcess | undefined;
let provider: TestAgent | undefined;

beforeAll(async () => {
  gateway = await startOperatorGateway();
  registry = await spawnService('tool-registry', {
    ...gateway.context.env,
    SB_TOOLS__PORT: '0',
    SB_TOOLS__AUDIT__FLUSH_INTERVAL_MS: '20',
  });
  const token = await createAgentKey(gateway.port, gateway.adminToken, [
    { kind: 'tool', names: ['>'], actions: ['provide'] },
  ]);
  const agent = await registeredAgent(gateway.port, token, 'route-provider');
  provider = agent;
  agent.socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as {
      type: string;
      callId?: string;
      arguments?: { who?: string };
    };
    if (frame.type !== 'tool.call') return;
    agent.send({
      v: 1,
      id: `r-${frame.callId}`,
      type: 'tool.result',
      callId: frame.callId,
      result: `hello ${frame.arguments?.who}`,
    });
  });
  agent.send({
    v: 1,
    id: 'register-tools',
    type: 'tools.register',
    tools: [
      {
        name: 'route.greet',
        version: '1.0.0',
        description: 'Greets someone by name',
        inputSchema: {
          type: 'object',
          properties: { who: { type: 'string' }, token: { type: 'string' } },
          required: ['who'],
        },
        tags: ['social'],
      },
    ],
  });
  const registered = await agent.next(['result', 'error'], 'register-tools');
  expect(registered).toMatchObject({
    type: 'result',
    result: { items: [{ name: 'route.greet', outcome: 'created' }] },
  });
}, 60_000);
afterAll(async () => {
  provider?.socket.close();
  await registry?.stop();
  await gateway?.stop();
});

const admin = () => ({ token: gateway.adminToken });

describe('/v1/tools', () => {
  it('lists, shows, searches and pages versions of tools', async () => {
    const listed = await gateway.call('GET', '/v1/tools', admin());
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((item: { name: string }) => item.name)).toEqual(['route.greet']);
    const shown = await gateway.call('GET', '/v1/tools/route.greet?version=%5E1', admin());
    expect(shown.json()).toMatchObject({ name: 'route.greet', version: '1.0.0', status: 'active' });
    const versions = await gateway.call('GET', '/v1/tools/route.greet/versions', admin());
    expect(versions.json().items).toHaveLength(1);
    const found = await gateway.call('GET', '/v1/tools/search?q=greet%20someone', admin());
    expect(found.json().items[0].tool.name).toBe('route.greet');
    const missing = await gateway.call('GET', '/v1/tools/route.nothing', admin());
    expect(missing.statusCode).toBe(404);
  });

  it('calls a tool, refusing bad arguments as a problem naming the path', async () => {
    const called = await gateway.call('POST', '/v1/tools/route.greet/call', {
      ...admin(),
      body: { arguments: { who: 'Ada', token: 's3cret' } },
    });
    expect(called.statusCode).toBe(200);
    expect(called.json()).toEqual({ name: 'route.greet', version: '1.0.0', result: 'hello Ada' });
    const bad = await gateway.call('POST', '/v1/tools/route.greet/call', {
      ...admin(),
      body: { arguments: {} },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'E_VALIDATION', details: { path: '/who' } });
  });

  it('exports the audit trail as JSON lines with secrets masked', async () => {
    await waitFor(async () => {
      const page = await gateway.call('GET', '/v1/tools/audit?name=route.greet', admin());
      return page.json().items.length === 2;
    });
    const exported = await gateway.call('GET', '/v1/tools/audit/export?name=route.greet', admin());
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toContain('application/x-ndjson');
    const lines = exported.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.outcome)).toEqual(['refused', 'ok']);
    expect(lines[1].arguments).toEqual({ who: 'Ada', token: '[redacted]' });
    const figures = await gateway.call('GET', '/v1/tools/figures?name=route.greet', admin());
    expect(figures.json().items[0]).toMatchObject({ calls: 1, health: 'healthy' });
  });

  it('needs tools:read to look and tools:write to call', async () => {
    const created = await gateway.call('POST', '/v1/keys', {
      ...admin(),
      body: { name: 'observer', roles: ['observer'] },
    });
    const observer = { token: created.json().token as string };
    // tools:read without any tool grant: the registry shows nothing.
    const listed = await gateway.call('GET', '/v1/tools', observer);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toEqual([]);
    const call = await gateway.call('POST', '/v1/tools/route.greet/call', {
      ...observer,
      body: { arguments: { who: 'x' } },
    });
    expect(call.statusCode).toBe(403);
  });
});
