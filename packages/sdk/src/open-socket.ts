import { SbError } from '@switchboard/protocol';
import { abortReason } from './abort.ts';
import { handshakeRefusal } from './handshake-refusal.ts';
import {
  isNodeWebSocket,
  type NodeWebSocketLike,
  type RefusalResponseLike,
  type WebSocketImplementation,
  type WebSocketLike,
} from './websocket.ts';

/** The only subprotocol the gateway speaks (and the only one it echoes). */
export const SUBPROTOCOL = 'sb.v1';
const BEARER_SUBPROTOCOL_PREFIX = 'sb.bearer.';
// A refusal body is a short problem+json document; anything longer is not worth reading.
const MAX_REFUSAL_BODY_BYTES = 16 * 1024;

/** Closes a socket that is no longer wanted, whatever state it is in. */
export function discardSocket(socket: WebSocketLike): void {
  try {
    if (isNodeWebSocket(socket)) socket.terminate();
    else socket.close();
  } catch {
    // Already closed, or closing: nothing left to release.
  }
}

function readRefusal(response: RefusalResponseLike): Promise<SbError> {
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const done = () => {
      const bytes = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.length;
      }
      const retryAfter = response.headers['retry-after'];
      resolve(
        handshakeRefusal(
          response.statusCode ?? 0,
          new TextDecoder().decode(bytes),
          Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        ),
      );
    };
    response.on('data', (chunk) => {
      if (size + chunk.length > MAX_REFUSAL_BODY_BYTES) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    response.on('end', done);
    response.on('error', done);
  });
}

function createSocket(
  implementation: WebSocketImplementation,
  url: string,
  token: string,
): WebSocketLike {
  if (implementation.credentials === 'header') {
    return new implementation.WebSocket(url, [SUBPROTOCOL], {
      headers: { authorization: `Bearer ${token}` },
    });
  }
  return new implementation.WebSocket(url, [SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${token}`]);
}

/**
 * Opens a WebSocket to the gateway with the credential at the handshake (never in the URL) and
 * resolves once it is open. Rejects with the gateway's refusal (`E_UNAUTHORIZED` with its
 * reason, ...) where the WebSocket class can see it, else with `E_UNAVAILABLE`.
 */
export function openSocket(params: {
  url: string;
  token: string;
  implementation: WebSocketImplementation;
  signal: AbortSignal;
}): Promise<WebSocketLike> {
  const { url, signal } = params;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  let socket: WebSocketLike;
  try {
    socket = createSocket(params.implementation, url, params.token);
  } catch {
    // The URL was checked already, so the token is what the class refused (as a subprotocol).
    // Its error is not kept: browsers quote the refused subprotocol, i.e. the token.
    return Promise.reject(
      new SbError(
        'E_VALIDATION',
        `cannot open a WebSocket to ${url}: the token is not usable as a WebSocket subprotocol (letters, digits and !#$%&'*+-.^_|~ only)`,
      ),
    );
  }
  // The `ws` package throws on an 'error' event nobody listens to: keep one listener for life.
  socket.addEventListener('error', () => undefined);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: SbError | undefined) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (error === undefined) {
        resolve(socket);
        return;
      }
      discardSocket(socket);
      reject(error);
    };
    const onAbort = () => settle(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.addEventListener('open', () => {
      settle(
        socket.protocol === SUBPROTOCOL
          ? undefined
          : new SbError(
              'E_UNAVAILABLE',
              `${url} did not agree to the ${SUBPROTOCOL} subprotocol: is it a Switchboard gateway?`,
            ),
      );
    });
    socket.addEventListener('error', (event) => {
      const message = (event as { message?: unknown } | undefined)?.message;
      const why = typeof message === 'string' && message !== '' ? `: ${message}` : '';
      settle(new SbError('E_UNAVAILABLE', `could not connect to ${url}${why}`));
    });
    socket.addEventListener('close', (event) => {
      settle(
        new SbError(
          'E_UNAVAILABLE',
          `the connection to ${url} closed during the handshake (code ${event.code})`,
        ),
      );
    });
    if (isNodeWebSocket(socket)) listenForRefusal(socket, settle);
  });
}

function listenForRefusal(
  socket: NodeWebSocketLike,
  settle: (error: SbError | undefined) => void,
): void {
  socket.on('unexpected-response', (request, response) => {
    void readRefusal(response).then((error) => {
      settle(error);
      request.destroy();
    });
  });
}
