// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile variable syntax, not templates
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedServices } from './services.ts';
import { readWorkspace, workspaceClosure } from './workspace.ts';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const run = promisify(execFile);
const dockerfile = DockerfileParser.parse(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const instructions = dockerfile.getInstructions();

/** The instructions of one stage, from its FROM to the next. */
function stage(name: string): Instruction[] {
  const froms = dockerfile.getFROMs();
  const index = froms.findIndex((from) => from.getBuildStage() === name);
  if (index === -1) throw new Error(`the Dockerfile has no stage ${name}`);
  const start = instructions.indexOf(froms[index] as Instruction);
  const next = froms[index + 1];
  return instructions.slice(start, next === undefined ? undefined : instructions.indexOf(next));
}

function argumentsOf(instructionList: Instruction[], keyword: string): string[] {
  return instructionList
    .filter((instruction) => instruction.getKeyword() === keyword)
    .map((instruction) => instruction.getArgumentsContent() ?? '');
}

/** `RUN` bodies with line continuations joined and spaces collapsed. */
function runsOf(stageName: string): string[] {
  return argumentsOf(stage(stageName), 'RUN').map((body) => body.replace(/\s+/g, ' '));
}

describe('Dockerfile', () => {
  const runtime = stage('runtime');

  it('ends with the runtime stage, built on a slim Node image', () => {
    const froms = dockerfile.getFROMs();
    expect(froms.at(-1)?.getBuildStage()).toBe('runtime');
    expect(froms.at(-1)?.getImage()).toBe('node:${NODE_VERSION}-slim');
  });

  it('runs the service as a numeric non-root user', () => {
    const users = argumentsOf(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const last = users.at(-1) as string;
    expect(last).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
  });

  it('starts under tini, which it installs, so signals reach node and zombies are reaped', () => {
    expect(argumentsOf(runtime, 'ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--"]']);
    expect(runsOf('runtime').some((body) => /apt-get install .*\btini\b/.test(body))).toBe(true);
    expect(argumentsOf(runtime, 'CMD')).toEqual(['["node", "dist/main.js"]']);
  });

  it('checks health with the probe script the bundle step writes', () => {
    const healthchecks = argumentsOf(runtime, 'HEALTHCHECK');
    expect(healthchecks).toEqual(['CMD ["node", "dist/healthcheck.mjs"]']);
  });

  it('labels the image with the OCI annotations', () => {
    const labels = argumentsOf(runtime, 'LABEL').join(' ');
    for (const key of ['title', 'description', 'version', 'revision', 'created']) {
      expect(labels).toContain(`org.opencontainers.image.${key}=`);
    }
  });

  it('takes the service as a build argument that defaults to a real service', () => {
    const [global] = argumentsOf(instructions.slice(0, 2), 'ARG').filter((arg) =>
      arg.startsWith('SERVICE='),
    );
    const folder = global?.split('=')[1] as string;
    expect(deployedServices.map((service) => service.folder)).toContain(folder);
    for (const name of ['prune', 'build', 'runtime']) {
      expect(argumentsOf(stage(name), 'ARG')).toContain('SERVICE');
    }
  });

  it('builds the web console and puts it, in the gateway image only, where the gateway looks', () => {
    expect(runsOf('console')).toContain('pnpm --filter @switchboard/console build');
    const copies = stage('build')
      .filter((instruction) => instruction.getKeyword() === 'COPY')
      .map((instruction) => instruction.getTextContent());
    expect(copies).toContain('COPY --from=console /repo/apps/console/dist /console');
    expect(runsOf('build')).toContain(
      'if [ "${SERVICE}" = gateway ]; then cp -r /console /out/console; fi',
    );
    // /out becomes /app in the runtime stage.
    expect(argumentsOf(runtime, 'ENV').join(' ')).toContain('SB_GATEWAY__CONSOLE_DIR=/app/console');
  });

  it('prunes to the service, bundles it, and deploys its production dependencies only', () => {
    expect(runsOf('prune')).toContain(
      'turbo prune "@switchboard/${SERVICE}" @switchboard/infra --docker',
    );
    const build = runsOf('build');
    expect(build).toContain('pnpm install --frozen-lockfile --store-dir /pnpm/store');
    expect(build).toContain('pnpm exec tsx infra/src/main.ts "${SERVICE}"');
    expect(existsSync(join(repoRoot, 'infra/src/main.ts'))).toBe(true);
    const deploy = build.find((body) => body.includes(' deploy '));
    expect(deploy).toContain('pnpm --filter "@switchboard/${SERVICE}" deploy --legacy --prod');
    expect(deploy).toContain('--config.node-linker=hoisted');
    expect(deploy).toContain('cp -r "apps/${SERVICE}/dist" /out/dist');
    expect(argumentsOf(runtime, 'COPY')).toEqual(['/out/ ./']);
  });
});

describe('the pruned build of each service', () => {
  const workspace = readWorkspace(repoRoot);
  const turbo = join(repoRoot, 'node_modules/.bin/turbo');
  let outRoot: string;

  beforeAll(async () => {
    outRoot = await mkdtemp(join(tmpdir(), 'sb-prune-'));
  });
  afterAll(async () => {
    await rm(outRoot, { recursive: true, force: true });
  });

  it.each(deployedServices)('holds every workspace package $folder needs', async ({ folder }) => {
    const name = `@switchboard/${folder}`;
    // What an install needs (devDependencies too) and what the bundle step needs (infra).
    const closure = [
      ...workspaceClosure(workspace, name, { dev: true }),
      ...workspaceClosure(workspace, '@switchboard/infra', { dev: true }),
    ];
    for (const pkg of closure)
      expect(existsSync(join(repoRoot, pkg.folder, 'package.json'))).toBe(true);

    const out = join(outRoot, folder);
    // The same command the Dockerfile's prune stage runs.
    await run(turbo, ['prune', name, '@switchboard/infra', '--docker', '--out-dir', out], {
      cwd: repoRoot,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    });
    for (const pkg of closure) {
      expect(existsSync(join(out, 'json', pkg.folder, 'package.json')), pkg.folder).toBe(true);
      expect(existsSync(join(out, 'full', pkg.folder, 'src')), pkg.folder).toBe(true);
    }
    expect(existsSync(join(out, 'full', 'apps', folder, 'drizzle'))).toBe(true);
    expect(existsSync(join(out, 'json', 'pnpm-lock.yaml'))).toBe(true);
    // Nothing else: another service's change does not rebuild this image.
    const others = deployedServices.filter((service) => service.folder !== folder);
    for (const other of others)
      expect(existsSync(join(out, 'full', 'apps', other.folder))).toBe(false);
  });
});
