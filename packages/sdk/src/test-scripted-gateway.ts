import { once } from 'node:events';
import { createServer, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket as WsWebSocket } from 'ws';
import type { Frame } from './test-gateway.ts';

/** One connection the scripted gateway accepted. */
export interface ScriptedConnection {
  socket: WsWebSocket;
  /** Which upgrade request this was (1, 2, ...). */
  attempt: number;
  received: Frame[];
  send(frame: Frame): void;
}

/** An HTTP answer instead of an upgrade. */
export interface Refusal {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** How the scripted gateway behaves; by default it speaks the protocol like the real one. */
export interface Script {
  /** Refuse upgrade `attempt` with an HTTP status. */
  refuse?(attempt: number): Refusal | undefined;
  /** The subprotocol to agree to (default `sb.v1`; false: none). */
  protocol?: string | false;
  /** Handles a frame itself; return true to skip the default answer. */
  onFrame?(connection: ScriptedConnection, frame: Frame): boolean;
}

/** A WebSocket server on 127.0.0.1 that plays the gateway's part by script. */
export interface ScriptedGateway {
  url: string;
  port: number;
  attempts(): number;
  connections: ScriptedConnection[];
  close(): Promise<void>;
}

let frameCounter = 0;

function answer(connection: ScriptedConnection, frame: Frame): void {
  const id = `s${++frameCounter}`;
  switch (frame.type) {
    case 'hello':
      connection.send({
        v: 1,
        type: 'welcome',
        id,
        re: frame.id,
        version: 1,
        connectionId: `connection-${connection.attempt}`,
        gatewayId: 'scripted',
        heartbeatIntervalMs: 10_000,
        heartbeatTimeoutMs: 30_000,
        limits: { maxFrameBytes: 1_048_576, maxPayloadBytes: 524_288 },
      });
      return;
    case 'register': {
      const agent = frame.agent as { id?: string };
      connection.send({
        v: 1,
        type: 'result',
        id,
        re: frame.id,
        result: {
          agentId: agent.id ?? 'scripted-agent',
          connectionId: `connection-${connection.attempt}`,
        },
      });
      return;
    }
    case 'ping':
      connection.send({ v: 1, type: 'pong', id, re: frame.id });
      return;
    default:
      return;
  }
}

/** Starts a scripted gateway on a free port (or `port`). */
export async function startScriptedGateway(
  script: Script = {},
  port = 0,
): Promise<ScriptedGateway> {
  const http = createServer();
  const protocol = script.protocol ?? 'sb.v1';
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: () => protocol,
  });
  const connections: ScriptedConnection[] = [];
  let attempts = 0;
  http.on('upgrade', (request, socket, head) => {
    attempts += 1;
    const attempt = attempts;
    const refusal = script.refuse?.(attempt);
    if (refusal !== undefined) {
      const body = refusal.body ?? '';
      const headers = Object.entries(refusal.headers ?? {})
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      socket.end(
        `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\n` +
          `content-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
          `connection: close\r\n${headers}\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (socket) => {
      const connection: ScriptedConnection = {
        socket,
        attempt,
        received: [],
        send: (frame) => socket.send(JSON.stringify(frame)),
      };
      connections.push(connection);
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        connection.received.push(frame);
        if (script.onFrame?.(connection, frame) !== true) answer(connection, frame);
      });
    });
  });
  http.listen(port, '127.0.0.1');
  await once(http, 'listening');
  const bound = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${bound}`,
    port: bound,
    attempts: () => attempts,
    connections,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      http.closeAllConnections();
      http.close();
      await once(http, 'close');
    },
  };
}
