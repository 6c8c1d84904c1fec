import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigFile, readConfigFile } from './file-source.ts';
import { routerConfig } from './test-fixtures.ts';

describe('config file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-config-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the shared sections and its own, skipping other services', () => {
    const yaml = 'namespace: prod\nrouter:\n  retry:\n    maxAttempts: 3\ngateway:\n  port: 1\n';
    expect(parseConfigFile('sb.yaml', yaml, routerConfig)).toEqual({
      values: { namespace: 'prod', router: { retry: { maxAttempts: 3 } } },
      issues: [],
    });
    const json = '{"log":{"level":"debug"},"tasks":{}}';
    expect(parseConfigFile('sb.JSON', json, routerConfig).values).toEqual({
      log: { level: 'debug' },
    });
    expect(parseConfigFile('sb.yml', '', routerConfig)).toEqual({ values: {}, issues: [] });
  });

  it('names an unknown top-level key', () => {
    const { issues } = parseConfigFile('sb.yaml', 'routr: {}\nnamespace: x\n', routerConfig);
    expect(issues).toEqual([
      {
        key: 'routr',
        source: { kind: 'file', path: 'sb.yaml' },
        message: expect.stringMatching(/^unknown section; known sections: namespace, .*router/),
      },
    ]);
  });

  it('names the file and the parser message for unparsable YAML and JSON', () => {
    const yaml = parseConfigFile('./sb.yaml', 'a: [1\nb: 2', routerConfig).issues[0];
    expect(yaml?.source).toEqual({ kind: 'file', path: './sb.yaml' });
    expect(yaml?.message).toMatch(/^cannot parse YAML: .*line 2, column 1$/);
    const json = parseConfigFile('sb.json', '{"a":', routerConfig).issues[0];
    expect(json?.message).toMatch(/^cannot parse JSON: /);
  });

  it('refuses a document that is not a mapping and an unknown file type', () => {
    expect(parseConfigFile('sb.yaml', '- 1\n', routerConfig).issues[0]?.message).toMatch(
      /must hold a mapping/,
    );
    expect(parseConfigFile('sb.toml', 'a = 1', routerConfig).issues[0]?.message).toBe(
      'unsupported file type ".toml": use .yaml, .yml or .json',
    );
  });

  it('reads a file and reports a missing one', async () => {
    const path = join(dir, 'sb.yaml');
    await writeFile(path, 'namespace: fromfile\n');
    await expect(readConfigFile(path, 'sb.yaml', routerConfig)).resolves.toEqual({
      values: { namespace: 'fromfile' },
      issues: [],
      text: 'namespace: fromfile\n',
    });
    const missing = await readConfigFile(join(dir, 'nope.yaml'), 'nope.yaml', routerConfig);
    expect(missing.issues[0]?.message).toMatch(/^file not found/);
    const unreadable = await readConfigFile(dir, 'dir.yaml', routerConfig);
    expect(unreadable.issues[0]?.message).toMatch(/^cannot read: .*EISDIR/);
  });
});
