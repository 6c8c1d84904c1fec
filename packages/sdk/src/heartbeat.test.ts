import type { ServiceProcess } from '@switchboard/testing';
import { createTestContext, type TestContext, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from './connect.ts';
import {
  browserStyleWebSocket,
  createTestAuth,
  recordEvents,
  startGateway,
  type TestAuth,
} from './test-gateway.ts';

let context: TestContext;
let auth: TestAuth;
let gateway: ServiceProcess;
let token: string;
const suffix = Math.random().toString(16).slice(2, 8);

beforeAll(async () => {
  context = await createTestContext();
  auth = await createTestAuth();
  // The gateway pings every 50 ms and drops a connection silent for 200 ms.
  gateway = await startGateway(context, auth, {
    SB_GATEWAY__CONNECTIONS__HEARTBEAT_INTERVAL_MS: '50',
    SB_GATEWAY__CONNECTIONS__HEARTBEAT_TIMEOUT_MS: '200',
  });
  token = await auth.sign('heartbeat-test', ['*']);
});
afterAll(async () => {
  await gateway?.stop();
  await context?.cleanup();
});

describe('heartbeats', () => {
  it("answers the gateway's pings and keeps the connection for many heartbeat timeouts", async () => {
    const browser = browserStyleWebSocket();
    const client = await connect({
      url: `ws://127.0.0.1:${gateway.port}`,
      token,
      agent: { id: `steady-${suffix}`, name: 'Steady', version: '1' },
      WebSocket: browser.WebSocket,
    });
    const events = recordEvents(client);
    const connectionId = client.connectionId;
    try {
      // 16 gateway pings at 50 ms span 0.8 s: four heartbeat timeouts.
      await waitFor(() => browser.received.filter((frame) => frame.type === 'ping').length >= 16, {
        what: '16 pings from the gateway',
      });
      const pings = browser.received.filter((frame) => frame.type === 'ping');
      const pongedIds = new Set(
        browser.sent.filter((frame) => frame.type === 'pong').map((frame) => frame.re),
      );
      // Each ping is answered as it arrives.
      expect(pings.every((ping) => pongedIds.has(ping.id))).toBe(true);
      // The client pings the gateway at its pace too, and gets pongs naming its pings.
      const ownPings = browser.sent
        .filter((frame) => frame.type === 'ping')
        .map((frame) => frame.id);
      expect(ownPings.length).toBeGreaterThan(3);
      const answered = browser.received.filter((frame) => frame.type === 'pong');
      expect(answered.length).toBeGreaterThan(3);
      expect(answered.every((pong) => ownPings.includes(pong.re))).toBe(true);
      expect(events).toEqual([]);
      expect(client.state).toBe('connected');
      expect(client.connectionId).toBe(connectionId);
    } finally {
      await client.close();
    }
  });

  it('treats a silent gateway as dead, and reconnects once it answers again', async () => {
    const client = await connect({
      url: `ws://127.0.0.1:${gateway.port}`,
      token,
      agent: { id: `patient-${suffix}`, name: 'Patient', version: '1' },
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
      handshakeTimeoutMs: 500,
    });
    const events = recordEvents(client);
    const before = client.connectionId;
    // A stopped process keeps its sockets open but sends nothing: a half-open connection.
    gateway.child.kill('SIGSTOP');
    try {
      await waitFor(() => client.state === 'reconnecting', { what: 'the silence to be noticed' });
      expect(events[0]).toMatchObject({
        event: 'disconnected',
        payload: { code: 4002, willReconnect: true },
      });
    } finally {
      gateway.child.kill('SIGCONT');
    }
    try {
      await waitFor(() => client.state === 'connected', { what: 'the client to reconnect' });
      expect(client.connectionId).not.toBe(before);
      expect(events.some((entry) => entry.event === 'reconnecting')).toBe(true);
      expect(events.at(-1)).toEqual({
        event: 'connected',
        payload: {
          agentId: `patient-${suffix}`,
          connectionId: client.connectionId,
          gatewayId: client.gatewayId,
        },
      });
    } finally {
      await client.close();
    }
  });
});
