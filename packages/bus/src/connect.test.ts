import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { PingRpc, SbError } from '@switchboard/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { connectNatsBus } from './connect.ts';
import type { NatsBusOptions } from './options.ts';
import {
  capturingLogger,
  deleteStreams,
  natsUrl,
  type OwnNatsServer,
  rawConnection,
  startOwnNatsServer,
  testNamespace,
  waitFor,
} from './test-support.ts';

const namespace = testNamespace();
const base: NatsBusOptions = { namespace, servers: [natsUrl], requestTimeoutMs: () => 5000 };
const servers: OwnNatsServer[] = [];
const storeDir = mkdtempSync(join(tmpdir(), 'sb-bus-nats-'));

async function rejectionOf(promise: Promise<unknown>): Promise<SbError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (error instanceof SbError) return error;
  throw new Error(`expected an SbError, got ${String(error)}`);
}

async function ownServer(args: string[]): Promise<OwnNatsServer> {
  const server = await startOwnNatsServer(args);
  servers.push(server);
  return server;
}

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  rmSync(storeDir, { recursive: true, force: true });
  await deleteStreams([`${namespace}_events`]);
});

describe('connectNatsBus', () => {
  it('refuses an unreachable server with a message that says how to start it', async () => {
    const error = await rejectionOf(
      connectNatsBus({ ...base, servers: ['nats://127.0.0.1:1'], connectTimeoutMs: 500 }),
    );
    expect(error.code).toBe('E_UNAVAILABLE');
    expect(error.message).toMatch(
      /^NATS is unreachable at nats:\/\/127\.0\.0\.1:1 \(.+\)\. If it runs on this machine, start it with: /,
    );
    expect(error.message).toContain('/usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('refuses a server whose max_payload is below what the mesh needs', async () => {
    const error = await rejectionOf(
      connectNatsBus({ ...base, requiredPayloadBytes: 2 * 1024 * 1024 }),
    );
    expect(error.code).toBe('E_UNAVAILABLE');
    expect(error.message).toContain('carries messages of at most 1048576 bytes (max_payload)');
    expect(error.details).toEqual({ maxPayload: 1048576, required: 2 * 1024 * 1024 });
  });

  it('refuses an invalid namespace', async () => {
    const error = await rejectionOf(connectNatsBus({ ...base, namespace: 'Bad-NS' }));
    expect(error.code).toBe('E_VALIDATION');
    expect(error.message).toContain('namespace is invalid');
  });

  it('refuses wrong credentials, naming them', async () => {
    const server = await ownServer(['--user', 'sb', '--pass', 'right']);
    const error = await rejectionOf(
      connectNatsBus({ ...base, servers: [server.url], user: 'sb', pass: 'wrong' }),
    );
    expect(error.code).toBe('E_UNAVAILABLE');
    expect(error.message).toContain('refused the connection');
    expect(error.message).toContain('Check the NATS user, password or token');
  });

  it('refuses a server without JetStream', async () => {
    const server = await ownServer(['--auth', 'secret']);
    const error = await rejectionOf(
      connectNatsBus({ ...base, servers: [server.url], token: 'secret' }),
    );
    expect(error.code).toBe('E_UNAVAILABLE');
    expect(error.message).toContain('JetStream is not available');
  });

  it('connects over TLS with the CA given as a file path or as PEM text', async () => {
    const cert = join(storeDir, 'cert.pem');
    const key = join(storeDir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const server = await ownServer([
      '--tls',
      '--tlscert',
      cert,
      '--tlskey',
      key,
      '-js',
      '-sd',
      join(storeDir, 'tls'),
    ]);
    for (const ca of [cert, readFileSync(cert, 'utf8')]) {
      const bus = await connectNatsBus({ ...base, servers: [server.url], tls: { ca } });
      expect(await bus.ping()).toBeGreaterThanOrEqual(0);
      await bus.close();
    }
    const untrusted = await rejectionOf(
      connectNatsBus({ ...base, servers: [server.url], tls: {} }),
    );
    expect(untrusted.code).toBe('E_UNAVAILABLE');
    expect(untrusted.message).toContain(`NATS at ${server.url} failed the TLS handshake: `);
  });

  it('refuses TLS files it cannot read before connecting', async () => {
    const error = await rejectionOf(
      connectNatsBus({ ...base, tls: { ca: '/nonexistent/ca.pem' } }),
    );
    expect(error.code).toBe('E_VALIDATION');
  });

  it('creates the event stream and brings its retention to the setting', async () => {
    const first = await connectNatsBus({ ...base, eventRetentionMs: 60_000, name: 'test one' });
    const second = await connectNatsBus({ ...base, eventRetentionMs: 120_000 });
    await Promise.all([first.close(), second.close()]);
    const nc = await rawConnection();
    const info = await (await jetstreamManager(nc)).streams.info(`${namespace}_events`);
    await nc.close();
    expect(info.config.subjects).toEqual([`${namespace}.v1.evt.>`]);
    expect(info.config.max_age).toBe(nanos(120_000));
  });

  it('reports E_UNAVAILABLE when the event stream cannot be created', async () => {
    const blocked = testNamespace();
    const blocker = `${blocked}_blocker`;
    const nc = await rawConnection();
    try {
      // Another stream already holds the namespace's event subjects.
      await (await jetstreamManager(nc)).streams.add({
        name: blocker,
        subjects: [`${blocked}.v1.evt.>`],
      });
      const error = await rejectionOf(connectNatsBus({ ...base, namespace: blocked }));
      expect(error.code).toBe('E_UNAVAILABLE');
      expect(error.message).toContain(`could not create the event stream ${blocked}_events: `);
    } finally {
      await nc.close();
      await deleteStreams([blocker]);
    }
  });

  it('pings, closes idempotently and refuses work once closed', async () => {
    const bus = await connectNatsBus(base);
    expect(bus.isConnected()).toBe(true);
    expect(await bus.ping()).toBeGreaterThanOrEqual(0);
    const closing = bus.close();
    expect(bus.close()).toBe(closing);
    await closing;
    await bus.close();
    expect(bus.isConnected()).toBe(false);
    expect((await rejectionOf(bus.ping())).message).toBe(
      'the bus is closed: this process is shutting down',
    );
    expect((await rejectionOf(bus.kv('x'))).code).toBe('E_UNAVAILABLE');
    expect(
      (
        await rejectionOf(
          bus.consumeEvents({
            filterSubject: bus.subjects.allEvents,
            schema: {} as never,
            handler: async () => {},
          }),
        )
      ).code,
    ).toBe('E_UNAVAILABLE');
    const request = await rejectionOf(bus.request(bus.subjects.rpc('state', 'ping'), PingRpc, {}));
    expect(request.code).toBe('E_UNAVAILABLE');
    expect(() => bus.serve('x', {} as never, async () => ({}), { queue: 'q' })).toThrow(SbError);
  });

  it('reports a lost connection, then the reconnect', async () => {
    const server = await ownServer(['-js', '-sd', storeDir]);
    const log = capturingLogger();
    const bus = await connectNatsBus({ ...base, servers: [server.url], log });
    try {
      await server.stop();
      await waitFor(() => !bus.isConnected());
      expect((await rejectionOf(bus.ping())).message).toBe(
        'the NATS connection is down; the client is reconnecting',
      );
      expect(log.lines).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: 'lost the NATS connection; reconnecting' }),
      );
      await server.start();
      await waitFor(() => bus.isConnected(), 20_000);
      expect(log.lines).toContainEqual(
        expect.objectContaining({ level: 'info', msg: 'reconnected to NATS' }),
      );
      expect(await bus.ping()).toBeGreaterThanOrEqual(0);
    } finally {
      await bus.close();
    }
  });
});
