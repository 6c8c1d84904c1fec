import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@switchboard/testing';

/** A nats-server of its own, started with the compose NATS config (infra/nats/nats.conf). */
export interface ComposeNatsServer {
  url: string;
  /** Password of each NATS user (`gateway`, `router`, ..., `admin`), made up for this run. */
  passwords: Record<string, string>;
  /** Everything the server logged so far. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

const natsServerPath = '/usr/sbin/nats-server';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/**
 * The NATS config written for the namespace `sb`, for another namespace: what docs/deploy.md
 * tells operators to do (replace `sb.` and `sb_` in the subjects and stream names).
 */
export function forNamespace(text: string, namespace: string): string {
  return text
    .replaceAll('sb.v1.', `${namespace}.v1.`)
    .replaceAll('sb_events', `${namespace}_events`)
    .replaceAll('sb_config', `${namespace}_config`);
}

/**
 * Starts nats-server with the compose config (`nats.conf` and the `permissions.json` it
 * includes, from `configDir`, rewritten for `namespace`) on free loopback ports and a fresh
 * JetStream directory, with a random password per user in its environment (as compose passes
 * them).
 */
export async function startComposeNatsServer(options: {
  configDir: string;
  namespace: string;
  users: readonly string[];
}): Promise<ComposeNatsServer> {
  if (!existsSync(natsServerPath)) {
    throw new Error(`${natsServerPath} is missing: this machine kind ships nats-server there`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'sb-nats-'));
  for (const file of ['nats.conf', 'permissions.json']) {
    const text = await readFile(join(options.configDir, file), 'utf8');
    await writeFile(join(dir, file), forNamespace(text, options.namespace));
  }
  const configPath = join(dir, 'nats.conf');
  const logFile = join(dir, 'nats.log');
  const [port, httpPort] = [await freePort(), await freePort()];
  // NATS parses a variable's value as config: a password must read as a bare string (start
  // with a letter), as docs/deploy.md tells operators.
  const passwords = Object.fromEntries(
    options.users.map((user) => [user, `p${randomBytes(12).toString('hex')}`]),
  );
  const env = Object.fromEntries(
    Object.entries(passwords).map(([user, pass]) => [`NATS_${user.toUpperCase()}_PASSWORD`, pass]),
  );
  const args = ['-c', configPath, '-a', '127.0.0.1', '-p', String(port), '-m', String(httpPort)];
  const child: ChildProcess = spawn(
    natsServerPath,
    [...args, '-sd', join(dir, 'jetstream'), '-l', logFile],
    { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => readFile(logFile, 'utf8').catch(() => '');
  await waitFor(async () => (await log()).includes('Server is ready'), {
    timeoutMs: 10_000,
    what: `nats-server with ${configPath} to be ready`,
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}${await log()}`);
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    passwords,
    log,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
