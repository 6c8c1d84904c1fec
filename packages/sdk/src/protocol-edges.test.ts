import { waitFor } from '@switchboard/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from './connect.ts';
import type { SdkLogger } from './logger.ts';
import { browserStyleWebSocket, recordEvents } from './test-gateway.ts';
import {
  type Script,
  type ScriptedGateway,
  startScriptedGateway,
} from './test-scripted-gateway.ts';

const agent = { id: 'edge-agent', name: 'Edge', version: '1' };
const fast = { reconnect: { initialDelayMs: 5, maxDelayMs: 20 } };
const gateways: ScriptedGateway[] = [];

async function scripted(script: Script = {}, port?: number): Promise<ScriptedGateway> {
  const gateway = await startScriptedGateway(script, port);
  gateways.push(gateway);
  return gateway;
}

function problem(code: string, detail: string): string {
  return JSON.stringify({ type: 'about:blank', title: code, status: 0, detail, code });
}

function collectingLogger(): SdkLogger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (_fields: Record<string, unknown>, message: string) =>
    void lines.push({ level, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
});

describe('the first connection', () => {
  it('keeps trying while the gateway is unavailable, waiting as long as it asks', async () => {
    const gateway = await scripted({
      refuse: (attempt) =>
        attempt === 1
          ? {
              status: 503,
              body: problem('E_UNAVAILABLE', 'starting'),
              headers: { 'retry-after': '0' },
            }
          : undefined,
    });
    const client = await connect({ url: gateway.url, token: 't', agent, ...fast });
    expect(gateway.attempts()).toBe(2);
    expect(client.connectionId).toBe('connection-2');
    await client.close();
  });

  it('gives up after connectTimeoutMs when nothing listens', async () => {
    const gone = await scripted();
    await gone.close();
    gateways.length = 0;
    await expect(
      connect({ url: gone.url, token: 't', agent, connectTimeoutMs: 100, ...fast }),
    ).rejects.toMatchObject({ code: 'E_UNAVAILABLE', message: expect.stringContaining(gone.url) });
  });

  it('times out a handshake the gateway never finishes', async () => {
    const gateway = await scripted({ onFrame: () => true });
    await expect(
      connect({
        url: gateway.url,
        token: 't',
        agent,
        handshakeTimeoutMs: 50,
        connectTimeoutMs: 120,
        ...fast,
      }),
    ).rejects.toMatchObject({ code: 'E_TIMEOUT', message: 'connecting took longer than 50 ms' });
    expect(gateway.attempts()).toBeGreaterThan(1);
  });

  it('fails at once when the gateway speaks none of its protocol versions', async () => {
    const gateway = await scripted({
      onFrame: (connection, frame) => {
        connection.send({
          v: 1,
          type: 'error',
          id: 'e1',
          re: frame.id,
          error: { code: 'E_UNSUPPORTED_VERSION', message: 'this gateway speaks 2' },
        });
        return true;
      },
    });
    await expect(connect({ url: gateway.url, token: 't', agent, ...fast })).rejects.toMatchObject({
      code: 'E_UNSUPPORTED_VERSION',
      message: 'this gateway speaks 2',
    });
    expect(gateway.attempts()).toBe(1);
  });

  it('refuses a server that does not agree to the sb.v1 subprotocol', async () => {
    const gateway = await scripted({ protocol: 'other' });
    const browser = browserStyleWebSocket();
    await expect(
      connect({
        url: gateway.url,
        token: 't',
        agent,
        WebSocket: browser.WebSocket,
        connectTimeoutMs: 50,
        ...fast,
      }),
    ).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
  });

  it('rejects a register answer without an agent id', async () => {
    const gateway = await scripted({
      onFrame: (connection, frame) => {
        if (frame.type !== 'register') return false;
        connection.send({ v: 1, type: 'result', id: 'r', re: frame.id, result: {} });
        return true;
      },
    });
    await expect(
      connect({ url: gateway.url, token: 't', agent, connectTimeoutMs: 50, ...fast }),
    ).rejects.toMatchObject({
      code: 'E_INTERNAL',
      message: 'the gateway answered register without an agent id',
    });
  });

  it('stops when its signal aborts, before or during connecting', async () => {
    const gateway = await scripted({ onFrame: () => true });
    await expect(
      connect({ url: gateway.url, token: 't', agent, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'E_UNAVAILABLE', message: 'the connect signal was aborted' });
    const controller = new AbortController();
    const attempt = connect({ url: gateway.url, token: 't', agent, signal: controller.signal });
    await waitFor(() => gateway.connections.length === 1);
    controller.abort();
    await expect(attempt).rejects.toMatchObject({ message: 'the connect signal was aborted' });
  });

  it('asks a token function for a fresh token before every attempt', async () => {
    const gateway = await scripted({
      refuse: (attempt) => (attempt === 1 ? { status: 502 } : undefined),
    });
    const browser = browserStyleWebSocket();
    let issued = 0;
    const client = await connect({
      url: gateway.url,
      token: async () => `token-${++issued}`,
      agent,
      WebSocket: browser.WebSocket,
      ...fast,
    });
    expect(browser.constructed.map((socket) => socket.protocols[1])).toEqual([
      'sb.bearer.token-1',
      'sb.bearer.token-2',
    ]);
    await client.close();
  });

  it('refuses a token that cannot travel as a subprotocol, without quoting it', async () => {
    const gateway = await scripted();
    const attempt = connect({
      url: gateway.url,
      token: 'not a token',
      agent,
      WebSocket: browserStyleWebSocket().WebSocket,
    });
    await expect(attempt).rejects.toMatchObject({ code: 'E_VALIDATION' });
    await expect(attempt).rejects.not.toThrow(/not a token/);
    expect(gateway.attempts()).toBe(0);
  });

  it('refuses a token function that returns no token', async () => {
    const gateway = await scripted();
    await expect(
      connect({ url: gateway.url, token: () => '', agent, ...fast }),
    ).rejects.toMatchObject({ code: 'E_UNAUTHORIZED' });
    expect(gateway.attempts()).toBe(0);
  });
});

describe('a connected client', () => {
  it('reports error frames that answer no request, and ignores frames it does not know', async () => {
    const gateway = await scripted();
    const log = collectingLogger();
    const client = await connect({ url: gateway.url, token: 't', agent, log });
    const events = recordEvents(client);
    const [connection] = gateway.connections;
    if (connection === undefined) throw new Error('no connection');
    connection.send({ v: 1, type: 'teleport', id: 'x1' });
    connection.socket.send(Buffer.from([1, 2, 3]));
    connection.socket.send('not json');
    connection.send({
      v: 1,
      type: 'error',
      id: 'e9',
      re: null,
      error: { code: 'E_RATE_LIMITED', message: 'slow down', retryAfterMs: 250 },
    });
    await waitFor(() => events.length > 0);
    expect(events).toEqual([{ event: 'error', payload: { error: expect.any(Error) } }]);
    const reported = events[0]?.payload as { error: { code: string; details: unknown } };
    expect(reported.error).toMatchObject({
      code: 'E_RATE_LIMITED',
      details: { retryAfterMs: 250 },
    });
    connection.send({ v: 1, type: 'ping', id: 'still-there' });
    await waitFor(() => connection.received.some((frame) => frame.re === 'still-there'));
    expect(client.state).toBe('connected');
    expect(log.lines.filter((line) => line.level === 'debug').length).toBe(3);
    await client.close();
  });

  it('stops for good when the gateway says the credential was revoked (4005)', async () => {
    const gateway = await scripted();
    const client = await connect({ url: gateway.url, token: 't', agent, ...fast });
    const events = recordEvents(client);
    gateway.connections[0]?.socket.close(4005, 'the credential was revoked');
    await waitFor(() => client.state === 'closed');
    expect(events).toEqual([
      {
        event: 'disconnected',
        payload: { code: 4005, reason: 'the credential was revoked', willReconnect: false },
      },
      { event: 'error', payload: { error: expect.objectContaining({ code: 'E_UNAUTHORIZED' }) } },
    ]);
    expect(gateway.attempts()).toBe(1);
  });

  it('reconnects after the gateway goes away, and stops when the credential is refused', async () => {
    const gateway = await scripted({
      refuse: (attempt) =>
        attempt >= 3 ? { status: 401, body: problem('E_UNAUTHORIZED', 'key revoked') } : undefined,
    });
    const client = await connect({ url: gateway.url, token: 't', agent, ...fast });
    const events = recordEvents(client);
    gateway.connections[0]?.socket.close(1001, 'the gateway is stopping; reconnect');
    await waitFor(() => client.state === 'connected' && client.connectionId === 'connection-2');
    gateway.connections[1]?.socket.close(1001, 'again');
    await waitFor(() => client.state === 'closed', { what: 'the refusal to end the client' });
    expect(events.map((entry) => entry.event)).toEqual([
      'disconnected',
      'reconnecting',
      'connected',
      'disconnected',
      'reconnecting',
      'error',
    ]);
    expect(events.at(-1)).toMatchObject({
      payload: {
        error: { code: 'E_UNAUTHORIZED', message: expect.stringContaining('key revoked') },
      },
    });
    expect(gateway.attempts()).toBe(3);
  });

  it('keeps going when a listener throws, and logs it', async () => {
    const gateway = await scripted();
    const log = collectingLogger();
    const client = await connect({ url: gateway.url, token: 't', agent, log, ...fast });
    const seen: number[] = [];
    client.on('disconnected', () => {
      throw new Error('listener bug');
    });
    const record = ({ code }: { code: number }) => void seen.push(code);
    client.on('disconnected', record);
    gateway.connections[0]?.socket.close(4004, 'disconnected by an operator');
    await waitFor(() => client.state === 'connected' && gateway.connections.length === 2);
    expect(seen).toEqual([4004]);
    expect(log.lines).toContainEqual({ level: 'error', message: 'a disconnected listener threw' });
    client.off('disconnected', record);
    await client.close();
    expect(seen).toEqual([4004]);
  });

  it('closes when its signal aborts', async () => {
    const gateway = await scripted();
    const controller = new AbortController();
    const client = await connect({
      url: gateway.url,
      token: 't',
      agent,
      signal: controller.signal,
    });
    controller.abort();
    await waitFor(() => client.state === 'closed');
    await waitFor(() => gateway.connections[0]?.socket.readyState === 3);
  });
});
