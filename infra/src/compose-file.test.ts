// biome-ignore-all lint/suspicious/noTemplateCurlyInString: compose variable syntax, not templates
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadComposeFile, parsePortMapping } from './compose.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-compose-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadComposeFile', () => {
  it('applies merge keys and interpolation, and reads both forms of environment', async () => {
    const path = join(dir, 'compose.yml');
    await writeFile(
      path,
      [
        'x-base: &base',
        '  restart: always',
        'services:',
        '  listed:',
        '    <<: *base',
        '    environment:',
        '      - A=${A:-one}',
        '      - B',
        '      - C=x=y',
        '  mapped:',
        '    environment:',
        '      PORT: 7700',
        '      ON: true',
        '      EMPTY:',
        '  bare: {}',
        'volumes:',
        '  data:',
      ].join('\n'),
    );
    const compose = await loadComposeFile(path, { A: 'set' });
    expect(compose.services.listed).toMatchObject({
      restart: 'always',
      environment: { A: 'set', B: '', C: 'x=y' },
    });
    expect(compose.services.mapped?.environment).toEqual({ PORT: '7700', ON: 'true', EMPTY: '' });
    expect(compose.services.bare?.environment).toEqual({});
    expect(Object.keys(compose.volumes)).toEqual(['data']);
  });

  it('reads a file without services or volumes as empty', async () => {
    const path = join(dir, 'empty.yml');
    await writeFile(path, 'name: empty\n');
    expect(await loadComposeFile(path, {})).toEqual({ services: {}, volumes: {} });
  });
});

describe('parsePortMapping', () => {
  it('reads container-only, host:container and address:host:container mappings', () => {
    expect(parsePortMapping('7700')).toEqual({ containerPort: '7700' });
    expect(parsePortMapping('8080:7700')).toEqual({ hostPort: '8080', containerPort: '7700' });
    expect(parsePortMapping('127.0.0.1:7700:7700/tcp')).toEqual({
      hostAddress: '127.0.0.1',
      hostPort: '7700',
      containerPort: '7700',
    });
  });
});
