import { once } from 'node:events';
import WebSocket from 'ws';

/** A raw WebSocket agent for tests: frames in arrival order, waits with deadlines. */
export interface TestAgent {
  socket: WebSocket;
  /** Sends a frame (objects are JSON-encoded; strings and buffers go as they are). */
  send(frame: unknown, options?: { binary?: boolean }): void;
  /** The next frame of `type` (or of one of several), optionally answering `re`; up to 5 s. */
  next(type: string | string[], re?: string): Promise<Record<string, unknown>>;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  /** hello → welcome, then register → result. */
  handshake(agent: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** The outcome of a connection attempt: an open agent, or the HTTP status it was refused with. */
export type Attempt =
  | { agent: TestAgent }
  | { status: number; body: string; headers: Record<string, string | string[] | undefined> };

let frameCounter = 0;

/** Opens `/v1/connect` on `port` with the given headers and subprotocols. */
export async function connectAgent(
  port: number,
  options: { token?: string; protocols?: string[]; origin?: string; query?: string } = {},
): Promise<Attempt> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.origin !== undefined) headers.origin = options.origin;
  const socket = new WebSocket(
    `ws://127.0.0.1:${port}/v1/connect${options.query ?? ''}`,
    options.protocols ?? ['sb.v1'],
    {
      headers,
    },
  );
  const refused = new Promise<Attempt>((resolve) => {
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
      );
    });
  });
  const opened = once(socket, 'open').then(() => ({ agent: wrap(socket) }));
  return Promise.race([opened, refused]);
}

function wrap(socket: WebSocket): TestAgent {
  const frames: Record<string, unknown>[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = once(socket, 'close').then(([code, reason]) => ({
    code: code as number,
    reason: (reason as Buffer).toString(),
  }));
  const next = async (type: string | string[], re?: string) => {
    const types = Array.isArray(type) ? type : [type];
    const deadline = Date.now() + 5000;
    for (;;) {
      const index = frames.findIndex(
        (frame) => types.includes(frame.type as string) && (re === undefined || frame.re === re),
      );
      if (index >= 0) return frames.splice(index, 1)[0] as Record<string, unknown>;
      if (Date.now() > deadline)
        throw new Error(`no ${type} frame${re ? ` for ${re}` : ''}; got ${JSON.stringify(frames)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  };
  const send = (frame: unknown, options: { binary?: boolean } = {}) =>
    socket.send(
      typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame),
      {
        binary: options.binary ?? false,
      },
    );
  return {
    socket,
    send,
    next,
    closed,
    handshake: async (agent) => {
      const hello = `h${++frameCounter}`;
      send({ v: 1, type: 'hello', id: hello, versions: [1] });
      await next('welcome', hello);
      const register = `r${++frameCounter}`;
      send({ v: 1, type: 'register', id: register, agent });
      return next(['result', 'error'], register);
    },
  };
}

/** The agent of an attempt the gateway let in; the test fails with the refusal otherwise. */
export function agentOf(attempt: Attempt): TestAgent {
  if (!('agent' in attempt)) throw new Error(`refused with ${attempt.status}: ${attempt.body}`);
  return attempt.agent;
}

/**
 * An agent connected to the gateway on `port` with `token` and registered as `agentId`; the
 * test fails when the connection or the registration is refused.
 */
export async function registeredAgent(
  port: number,
  token: string,
  agentId: string,
): Promise<TestAgent> {
  const agent = agentOf(await connectAgent(port, { token }));
  const reply = await agent.handshake({ id: agentId, name: agentId, version: '1.0.0' });
  if (reply.type !== 'result') throw new Error(`register refused: ${JSON.stringify(reply)}`);
  return agent;
}
