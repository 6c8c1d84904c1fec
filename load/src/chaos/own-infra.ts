import { type ChildProcess, execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../free-port.ts';

// The chaos scenario kills and restarts Postgres, Redis and NATS. It never touches the machine's
// shared servers: it starts servers of its own, on free ports, with their data in a temporary
// folder, and removes them all at the end (also on Ctrl-C or a failure: the exit hook).

/** The private Postgres, Redis and NATS of a chaos run, and the faults it can inflict on them. */
export interface OwnInfra {
  /** `SB_TEST_*` variables that point @switchboard/testing (and so the mesh) at these servers. */
  env: Record<string, string>;
  /** SIGKILL redis-server and start an empty one on the same port (no persistence). */
  loseRedis(): Promise<void>;
  /** Stop nats-server (SIGTERM) and start it again on the same JetStream store. */
  restartNats(): Promise<void>;
  /** `pg_ctl stop -m <mode>`, then start the same cluster again. */
  restartPostgres(mode: 'fast' | 'immediate'): Promise<void>;
  /** Stops every server and removes the folder (idempotent). */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once something accepts TCP connections on `port` (servers take a moment to bind). */
async function waitForPort(port: number, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} in time`);
    await sleep(100);
  }
}

/** The newest Postgres on the machine: its `initdb` and `pg_ctl`. */
function postgresBin(tool: string): string {
  const version = readdirSync('/usr/lib/postgresql')
    .sort((a, b) => Number(a) - Number(b))
    .at(-1);
  if (version === undefined) throw new Error('no Postgres under /usr/lib/postgresql');
  return join('/usr/lib/postgresql', version, 'bin', tool);
}

/** Postgres refuses to run as root: as root, its tools run as the postgres user (TOOLCHAIN.md). */
function asPostgres(tool: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', postgresBin(tool), ...args]]
    : [postgresBin(tool), args];
}

const run = promisify(execFile);

/** Runs a Postgres tool to its end; rejects with its output when it fails. */
async function postgresTool(tool: string, args: string[]): Promise<void> {
  const [command, argv] = asPostgres(tool, args);
  await run(command, argv);
}

/** Starts a long-running server whose output goes nowhere; it ends with the run. */
function startServer(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: 'ignore' });
  child.on('error', () => undefined);
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/** Starts a private Postgres cluster, redis-server and nats-server (JetStream) on free ports. */
export async function startOwnInfra(): Promise<OwnInfra> {
  const folder = mkdtempSync(join(tmpdir(), 'sb-chaos-'));
  const [pgPort, redisPort, natsPort, natsMonitorPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const pgData = join(folder, 'pg');
  let redis: ChildProcess | undefined;
  let nats: ChildProcess | undefined;
  let postgresUp = false;
  let stopped = false;

  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    redis?.kill('SIGKILL');
    nats?.kill('SIGKILL');
    if (postgresUp) {
      // Synchronous: the exit hook cannot wait. Fails harmlessly when it is already down.
      const [command, argv] = asPostgres('pg_ctl', ['-D', pgData, '-m', 'immediate', '-w', 'stop']);
      spawnSync(command, argv, { stdio: 'ignore' });
    }
    rmSync(folder, { recursive: true, force: true });
  };
  // Ctrl-C, CI's timeout or a crash: the servers and the folder go with the process.
  process.once('exit', stopNow);

  const startRedis = async () => {
    redis = startServer('redis-server', [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      folder,
    ]);
    await waitForPort(redisPort, 'redis-server');
  };
  const startNats = async () => {
    nats = startServer('nats-server', [
      '-a',
      '127.0.0.1',
      '-p',
      String(natsPort),
      '-m',
      String(natsMonitorPort),
      '-js',
      '-sd',
      join(folder, 'nats'),
    ]);
    await waitForPort(natsPort, 'nats-server');
    // JetStream recovers its streams after the client port opens: wait until it says healthy.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const healthy = await fetch(
        `http://127.0.0.1:${natsMonitorPort}/healthz?js-enabled-only=true`,
      )
        .then((response) => response.ok)
        .catch(() => false);
      if (healthy) return;
      if (Date.now() > deadline) throw new Error('nats-server JetStream not healthy in time');
      await sleep(100);
    }
  };
  const startPostgres = async () => {
    await postgresTool('pg_ctl', [
      '-D',
      pgData,
      '-l',
      join(folder, 'postgres.log'),
      '-o',
      `-p ${pgPort} -k ${folder} -c listen_addresses=127.0.0.1 -c max_connections=300`,
      '-w',
      'start',
    ]);
    postgresUp = true;
  };

  try {
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(folder, uid, gid);
    }
    await postgresTool('initdb', ['-D', pgData, '-U', 'postgres', '-A', 'trust', '--no-sync']);
    await startPostgres();
    await Promise.all([startRedis(), startNats()]);
  } catch (error) {
    stopNow();
    throw error;
  }

  return {
    env: {
      SB_TEST_POSTGRES_URL: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
      SB_TEST_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      SB_TEST_NATS_SERVERS: `nats://127.0.0.1:${natsPort}`,
    },
    loseRedis: async () => {
      if (redis !== undefined) await kill(redis, 'SIGKILL');
      await startRedis();
    },
    restartNats: async () => {
      if (nats !== undefined) await kill(nats, 'SIGTERM');
      await startNats();
    },
    restartPostgres: async (mode) => {
      await postgresTool('pg_ctl', ['-D', pgData, '-m', mode, '-w', 'stop']);
      postgresUp = false;
      await startPostgres();
    },
    stop: async () => {
      if (stopped) return;
      if (redis !== undefined) await kill(redis, 'SIGTERM');
      if (nats !== undefined) await kill(nats, 'SIGTERM');
      stopNow();
      process.off('exit', stopNow);
    },
  };
}
