import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ServiceProcess } from '@switchboard/testing';
import { createTestContext, type TestContext, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './client.ts';
import { connect } from './connect.ts';
import {
  browserStyleWebSocket,
  countingWebSocket,
  createTestAuth,
  recordEvents,
  startGateway,
  type TestAuth,
} from './test-gateway.ts';

let context: TestContext;
let auth: TestAuth;
let gateway: ServiceProcess;
let url: string;
let anyAgent: string;
const suffix = Math.random().toString(16).slice(2, 8);
const agent = (id: string) => ({ id: `${id}-${suffix}`, name: id, version: '1.0.0' });

beforeAll(async () => {
  context = await createTestContext();
  auth = await createTestAuth();
  gateway = await startGateway(context, auth);
  url = `ws://127.0.0.1:${gateway.port}`;
  anyAgent = await auth.sign('operator', ['*']);
});
afterAll(async () => {
  await gateway?.stop();
  await context?.cleanup();
});

describe('connect', () => {
  it('registers the agent and resolves with its agent and connection ids', async () => {
    const client = await connect({
      url,
      token: anyAgent,
      agent: { ...agent('planner'), capabilities: [{ name: 'plan' }], labels: { team: 'ops' } },
    });
    try {
      expect(client.state).toBe('connected');
      expect(client.agentId).toBe(`planner-${suffix}`);
      expect(client.connectionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(client.gatewayId).not.toBe('');
    } finally {
      await client.close();
    }
  });

  it('uses the one agent id a credential is bound to when the agent names none', async () => {
    const token = await auth.sign('solo', [`solo-${suffix}`]);
    const client = await connect({ url, apiKey: token, agent: { name: 'Solo', version: '1' } });
    expect(client.agentId).toBe(`solo-${suffix}`);
    await client.close();
  });

  it("rejects a bad credential with E_UNAUTHORIZED and the gateway's reason, without retrying", async () => {
    const counting = countingWebSocket();
    const attempt = connect({
      url,
      token: 'not-a-jwt',
      agent: agent('intruder'),
      WebSocket: counting.WebSocket,
    });
    await expect(attempt).rejects.toMatchObject({
      name: 'SbError',
      code: 'E_UNAUTHORIZED',
      message: expect.stringContaining('HTTP 401'),
      details: { status: 401 },
    });
    await expect(attempt).rejects.toThrow(/the JWT is malformed/);
    expect(counting.opened()).toBe(1);
  });

  it('rejects an agent id the credential is not bound to with E_FORBIDDEN', async () => {
    const counting = countingWebSocket();
    const token = await auth.sign('bound', [`only-me-${suffix}`]);
    await expect(
      connect({ url, token, agent: agent('someone-else'), WebSocket: counting.WebSocket }),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    expect(counting.opened()).toBe(1);
  });

  it('lets the newer connection of an agent win: the older client stops for good', async () => {
    const first = await connect({ url, token: anyAgent, agent: agent('twin') });
    const events = recordEvents(first);
    const second = await connect({ url, token: anyAgent, agent: agent('twin') });
    await waitFor(() => first.state === 'closed', { what: 'the first client to close' });
    expect(events).toEqual([
      {
        event: 'disconnected',
        payload: {
          code: 4001,
          reason: 'replaced by a newer connection of the same agent',
          willReconnect: false,
        },
      },
    ]);
    expect(second.state).toBe('connected');
    await first.close();
    await second.close();
  });

  it('closes cleanly with 1000, once, and does not reconnect', async () => {
    const client = await connect({ url, token: anyAgent, agent: agent('leaving') });
    const events = recordEvents(client);
    const closing = client.close();
    expect(client.state).toBe('closed');
    await closing;
    await client.close();
    expect(events).toEqual([
      {
        event: 'disconnected',
        payload: { code: 1000, reason: 'the agent closed its connection', willReconnect: false },
      },
    ]);
    expect(client.state).toBe('closed');
  });

  it('sends the token as a subprotocol from a WebSocket without header support', async () => {
    const browser = browserStyleWebSocket();
    const client = await connect({
      url: `http://127.0.0.1:${gateway.port}/`,
      token: anyAgent,
      agent: agent('browser'),
      WebSocket: browser.WebSocket,
    });
    try {
      expect(browser.constructed).toEqual([
        {
          url: `ws://127.0.0.1:${gateway.port}/v1/connect`,
          protocols: ['sb.v1', `sb.bearer.${anyAgent}`],
          argumentCount: 2,
        },
      ]);
      expect(browser.sent.map((frame) => frame.type)).toEqual(['hello', 'register']);
      expect(browser.received.map((frame) => frame.type)).toEqual(['welcome', 'result']);
      expect(client.agentId).toBe(`browser-${suffix}`);
    } finally {
      await client.close();
    }
  });
});

describe('requests', () => {
  it("resolve with the gateway's result, or reject with its error code or a timeout", async () => {
    const client = await connect({ url, token: anyAgent, agent: agent('asker') });
    if (!(client instanceof Client)) throw new Error('connect() returns a Client');
    const again = await client.requestFrame({
      type: 'register',
      agent: { ...agent('asker'), capabilities: [], labels: {} },
    });
    expect(again).toMatchObject({
      type: 'result',
      result: { agentId: `asker-${suffix}`, connectionId: client.connectionId },
    });
    await expect(
      client.requestFrame({
        type: 'register',
        agent: { ...agent('other'), capabilities: [], labels: {} },
      }),
    ).rejects.toMatchObject({ code: 'E_CONFLICT' });
    // The gateway answers nothing to a pong: the request times out.
    await expect(
      client.requestFrame({ type: 'pong', re: 'nothing' }, { timeoutMs: 100 }),
    ).rejects.toMatchObject({ code: 'E_TIMEOUT' });
    await client.close();
    await expect(client.requestFrame({ type: 'ping' })).rejects.toMatchObject({
      code: 'E_UNAVAILABLE',
    });
  });
});

describe('the example agent (docs/sdk.md)', () => {
  it('registers, and closes cleanly on Ctrl-C', async () => {
    const example = fileURLToPath(new URL('../examples/hello-agent.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', example], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        PATH: process.env.PATH ?? '',
        SB_URL: url,
        SB_API_KEY: anyAgent,
        SB_AGENT_ID: `example-${suffix}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = once(child, 'exit');
    try {
      await waitFor(() => output.includes(`registered as example-${suffix}`), {
        what: 'the example to register',
      });
      child.kill('SIGINT');
      expect(await exited).toEqual([0, null]);
      expect(output).toContain('disconnected (1000 the agent closed its connection)\n');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
