import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One workspace package, as its package.json declares it. */
export interface WorkspacePackage {
  name: string;
  /** Folder relative to the repo root (`packages/bus`). */
  folder: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The folders pnpm-workspace.yaml names that this repo uses: `apps/*`, `packages/*` and `infra`. */
const parents = ['apps', 'packages'];
const singles = ['infra'];

/** Every workspace package under `repoRoot`, by name. */
export function readWorkspace(repoRoot: string): Map<string, WorkspacePackage> {
  const folders = [
    ...parents.flatMap((parent) =>
      readdirSync(join(repoRoot, parent), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${parent}/${entry.name}`),
    ),
    ...singles,
  ].filter((folder) => existsSync(join(repoRoot, folder, 'package.json')));
  const packages = new Map<string, WorkspacePackage>();
  for (const folder of folders) {
    const json = JSON.parse(
      readFileSync(join(repoRoot, folder, 'package.json'), 'utf8'),
    ) as PackageJson;
    packages.set(json.name, {
      name: json.name,
      folder,
      dependencies: json.dependencies ?? {},
      devDependencies: json.devDependencies ?? {},
    });
  }
  return packages;
}

function workspaceNames(deps: Record<string, string>): string[] {
  return Object.entries(deps)
    .filter(([, range]) => range.startsWith('workspace:'))
    .map(([name]) => name);
}

/**
 * The workspace packages `root` needs, itself included: its `workspace:` dependencies and
 * theirs, transitively. With `dev`, devDependencies count too (what an install needs); without,
 * only what runs in production. Throws on a `workspace:` dependency that no folder provides.
 */
export function workspaceClosure(
  packages: ReadonlyMap<string, WorkspacePackage>,
  root: string,
  options: { dev: boolean },
): WorkspacePackage[] {
  const seen = new Map<string, WorkspacePackage>();
  const visit = (name: string, from: string) => {
    if (seen.has(name)) return;
    const found = packages.get(name);
    if (found === undefined)
      throw new Error(`${from} depends on ${name}, which no workspace folder provides`);
    seen.set(name, found);
    const deps = options.dev
      ? { ...found.dependencies, ...found.devDependencies }
      : found.dependencies;
    for (const next of workspaceNames(deps)) visit(next, name);
  };
  visit(root, 'the caller');
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The npm packages (not `workspace:`) that `closure` declares as production dependencies. */
export function productionNpmDependencies(closure: readonly WorkspacePackage[]): Set<string> {
  return new Set(
    closure.flatMap((pkg) =>
      Object.entries(pkg.dependencies)
        .filter(([, range]) => !range.startsWith('workspace:'))
        .map(([name]) => name),
    ),
  );
}
