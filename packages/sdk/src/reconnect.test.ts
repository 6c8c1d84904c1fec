import type { ServiceProcess } from '@switchboard/testing';
import { createTestContext, type TestContext, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './client.ts';
import { connect } from './connect.ts';
import {
  countingWebSocket,
  createTestAuth,
  recordEvents,
  startGateway,
  type TestAuth,
} from './test-gateway.ts';

let context: TestContext;
let auth: TestAuth;
let token: string;
const gateways: ServiceProcess[] = [];
const suffix = Math.random().toString(16).slice(2, 8);
const fastBackoff = { initialDelayMs: 20, maxDelayMs: 100 };

async function start(port?: number): Promise<ServiceProcess> {
  const gateway = await startGateway(
    context,
    auth,
    port === undefined ? {} : { SB_GATEWAY__PORT: String(port) },
  );
  gateways.push(gateway);
  return gateway;
}

beforeAll(async () => {
  context = await createTestContext();
  auth = await createTestAuth();
  token = await auth.sign('reconnect-test', ['*']);
});
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop('SIGKILL')));
  await context?.cleanup();
});

describe('reconnecting', () => {
  it('reconnects and re-registers after the gateway is SIGKILLed and restarted on its port', async () => {
    const first = await start();
    const client = await connect({
      url: `ws://127.0.0.1:${first.port}`,
      token,
      agent: { id: `survivor-${suffix}`, name: 'Survivor', version: '1' },
      reconnect: fastBackoff,
    });
    if (!(client instanceof Client)) throw new Error('connect() returns a Client');
    const events = recordEvents(client);
    const before = { connectionId: client.connectionId, gatewayId: client.gatewayId };
    // A request the gateway never answers: the drop must reject it rather than leave it hanging.
    const unanswered = expect(
      client.requestFrame({ type: 'pong', re: 'nothing' }),
    ).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });

    await first.stop('SIGKILL');
    await unanswered;
    await waitFor(() => events.filter((entry) => entry.event === 'reconnecting').length >= 2, {
      what: 'reconnect attempts while the gateway is down',
    });
    expect(events[0]).toMatchObject({ event: 'disconnected', payload: { willReconnect: true } });
    expect(client.state).toBe('reconnecting');

    await start(first.port);
    await waitFor(() => client.state === 'connected', { what: 'the client to reconnect' });
    try {
      expect(client.agentId).toBe(`survivor-${suffix}`);
      expect(client.connectionId).not.toBe(before.connectionId);
      expect(client.gatewayId).not.toBe(before.gatewayId);
      const attempts = events
        .filter((entry) => entry.event === 'reconnecting')
        .map((entry) => entry.payload.attempt);
      expect(attempts).toEqual(attempts.map((_, index) => index + 1));
      expect(events.at(-1)).toEqual({
        event: 'connected',
        payload: {
          agentId: `survivor-${suffix}`,
          connectionId: client.connectionId,
          gatewayId: client.gatewayId,
        },
      });
    } finally {
      await client.close();
    }
  });

  it('stops trying once closed while the gateway is down', async () => {
    const gateway = await start();
    const counting = countingWebSocket();
    const client = await connect({
      url: `ws://127.0.0.1:${gateway.port}`,
      token,
      agent: { id: `quitter-${suffix}`, name: 'Quitter', version: '1' },
      reconnect: fastBackoff,
      WebSocket: counting.WebSocket,
    });
    const events = recordEvents(client);
    await gateway.stop('SIGKILL');
    await waitFor(() => counting.opened() >= 3, { what: 'reconnect attempts' });
    await client.close();
    expect(client.state).toBe('closed');
    const openedAtClose = counting.opened();

    // While a new gateway starts on the port (seconds, many backoff periods), nothing retries.
    const next = await start(gateway.port);
    const other = await connect({
      url: `ws://127.0.0.1:${next.port}`,
      token,
      agent: { id: `witness-${suffix}`, name: 'Witness', version: '1' },
    });
    await other.close();
    expect(counting.opened()).toBe(openedAtClose);
    expect(client.state).toBe('closed');
    expect(events.filter((entry) => entry.event === 'connected')).toEqual([]);
  });
});
