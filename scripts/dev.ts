/**
 * `pnpm dev`: the whole mesh on this machine. Checks Postgres, Redis and NATS first (saying
 * which one is missing and how to start it), runs the six services as separate processes with
 * their logs combined and prefixed, reports when every `/readyz` is green, and stops them all
 * on Ctrl-C.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connectNatsBus } from '@switchboard/bus';
import { connectRedis } from '@switchboard/cache';
import { ConfigError, loadConfig, type SharedConfig } from '@switchboard/config';
import { connectPostgres } from '@switchboard/db';
import { Services, serviceShortNames } from '@switchboard/protocol';
import { serviceDefinitions } from './service-definitions.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  SB_LOG__FORMAT: process.env.SB_LOG__FORMAT ?? 'pretty',
};
const colors = [36, 35, 33, 32, 34, 91];
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * Each service's settings, read the way the service reads them. Bad settings are reported for
 * every service at once, each problem once (a shared setting would otherwise repeat six times).
 */
async function loadSettings(): Promise<Array<SharedConfig & Record<string, { port: number }>>> {
  const outcomes = await Promise.allSettled(
    serviceShortNames.map((short) => loadConfig(serviceDefinitions[short], { env })),
  );
  const seen = new Set<string>();
  const report: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') continue;
    if (!(outcome.reason instanceof ConfigError)) throw outcome.reason;
    const [header, ...issues] = outcome.reason.message.split('\n');
    const fresh = issues.filter((issue) => !seen.has(issue));
    for (const issue of fresh) seen.add(issue);
    if (fresh.length > 0) report.push(header as string, ...fresh);
  }
  if (report.length > 0) {
    console.error(report.join('\n'));
    process.exit(1);
  }
  return outcomes.map(
    (outcome) => (outcome as PromiseFulfilledResult<{ current: unknown }>).value.current as never,
  );
}

/** Connects to each dependency once, with the code and settings the services use. */
async function checkInfrastructure(shared: SharedConfig): Promise<string[]> {
  const name = 'switchboard-dev-check';
  const outcomes = await Promise.allSettled([
    connectPostgres({ ...shared.postgres, poolMax: 1 }, name).then((db) => db.close()),
    connectRedis(shared.redis, { prefix: `${shared.namespace}:`, connectionName: name }).then(
      (cache) => cache.close(),
    ),
    connectNatsBus({
      namespace: shared.namespace,
      servers: shared.nats.servers,
      connectTimeoutMs: shared.nats.connectTimeoutMs,
      requestTimeoutMs: () => shared.nats.requestTimeoutMs,
      user: shared.nats.user,
      pass: shared.nats.pass,
      token: shared.nats.token,
      tls: shared.nats.tls,
    }).then((bus) => bus.close()),
  ]);
  return outcomes.flatMap((outcome) =>
    outcome.status === 'rejected'
      ? [outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason)]
      : [],
  );
}

function startService(short: (typeof serviceShortNames)[number], index: number): ChildProcess {
  const { folder } = Services[short];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'apps', folder, 'src/main.ts')],
    {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: Ctrl-C reaches this script alone, which stops each service
      // once, instead of every service seeing SIGINT and then SIGTERM.
      detached: true,
    },
  );
  const label = `\u001b[${colors[index % colors.length]}m${short.padEnd(7)}\u001b[0m │ `;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream as NodeJS.ReadableStream }).on('line', (line) => {
      process.stdout.write(`${label}${line}\n`);
    });
  }
  return child;
}

async function waitUntilReady(ports: number[]): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const statuses = await Promise.all(
      ports.map((port) =>
        fetch(`http://127.0.0.1:${port}/readyz`).then(
          (response) => response.status,
          () => 0,
        ),
      ),
    );
    if (statuses.every((status) => status === 200)) return true;
    await new Promise((done) => setTimeout(done, 250));
  }
  return false;
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  const exits = running.map((child) => new Promise((done) => child.once('exit', done)));
  for (const child of running) child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const child of running) child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS);
  await Promise.all(exits);
  clearTimeout(timer);
}

const settings = await loadSettings();
const problems = await checkInfrastructure(settings[0] as SharedConfig);
if (problems.length > 0) {
  console.error(
    `Switchboard cannot start:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
  );
  process.exit(1);
}

/**
 * Builds the web console the gateway serves at /console/ (vite, a second or two). A failed build
 * leaves the mesh usable: the gateway then says at /console/ how to build it.
 */
function buildConsole(): void {
  const consoleRoot = join(root, 'apps', 'console');
  const vite = join(consoleRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const built = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: consoleRoot,
    stdio: 'inherit',
  });
  if (built.status !== 0) console.error('the web console did not build; /console/ will say so');
}

buildConsole();
const children = serviceShortNames.map(startService);
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping the mesh…');
  await stopAll(children);
  process.exit(code);
};
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void shutdown(0));
}
children.forEach((child, index) => {
  child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${serviceShortNames[index]} exited (${code ?? signal}); stopping the mesh`);
    void shutdown(1);
  });
});

const ports = serviceShortNames.map((short, index) => settings[index]?.[short]?.port ?? 0);
if (await waitUntilReady(ports)) {
  const lines = serviceShortNames.map(
    (short, index) => `  ${short.padEnd(8)} http://127.0.0.1:${ports[index]}`,
  );
  const gatewayPort = ports[serviceShortNames.indexOf('gateway')];
  lines.push(`  ${'console'.padEnd(8)} http://127.0.0.1:${gatewayPort}/console/`);
  console.log(
    `\nSwitchboard is ready (every /readyz is green). Ctrl-C stops it.\n${lines.join('\n')}\n`,
  );
} else if (!stopping) {
  console.error(`not every service became ready within ${READY_TIMEOUT_MS / 1000} s`);
  await shutdown(1);
}
