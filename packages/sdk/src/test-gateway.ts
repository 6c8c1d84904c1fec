import { type ServiceProcess, spawnService, type TestContext } from '@switchboard/testing';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { type ClientOptions, WebSocket as WsWebSocket } from 'ws';
import type { AgentClient, ClientEvents } from './agent-client.ts';
import type { WebSocketConstructor, WebSocketLike } from './websocket.ts';

const issuer = 'https://idp.sdk.test';
const audience = 'switchboard';

/** JWT credentials for test agents: the gateway's settings and a signer. */
export interface TestAuth {
  /** `SB_GATEWAY__AUTH__JWT__*` variables that make the gateway trust {@link TestAuth.sign}. */
  env: Record<string, string>;
  /** A JWT for `sub` that may act as `agentIds` (`['*']`: any). */
  sign(sub: string, agentIds: string[]): Promise<string>;
}

/** A fresh ES256 key pair the gateway is told to trust (no database rows needed). */
export async function createTestAuth(): Promise<TestAuth> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  return {
    env: {
      SB_GATEWAY__AUTH__JWT__ISSUER: issuer,
      SB_GATEWAY__AUTH__JWT__AUDIENCE: audience,
      SB_GATEWAY__AUTH__JWT__PUBLIC_KEYS: await exportSPKI(publicKey),
    },
    sign: (sub, agentIds) =>
      new SignJWT({ agent_ids: agentIds })
        .setProtectedHeader({ alg: 'ES256' })
        .setSubject(sub)
        .setIssuer(issuer)
        .setAudience(audience)
        .setExpirationTime('10m')
        .sign(privateKey),
  };
}

/** Starts a real gateway process for `context`; `SB_GATEWAY__PORT` in `env` pins its port. */
export function startGateway(
  context: TestContext,
  auth: TestAuth,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  return spawnService('gateway', {
    ...context.env,
    ...auth.env,
    // The `ready` line, which carries the port, is logged at info.
    SB_LOG__LEVEL: 'info',
    SB_GATEWAY__PORT: '0',
    ...env,
  });
}

/** Every event a client emitted, in order. */
export type RecordedEvent = {
  [E in keyof ClientEvents]: { event: E; payload: ClientEvents[E] };
}[keyof ClientEvents];

/** Records every event of `client` into the returned array. */
export function recordEvents(client: AgentClient): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  client.on('connected', (payload) => events.push({ event: 'connected', payload }));
  client.on('disconnected', (payload) => events.push({ event: 'disconnected', payload }));
  client.on('reconnecting', (payload) => events.push({ event: 'reconnecting', payload }));
  client.on('error', (payload) => events.push({ event: 'error', payload }));
  return events;
}

/** The `ws` class (header credentials), counting the sockets the SDK opens. */
export function countingWebSocket(): { WebSocket: WebSocketConstructor; opened: () => number } {
  let opened = 0;
  class Counting extends WsWebSocket {
    constructor(url: string, protocols: string[], options: ClientOptions) {
      super(url, protocols, options);
      opened += 1;
    }
  }
  return { WebSocket: Counting as unknown as WebSocketConstructor, opened: () => opened };
}

/** A frame as JSON. */
export type Frame = Record<string, unknown>;

/**
 * A browser-style WebSocket: only `(url, protocols)`, no headers, no `terminate()`, built on
 * `ws`. Records how it was constructed and every frame both ways.
 */
export function browserStyleWebSocket(): {
  WebSocket: WebSocketConstructor;
  constructed: Array<{ url: string; protocols: string[]; argumentCount: number }>;
  sent: Frame[];
  received: Frame[];
} {
  const constructed: Array<{ url: string; protocols: string[]; argumentCount: number }> = [];
  const sent: Frame[] = [];
  const received: Frame[] = [];
  class BrowserStyle implements WebSocketLike {
    private readonly inner: WsWebSocket;
    constructor(...args: [url: string, protocols?: string | string[]]) {
      const [url, protocols] = args;
      constructed.push({ url, protocols: [protocols ?? []].flat(), argumentCount: args.length });
      this.inner = new WsWebSocket(url, protocols);
      this.inner.on('message', (data) => received.push(JSON.parse(String(data)) as Frame));
    }
    get readyState() {
      return this.inner.readyState;
    }
    get protocol() {
      return this.inner.protocol;
    }
    send(data: string) {
      sent.push(JSON.parse(data) as Frame);
      this.inner.send(data);
    }
    close(code?: number, reason?: string) {
      this.inner.close(code, reason);
    }
    addEventListener(
      type: 'open' | 'message' | 'close' | 'error',
      listener: (event: never) => void,
    ) {
      this.inner.addEventListener(type as 'message', listener as (event: unknown) => void);
    }
  }
  return { WebSocket: BrowserStyle, constructed, sent, received };
}
