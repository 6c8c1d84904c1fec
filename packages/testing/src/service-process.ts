import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A service running as its own process, as in production. */
export interface ServiceProcess {
  child: ChildProcess;
  /** The HTTP port the service reported in its `ready` line. */
  port: number;
  /** Every stdout/stderr line so far (JSON log lines). */
  output: string[];
  /** Sends `signal` and resolves with the exit code (or the signal that ended it). */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `apps/<folder>/src/main.ts` under tsx with `env` on top of a clean environment and
 * resolves once it logs `ready` (or rejects with its output when it exits first). `nodeArgs`
 * go to Node itself (`--cpu-prof` for a benchmark's profile).
 */
export async function spawnService(
  folder: string,
  env: Record<string, string>,
  options: { timeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<ServiceProcess> {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', 'tsx', join(repoRoot, 'apps', folder, 'src/main.ts')],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...env,
        // The port comes from the `ready` line, logged at info: never quieter than that.
        SB_LOG__LEVEL: ['trace', 'debug'].includes(env.SB_LOG__LEVEL ?? '')
          ? (env.SB_LOG__LEVEL as string)
          : 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const ready = new Promise<number>((resolveReady, rejectReady) => {
    const onLine = (line: string) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'ready' && typeof entry.port === 'number') resolveReady(entry.port);
      } catch {
        // Not a JSON log line (tsx or Node warnings): kept in `output` only.
      }
    };
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', onLine);
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', onLine);
    void exited.then(([code, signal]) =>
      rejectReady(
        new Error(`${folder} exited (${code ?? signal}) before ready:\n${output.join('\n')}`),
      ),
    );
    setTimeout(
      () => rejectReady(new Error(`${folder} not ready in time:\n${output.join('\n')}`)),
      options.timeoutMs ?? 20_000,
    ).unref();
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const [code, exitSignal] = await exited;
    return { code, signal: exitSignal };
  };
  try {
    const port = await ready;
    return { child, port, output, stop };
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
}
