import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type LoggerOptions } from './create-logger.ts';
import { openFileSink } from './file-sink.ts';
import { capture } from './test-capture.ts';

const waitOptions = { timeout: 10_000, interval: 10 };
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-logger-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function loggerWithFile(file: LoggerOptions['file'], format: LoggerOptions['format'] = 'json') {
  const out = capture();
  const log = createLogger({
    service: 'tasks',
    instanceId: 'tasks-1',
    level: 'info',
    format,
    destination: out.stream,
    file,
  });
  return { log, out };
}

async function readLines(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The files pino-roll made for `app.log`, oldest first (`app.1.log`, `app.2.log`, ...). */
async function rolledFiles(): Promise<string[]> {
  const rotation = (name: string) => Number(name.split('.')[1]);
  return (await readdir(dir))
    .filter((name) => /^app\.\d+\.log$/.test(name))
    .sort((a, b) => rotation(a) - rotation(b));
}

describe('file output', () => {
  it('writes JSON lines to the file and stdout, and close() flushes them', async () => {
    const { log, out } = loggerWithFile({ path: join(dir, 'app.log') });

    log.child({ traceId: 'trace-1' }).info('first');
    log.warn({ count: 3 }, 'second');
    await log.close();

    const lines = await readLines(join(dir, 'app.1.log'));
    expect(lines).toMatchObject([
      { service: 'tasks', instanceId: 'tasks-1', level: 'info', traceId: 'trace-1', msg: 'first' },
      { level: 'warn', count: 3, msg: 'second' },
    ]);
    expect(out.lines().map((line) => line.msg)).toEqual(['first', 'second']);
  });

  it('follows setLevel in the file as on stdout', async () => {
    const { log } = loggerWithFile({ path: join(dir, 'app.log') });
    const child = log.child({ agentId: 'a' });

    child.debug('hidden');
    log.setLevel('debug');
    child.debug('shown');
    await log.close();

    expect((await readLines(join(dir, 'app.1.log'))).map((line) => line.msg)).toEqual(['shown']);
  });

  it('writes JSON to the file while stdout is pretty', async () => {
    const { log, out } = loggerWithFile({ path: join(dir, 'app.log') }, 'pretty');

    log.info('both ways');
    await log.close();

    expect(await readLines(join(dir, 'app.1.log'))).toMatchObject([{ msg: 'both ways' }]);
    expect(out.text()).toContain('both ways');
    expect(() => JSON.parse(out.text())).toThrow();
  });

  it('rotates by size and keeps at most limit old files', async () => {
    const limit = 2;
    const { log } = loggerWithFile({ path: join(dir, 'app.log'), size: '1k', limit });
    // One line larger than the size per file: pino-roll rolls after the write that crosses it.
    const padding = 'x'.repeat(1_500);
    const lineCount = limit + 3;

    for (let n = 1; n <= lineCount; n += 1) {
      log.info({ n, padding }, 'big');
      await log.flush();
      await vi.waitFor(async () => {
        expect(await rolledFiles()).toContain(`app.${n + 1}.log`);
      }, waitOptions);
    }
    await vi.waitFor(async () => {
      expect(await rolledFiles()).toHaveLength(limit + 1);
    }, waitOptions);
    log.info('latest');
    await log.close();

    const files = await rolledFiles();
    expect(files).toEqual([
      `app.${lineCount - 1}.log`,
      `app.${lineCount}.log`,
      `app.${lineCount + 1}.log`,
    ]);
    expect(await readLines(join(dir, `app.${lineCount}.log`))).toMatchObject([{ n: lineCount }]);
    expect(await readLines(join(dir, `app.${lineCount + 1}.log`))).toMatchObject([
      { msg: 'latest' },
    ]);
  });

  it('reports a file that cannot be opened on stdout and keeps logging there', async () => {
    const path = join(dir, 'missing', 'app.log');
    const { log, out } = loggerWithFile({ path, mkdir: false });

    log.info('before the failure');
    await vi.waitFor(() => {
      expect(out.lines().some((line) => line.level === 'error')).toBe(true);
    }, waitOptions);
    log.info('after the failure');
    await log.flush();
    await log.close();

    const lines = out.lines();
    const failure = lines.find((line) => line.level === 'error');
    expect(failure?.msg).toBe(`log file ${path} failed: logging to stdout only`);
    expect(failure?.err).toMatchObject({ message: expect.stringContaining('ENOENT') });
    expect(lines.map((line) => line.msg)).toContain('after the failure');
    expect(await readdir(dir)).toEqual([]);
  });

  // Slow on purpose (10 s): that is how long thread-stream waits for a worker before ending it.
  it('resolves close() when the file worker never finishes', async () => {
    const target = fileURLToPath(new URL('./test-hanging-target.cjs', import.meta.url));
    const sink = openFileSink({ path: join(dir, 'app.log') }, () => undefined, target);
    sink.write('{"msg":"pending"}\n');

    await expect(sink.close()).resolves.toBeUndefined();
    await expect(sink.flush()).resolves.toBeUndefined();
  });
});

describe('stdout', () => {
  it('writes to the process stdout when no destination is given', async () => {
    const index = pathToFileURL(fileURLToPath(new URL('./index.ts', import.meta.url))).href;
    const script = [
      `import { createLogger } from ${JSON.stringify(index)};`,
      "const log = createLogger({ service: 'state', instanceId: 's-1', level: 'info', format: 'json' });",
      "log.info('on stdout');",
      'await log.close();',
    ].join('\n');

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      { cwd: fileURLToPath(new URL('.', import.meta.url)) },
    );

    expect(JSON.parse(stdout)).toMatchObject({
      service: 'state',
      instanceId: 's-1',
      msg: 'on stdout',
    });
  });
});
