import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKubectl, loadOverlay, parseObjects, readBaseFiles } from './kustomize.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-kustomize-'));
  await mkdir(join(dir, 'base'));
  await writeFile(
    join(dir, 'base', 'kustomization.yaml'),
    [
      'resources: [app.yaml]',
      'configMapGenerator:',
      '  - name: app',
      '    literals: [SB_A=1, SB_URL=postgres://x?a=b]',
      '  - name: empty',
      'generatorOptions:',
      '  labels: { team: core }',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'base', 'app.yaml'),
    'kind: Service\nmetadata: { name: a }\n---\n---\nkind: Service\nmetadata: { name: b }\n',
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readBaseFiles', () => {
  it('reads the resources and makes the ConfigMaps of the generators, without hashes', async () => {
    const objects = await readBaseFiles(join(dir, 'base'));
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      'Service/a',
      'Service/b',
      'ConfigMap/app',
      'ConfigMap/empty',
    ]);
    expect(objects[2]).toMatchObject({
      metadata: { labels: { team: 'core' } },
      data: { SB_A: '1', SB_URL: 'postgres://x?a=b' },
    });
  });
});

describe('loadOverlay', () => {
  it('falls back to the base files, with the reason, when there is no kubectl', async () => {
    const source = await loadOverlay(join(dir, 'overlay'), join(dir, 'base'), undefined);
    expect(source).toMatchObject({ rendered: false, reason: 'kubectl is not on PATH' });
    expect(source.objects).toHaveLength(4);
  });
});

describe('findKubectl', () => {
  it('finds kubectl in a PATH folder, and nothing in an empty PATH', async () => {
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'kubectl'), '#!/bin/sh\n');
    await chmod(join(bin, 'kubectl'), 0o755);
    expect(findKubectl(`/nonexistent::${bin}`)).toBe(join(bin, 'kubectl'));
    expect(findKubectl('')).toBeUndefined();
  });
});

describe('parseObjects', () => {
  it('throws on YAML that does not parse', () => {
    expect(() => parseObjects('kind: [unclosed')).toThrow();
  });
});
