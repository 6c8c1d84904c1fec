import { describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import { browserStyleWebSocket } from './test-gateway.ts';
import { resolveWebSocket, type WebSocketConstructor } from './websocket.ts';

const ws = WsWebSocket as unknown as WebSocketConstructor;
const browser = browserStyleWebSocket().WebSocket;

describe('resolveWebSocket', () => {
  it('sends headers with the ws package, and the subprotocol with a standard WebSocket', async () => {
    expect(await resolveWebSocket(ws)).toEqual({ credentials: 'header', WebSocket: ws });
    expect(await resolveWebSocket(browser)).toEqual({
      credentials: 'subprotocol',
      WebSocket: browser,
    });
  });

  it('prefers the ws package in Node, then the global WebSocket', async () => {
    expect(await resolveWebSocket(undefined)).toMatchObject({ credentials: 'header' });
    const withoutWs = { loadWs: async () => undefined, globalWebSocket: browser };
    expect(await resolveWebSocket(undefined, withoutWs)).toEqual({
      credentials: 'subprotocol',
      WebSocket: browser,
    });
  });

  it('says what to do when there is no WebSocket at all', async () => {
    await expect(
      resolveWebSocket(undefined, { loadWs: async () => undefined, globalWebSocket: undefined }),
    ).rejects.toMatchObject({
      code: 'E_UNAVAILABLE',
      message: expect.stringContaining('install the `ws` package'),
    });
  });
});
