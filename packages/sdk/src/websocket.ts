import { SbError } from '@switchboard/protocol';

/** The close event fields the SDK reads (browsers and the `ws` package both provide them). */
export interface CloseEventLike {
  readonly code: number;
  readonly reason: string;
}

/** The message event field the SDK reads. */
export interface MessageEventLike {
  readonly data: unknown;
}

/**
 * The part of the standard (browser) WebSocket API the SDK uses. The browsers' `WebSocket`,
 * Node 22's global `WebSocket` and the `ws` package all have it.
 */
export interface WebSocketLike {
  readonly readyState: number;
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
  addEventListener(type: 'close', listener: (event: CloseEventLike) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

/** A WebSocket class with the standard constructor `(url, protocols)`. */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike;

/** The HTTP response of a refused handshake, as the `ws` package hands it over. */
export interface RefusalResponseLike {
  readonly statusCode?: number | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end' | 'error', listener: () => void): unknown;
}

/** What the `ws` package adds: request headers, the refused response, and `terminate()`. */
export interface NodeWebSocketLike extends WebSocketLike {
  terminate(): void;
  on(
    event: 'unexpected-response',
    listener: (request: { destroy(): void }, response: RefusalResponseLike) => void,
  ): unknown;
}

type NodeWebSocketConstructor = new (
  url: string,
  protocols: string[],
  options: { headers: Record<string, string> },
) => NodeWebSocketLike;

/**
 * The WebSocket class to use and how credentials travel with it: in `Authorization: Bearer`
 * where the class can send headers (the `ws` package), otherwise in the subprotocol
 * `sb.bearer.<token>` beside `sb.v1` (browsers cannot set headers on a WebSocket).
 */
export type WebSocketImplementation =
  | { credentials: 'header'; WebSocket: NodeWebSocketConstructor }
  | { credentials: 'subprotocol'; WebSocket: WebSocketConstructor };

/** True for the `ws` package's sockets (and subclasses): they have `terminate()` and `on()`. */
export function isNodeWebSocket(socket: WebSocketLike): socket is NodeWebSocketLike {
  const candidate = socket as Partial<NodeWebSocketLike>;
  return typeof candidate.terminate === 'function' && typeof candidate.on === 'function';
}

function implementationOf(webSocketClass: WebSocketConstructor): WebSocketImplementation {
  const prototype = webSocketClass.prototype as Partial<NodeWebSocketLike> | undefined;
  // Only the `ws` family takes a third `{ headers }` argument; its prototype has `terminate`.
  return typeof prototype?.terminate === 'function' && typeof prototype.on === 'function'
    ? { credentials: 'header', WebSocket: webSocketClass as unknown as NodeWebSocketConstructor }
    : { credentials: 'subprotocol', WebSocket: webSocketClass };
}

/** Where WebSocket classes come from; tests swap it to reach every branch. */
export interface WebSocketEnvironment {
  /** The `ws` package's class, when this is Node and it is installed. */
  loadWs(): Promise<WebSocketConstructor | undefined>;
  /** The global `WebSocket` (browsers, Node 22+). */
  globalWebSocket: WebSocketConstructor | undefined;
}

async function importWs(): Promise<WebSocketConstructor | undefined> {
  if (typeof process === 'undefined' || typeof process.versions?.node !== 'string') return;
  try {
    const module = await import('ws');
    return module.WebSocket as unknown as WebSocketConstructor;
  } catch {
    // `ws` is an optional peer dependency: without it, fall back to a global WebSocket.
    return undefined;
  }
}

const runtimeEnvironment = (): WebSocketEnvironment => ({
  loadWs: importWs,
  globalWebSocket: (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket,
});

/**
 * Picks the WebSocket class: the one given; in Node the `ws` package when installed (it sends
 * the Authorization header and reports why a handshake was refused, which a standard WebSocket
 * hides); else the global `WebSocket` (browsers, Node 22+).
 */
export async function resolveWebSocket(
  given: WebSocketConstructor | undefined,
  environment: WebSocketEnvironment = runtimeEnvironment(),
): Promise<WebSocketImplementation> {
  if (given !== undefined) return implementationOf(given);
  const fromWs = await environment.loadWs();
  if (fromWs !== undefined) return implementationOf(fromWs);
  if (environment.globalWebSocket !== undefined)
    return implementationOf(environment.globalWebSocket);
  throw new SbError(
    'E_UNAVAILABLE',
    'no WebSocket implementation: install the `ws` package (Node 20) or pass `WebSocket` to connect()',
  );
}
