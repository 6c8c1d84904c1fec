import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type AddressInfo, connect as connectTcp, createServer } from 'node:net';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { BusLogger } from './logger.ts';

/** The local NATS server every test uses. */
export const natsUrl = 'nats://127.0.0.1:4222';

/** A namespace no other test file uses. */
export function testNamespace(): string {
  return `t_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** One line a {@link CapturingLogger} received. */
export interface LogLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  obj: object;
  msg: string;
}

/** A logger that keeps what it is given, for assertions. */
export interface CapturingLogger extends BusLogger {
  lines: LogLine[];
}

/** A logger that records every line. */
export function capturingLogger(): CapturingLogger {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (obj: object, msg: string) => {
    lines.push({ level, obj, msg });
  };
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** Resolves once `condition` holds, polling; rejects after `deadlineMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  deadlineMs = 10_000,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A plain NATS connection, for sending what the bus would never send. */
export function rawConnection(): Promise<NatsConnection> {
  return connect({ servers: [natsUrl] });
}

/** Deletes the JetStream streams a test created (the event stream, `KV_<bucket>` ones). */
export async function deleteStreams(streams: string[]): Promise<void> {
  const nc = await rawConnection();
  try {
    const jsm = await jetstreamManager(nc);
    for (const stream of streams) await jsm.streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}

/** A nats-server of a test's own, for what the shared server must not do (stop, auth). */
export interface OwnNatsServer {
  url: string;
  /** Starts it again on the same port (after `stop()`). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs `/usr/sbin/nats-server` with `args` on a free port; stop() it in afterAll. */
export async function startOwnNatsServer(args: string[]): Promise<OwnNatsServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const own: OwnNatsServer = {
    url: `nats://127.0.0.1:${port}`,
    async start() {
      const started = spawn(
        '/usr/sbin/nats-server',
        ['-a', '127.0.0.1', '-p', String(port), ...args],
        {
          stdio: 'ignore',
        },
      );
      child = started;
      await waitFor(() => {
        if (started.exitCode !== null) throw new Error(`nats-server ${args.join(' ')} exited`);
        return accepts(port);
      });
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
  };
  await own.start();
  return own;
}
