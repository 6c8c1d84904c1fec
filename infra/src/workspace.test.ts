import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  productionNpmDependencies,
  readWorkspace,
  type WorkspacePackage,
  workspaceClosure,
} from './workspace.ts';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

function pkg(name: string, deps: Record<string, string>, dev: Record<string, string> = {}) {
  return { name, folder: name, dependencies: deps, devDependencies: dev } as WorkspacePackage;
}

describe('workspaceClosure', () => {
  const packages = new Map(
    [
      pkg('app', { lib: 'workspace:*', zod: '^4' }, { tools: 'workspace:*' }),
      pkg('lib', { base: 'workspace:*', pino: '^10' }),
      pkg('base', { lib: 'workspace:*' }),
      pkg('tools', { vitest: '4' }),
      pkg('broken', { ghost: 'workspace:*' }),
    ].map((p) => [p.name, p]),
  );

  it('follows workspace dependencies transitively, cycles included, devDependencies on request', () => {
    expect(workspaceClosure(packages, 'app', { dev: false }).map((p) => p.name)).toEqual([
      'app',
      'base',
      'lib',
    ]);
    expect(workspaceClosure(packages, 'app', { dev: true }).map((p) => p.name)).toEqual([
      'app',
      'base',
      'lib',
      'tools',
    ]);
  });

  it('refuses a workspace dependency that no folder provides', () => {
    expect(() => workspaceClosure(packages, 'broken', { dev: false })).toThrow(
      'broken depends on ghost, which no workspace folder provides',
    );
  });

  it('lists the npm packages a closure needs in production', () => {
    const closure = workspaceClosure(packages, 'app', { dev: false });
    expect([...productionNpmDependencies(closure)].sort()).toEqual(['pino', 'zod']);
  });
});

describe('readWorkspace', () => {
  it('finds the apps, the packages and infra of this repo', () => {
    const packages = readWorkspace(repoRoot);
    expect(packages.get('@switchboard/gateway')?.folder).toBe('apps/gateway');
    expect(packages.get('@switchboard/bus')?.folder).toBe('packages/bus');
    expect(packages.get('@switchboard/infra')?.folder).toBe('infra');
  });
});
