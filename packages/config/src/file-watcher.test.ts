import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchConfigFile } from './file-watcher.ts';
import { waitFor } from './test-fixtures.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-config-watch-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('watchConfigFile', () => {
  it('debounces a burst of writes into one call', async () => {
    const path = join(dir, 'burst.yaml');
    await writeFile(path, 'a: 0\n');
    let calls = 0;
    const stop = watchConfigFile(path, () => (calls += 1), {
      intervalMs: 5000,
      debounceMs: 500,
      onError: () => undefined,
    });
    for (let index = 1; index <= 5; index += 1) await writeFile(path, `a: ${index}\n`);
    await waitFor(() => calls > 0);
    stop();
    expect(calls).toBe(1);
  });

  it('falls back to polling when the directory cannot be watched', async () => {
    const missingDir = join(dir, 'later');
    const path = join(missingDir, 'sb.yaml');
    const errors: unknown[] = [];
    let calls = 0;
    const stop = watchConfigFile(path, () => (calls += 1), {
      intervalMs: 20,
      debounceMs: 5,
      onError: (error) => errors.push(error),
    });
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('ENOENT');
    await mkdir(missingDir);
    await writeFile(path, 'a: 1\n');
    await waitFor(() => calls > 0);
    stop();
  });
});
