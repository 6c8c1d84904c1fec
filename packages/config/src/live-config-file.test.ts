import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';
import { MemoryOverrideStore, recordingLogger, routerConfig, waitFor } from './test-fixtures.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-config-live-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function startedWithFile(text: string, options: { watchFile?: boolean } = {}) {
  const path = join(dir, 'sb.yaml');
  await writeFile(path, text);
  const config = await loadConfig(routerConfig, { env: { SWITCHBOARD_CONFIG: path } });
  const store = new MemoryOverrideStore();
  const log = recordingLogger();
  await config.start(store, {
    log,
    fileWatchIntervalMs: 20,
    fileDebounceMs: 10,
    ...options,
  });
  return { config, store, log, path };
}

/** Replaces the file in one step, as careful editors do, so no read sees it half written. */
async function replaceFile(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

/** Handles that keep a process alive: watchers and timers. */
function liveHandles(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((name) => name === 'FSEventWrap' || name === 'StatWatcher' || name === 'Timeout');
}

describe('LiveConfig file watching', () => {
  it('applies a file change live without clobbering an override', async () => {
    const { config, path } = await startedWithFile('log:\n  level: info\n');
    await config.set('router.retry.maxAttempts', 9);
    await replaceFile(path, 'log:\n  level: debug\nrouter:\n  retry:\n    maxAttempts: 3\n');
    await waitFor(() => config.current.log.level === 'debug');
    expect(config.current.router.retry.maxAttempts).toBe(9);
    expect(config.report('log.level')[0]?.source).toBe('file');
    await config.unset('router.retry.maxAttempts');
    expect(config.current.router.retry.maxAttempts).toBe(3);
    await config.stop();
  });

  it('follows a file an editor replaces, and reports a restart-only change as pending', async () => {
    const { config, log, path } = await startedWithFile('router:\n  queue:\n    maxInFlight: 4\n');
    const next = join(dir, 'sb.yaml.tmp');
    await writeFile(next, 'router:\n  queue:\n    maxInFlight: 8\n');
    await rename(next, path);
    await waitFor(() => config.report('router.queue')[0]?.pendingRestart !== undefined);
    expect(config.report('router.queue')).toEqual([
      {
        key: 'router.queue.maxInFlight',
        value: 4,
        source: 'file',
        live: false,
        pendingRestart: { value: 8, source: 'file' },
      },
    ]);
    expect(config.current.router.queue.maxInFlight).toBe(4);
    expect(
      log.lines.some((line) => line.message === 'config setting takes effect after a restart'),
    ).toBe(true);
    await config.stop();
  });

  it('ignores an unparsable or invalid file and a missing one, keeping the values', async () => {
    const { config, log, path } = await startedWithFile('log:\n  level: warn\n');
    const refused = () =>
      log.lines.filter(
        (line) => line.message === 'config file change refused; keeping the values in effect',
      );
    await replaceFile(path, '');
    await waitFor(() =>
      log.lines.some((line) => line.message.startsWith('the config file is empty')),
    );
    await replaceFile(path, 'log: [warn\n');
    await waitFor(() => refused().length === 1);
    expect(refused()[0]?.details.reason).toMatch(/^file .*sb\.yaml: cannot parse YAML/);
    await replaceFile(path, 'log:\n  level: loud\n');
    await waitFor(() => refused().length === 2);
    expect(refused()[1]?.details.reason).toMatch(/log\.level = "loud" \(file .*\): must be one of/);
    await rm(path);
    await waitFor(() =>
      log.lines.some((line) => line.message.startsWith('cannot read the config file')),
    );
    expect(config.current.log.level).toBe('warn');
    expect(refused().every((line) => line.level === 'error')).toBe(true);
    await replaceFile(path, 'log:\n  level: error\n');
    await waitFor(() => config.current.log.level === 'error');
    await config.stop();
  });

  it('keeps following the file by polling when its directory cannot be watched', async () => {
    const sub = join(dir, 'conf');
    const path = join(sub, 'sb.yaml');
    await mkdir(sub);
    await writeFile(path, 'log:\n  level: warn\n');
    const config = await loadConfig(routerConfig, { env: { SWITCHBOARD_CONFIG: path } });
    await rm(sub, { recursive: true });
    const log = recordingLogger();
    // Default intervals: the poll runs every second.
    await config.start(new MemoryOverrideStore(), { log });
    expect(log.lines.map((line) => line.message)).toContain(
      'config file watcher failed; polling instead',
    );
    await mkdir(sub);
    await replaceFile(path, 'log:\n  level: debug\n');
    await waitFor(() => config.current.log.level === 'debug');
    await config.stop();
  });

  it('logs a file change that fails to apply instead of crashing', async () => {
    const { config, log, path } = await startedWithFile('log:\n  level: warn\n');
    log.info = () => {
      throw new Error('log sink down');
    };
    await replaceFile(path, 'log:\n  level: debug\n');
    await waitFor(() =>
      log.lines.some((line) => line.message === 'reloading the config file failed'),
    );
    await config.stop();
  });

  it('leaves no watcher or timer behind once stopped', async () => {
    const before = liveHandles().length;
    const { config, path } = await startedWithFile('log:\n  level: warn\n');
    expect(liveHandles().length).toBeGreaterThan(before);
    await replaceFile(path, 'log:\n  level: debug\n');
    await config.stop();
    await waitFor(() => liveHandles().length === before);
  });

  it('does not watch the file when asked not to', async () => {
    const before = liveHandles().length;
    const { config } = await startedWithFile('log:\n  level: warn\n', { watchFile: false });
    expect(liveHandles().length).toBe(before);
    await config.stop();
  });
});
