import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BundleResult,
  bundleService,
  packageNameOf,
  serviceOfFolder,
} from './bundle-service.ts';
import { deployedServices } from './services.ts';
import { productionNpmDependencies, readWorkspace, workspaceClosure } from './workspace.ts';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const run = promisify(execFile);
const workspace = readWorkspace(repoRoot);

let outRoot: string;
const bundles = new Map<string, BundleResult>();

beforeAll(async () => {
  outRoot = await mkdtemp(join(tmpdir(), 'sb-bundle-'));
  for (const { folder } of deployedServices) {
    bundles.set(folder, await bundleService({ repoRoot, folder, outDir: join(outRoot, folder) }));
  }
});
afterAll(async () => {
  await rm(outRoot, { recursive: true, force: true });
});

function bundleOf(folder: string): BundleResult {
  const bundle = bundles.get(folder);
  if (bundle === undefined) throw new Error(`no bundle for ${folder}`);
  return bundle;
}

describe('bundleService', () => {
  it.each(deployedServices)(
    'compiles the workspace packages of $folder into its bundle',
    async ({ folder }) => {
      const bundle = bundleOf(folder);
      const text = await readFile(bundle.mainFile, 'utf8');
      expect(text).not.toMatch(/from ["']@switchboard\//);
      expect(bundle.externalPackages.filter((name) => name.startsWith('@switchboard/'))).toEqual(
        [],
      );
      const production = workspaceClosure(workspace, `@switchboard/${folder}`, { dev: false });
      const folders = production.map((pkg) => `${pkg.folder}/`);
      const outside = bundle.inputs.filter((input) => !folders.some((f) => input.startsWith(f)));
      // Only the service's production closure is compiled in: nothing from tests or devDependencies.
      expect(outside).toEqual([]);
      expect(bundle.inputs).toContain(`apps/${folder}/src/main.ts`);
    },
  );

  it.each(deployedServices)(
    'imports at run time only packages $folder depends on in production',
    ({ folder }) => {
      const production = workspaceClosure(workspace, `@switchboard/${folder}`, { dev: false });
      const installed = productionNpmDependencies(production);
      // `pnpm deploy --prod` installs exactly these: an import of anything else fails in the image.
      const missing = bundleOf(folder).externalPackages.filter((name) => !installed.has(name));
      expect(missing).toEqual([]);
      expect(bundleOf(folder).externalPackages).toContain('fastify');
    },
  );

  it('refuses a folder that is not a service', async () => {
    expect(() => serviceOfFolder('console')).toThrow(
      'apps/console is not a Switchboard service; services: gateway, message-router',
    );
    await expect(
      bundleService({ repoRoot, folder: 'nope', outDir: join(outRoot, 'nope') }),
    ).rejects.toThrow('apps/nope is not a Switchboard service');
  });
});

describe('packageNameOf', () => {
  it('keeps the package of a deep import, scoped or not', () => {
    expect(packageNameOf('fastify')).toBe('fastify');
    expect(packageNameOf('drizzle-orm/pg-core')).toBe('drizzle-orm');
    expect(packageNameOf('@nats-io/kv')).toBe('@nats-io/kv');
    expect(packageNameOf('@nats-io/kv/internal')).toBe('@nats-io/kv');
  });
});

describe('the generated health check', () => {
  let server: Server;
  let status = 200;
  let port: number;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(status).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  async function exitCodeOf(env: Record<string, string>): Promise<number> {
    const file = bundleOf('message-router').healthcheckFile;
    return run(process.execPath, [file], { env: { PATH: process.env.PATH, ...env } }).then(
      () => 0,
      (error: { code: number }) => error.code,
    );
  }

  it('passes while the service port answers /readyz with 200, and fails on 503', async () => {
    status = 200;
    expect(await exitCodeOf({ SB_ROUTER__PORT: String(port) })).toBe(0);
    status = 503;
    expect(await exitCodeOf({ SB_ROUTER__PORT: String(port) })).toBe(1);
    expect(paths).toEqual(['/readyz', '/readyz']);
  });

  it('fails when nothing listens on the port', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const freed = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    expect(await exitCodeOf({ SB_ROUTER__PORT: String(freed) })).toBe(1);
  });

  it('probes the service default port when the variable is unset', async () => {
    const source = await readFile(bundleOf('task-worker').healthcheckFile, 'utf8');
    expect(source).toContain("process.env.SB_TASKS__PORT || '7705'");
  });
});
