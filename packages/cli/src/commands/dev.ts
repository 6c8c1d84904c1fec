import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { apiKeyIdOf, hashToken, mintApiKey } from '@switchboard/authz';
import type { EmbeddedMesh, EmbeddedService } from '@switchboard/embedded';
import { isSbError } from '@switchboard/protocol';
import type { Command } from 'commander';
import { CliError } from '../client.ts';
import type { CliIo } from '../context.ts';
import { parsePort } from './options.ts';

interface DevOptions {
  dataDir: string;
  reset?: boolean;
  gatewayPort?: number;
  toolsPort?: number;
  a2aPort?: number;
  postgresPort: number;
}

/** How long the in-memory event stream keeps events unless `SB_NATS__EVENT_RETENTION_MS` says. */
const EVENT_RETENTION_MS = 60 * 60 * 1000;

/** The port of the embedded Postgres: off 5432, so a local Postgres may run beside it. */
const DEFAULT_POSTGRES_PORT = 7708;

/**
 * The admin key of this data folder: minted on the first start (and after `--reset`), kept in
 * `<dataDir>/admin-key` (readable by its owner only) so that it survives restarts like the data.
 */
function adminKeyOf(dataDir: string): string {
  const file = join(dataDir, 'admin-key');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (apiKeyIdOf(token) !== undefined) return token;
  }
  mkdirSync(dataDir, { recursive: true });
  const { token } = mintApiKey();
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

/** `0.0.0.0` listens everywhere; a person reaches it at loopback. */
function urlOf(service: EmbeddedService, scheme = 'http'): string {
  const host = service.host === '0.0.0.0' || service.host === '::' ? '127.0.0.1' : service.host;
  return `${scheme}://${host}:${service.port}`;
}

async function consoleBuilt(gateway: string): Promise<boolean> {
  const response = await fetch(`${gateway}/console/`).catch(() => undefined);
  return response?.status === 200;
}

/** One line per endpoint, aligned. */
async function describeMesh(mesh: EmbeddedMesh, adminKey: string | undefined): Promise<string[]> {
  const byName = new Map(mesh.services.map((service) => [service.short, service]));
  const at = (short: string) => byName.get(short as EmbeddedService['short']) as EmbeddedService;
  const gateway = urlOf(at('gateway'));
  const lines: Array<[string, string]> = [
    [
      'agents',
      `${urlOf(at('gateway'), 'ws')}/v1/connect  (SDK: url ${urlOf(at('gateway'), 'ws')})`,
    ],
    ['operator API', `${gateway}/v1  (OpenAPI: ${gateway}/docs)`],
    [
      'console',
      (await consoleBuilt(gateway))
        ? `${gateway}/console/`
        : 'not built: run `pnpm --filter @switchboard/console build`, then restart',
    ],
    ['MCP', `${urlOf(at('tools'))}/mcp`],
    ['A2A', `${urlOf(at('a2a'))}  (agent cards at /.well-known/agent-card.json)`],
    ...(['router', 'state', 'tasks'] as const).map((short): [string, string] => [
      short,
      `${urlOf(at(short))}/readyz  (probes and /metrics)`,
    ]),
  ];
  if (adminKey !== undefined) lines.push(['admin key', `export SB_API_KEY=${adminKey}`]);
  const width = Math.max(...lines.map(([name]) => name.length));
  return lines.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`);
}

/** Waits for `signal` (Ctrl-C). */
function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise((done) => signal.addEventListener('abort', () => done(), { once: true }));
}

async function runDev(options: DevOptions, io: CliIo): Promise<void> {
  const startedAt = performance.now();
  const dataDir = resolve(options.dataDir);
  if (options.reset === true) {
    // The admin key belongs to the data: a fresh mesh gets a fresh key.
    io.stdout(`deleting ${options.dataDir} (--reset)\n`);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const env: NodeJS.ProcessEnv = {
    ...io.env,
    // Warnings and errors only: the endpoint lines stay readable (SB_LOG__LEVEL=info for more).
    SB_LOG__LEVEL: io.env.SB_LOG__LEVEL ?? 'warn',
    SB_LOG__FORMAT: io.env.SB_LOG__FORMAT ?? 'pretty',
    // The event stream lives in this process's memory and starts empty with it: an hour of
    // replay instead of the distributed week keeps a long session's memory in bounds.
    SB_NATS__EVENT_RETENTION_MS: io.env.SB_NATS__EVENT_RETENTION_MS ?? String(EVENT_RETENTION_MS),
    ...(options.gatewayPort === undefined ? {} : { SB_GATEWAY__PORT: String(options.gatewayPort) }),
    ...(options.toolsPort === undefined ? {} : { SB_TOOLS__PORT: String(options.toolsPort) }),
    ...(options.a2aPort === undefined ? {} : { SB_A2A__PORT: String(options.a2aPort) }),
  };
  const { startEmbeddedMesh } = await import('@switchboard/embedded');
  let adminKey: string | undefined;
  if (env.SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256 === undefined) {
    adminKey = adminKeyOf(dataDir);
    env.SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256 = hashToken(adminKey);
  }
  let mesh: EmbeddedMesh;
  try {
    mesh = await startEmbeddedMesh({
      dataDir,
      postgresPort: options.postgresPort,
      env,
    });
  } catch (error) {
    if (isSbError(error)) throw new CliError(error.code, error.message);
    throw error;
  }
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  io.stdout(
    `Switchboard is running in embedded mode (one process, ready in ${seconds} s, data in ${options.dataDir})\n`,
  );
  io.stdout(`${(await describeMesh(mesh, adminKey)).join('\n')}\nCtrl-C stops it.\n`);
  await aborted(io.signal);
  io.stdout('stopping…\n');
  try {
    await mesh.stop();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError('E_INTERNAL', `the mesh did not stop cleanly: ${reason}`);
  }
  io.stdout('stopped\n');
}

/** `switchboard dev`: the whole mesh in one process, with nothing but Node.js installed. */
export function registerDevCommand(program: Command, io: CliIo): void {
  program
    .command('dev')
    .description(
      'Run the whole mesh in one process on this machine (embedded mode: an embedded Postgres, an in-process bus and cache); Ctrl-C stops it',
    )
    .option(
      '--data-dir <dir>',
      'where the data (Postgres cluster, admin key) is kept',
      '.switchboard',
    )
    .option('--reset', 'delete the data folder first: a fresh, empty mesh with a new admin key')
    .option(
      '--gateway-port <port>',
      'the gateway (agents, operator API, console); default 7700',
      parsePort,
    )
    .option('--tools-port <port>', 'the tool registry (MCP at /mcp); default 7702', parsePort)
    .option('--a2a-port <port>', 'the A2A peer; default 7703', parsePort)
    .option(
      '--postgres-port <port>',
      'the embedded Postgres (loopback only)',
      parsePort,
      DEFAULT_POSTGRES_PORT,
    )
    .action((options: DevOptions) => runDev(options, io));
}
