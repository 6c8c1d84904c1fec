import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { EMBEDDED_SUBSET } from './packages/testing/src/embedded-subset.ts';

// One project per workspace package, so `vitest run --project @switchboard/bus` (each package's
// `test` script) runs one package while `pnpm test` runs them all with one coverage report.
// `infra` and `load` are themselves packages (the deployment files' checks, the load suite).
const packageRoots = [
  ...['packages', 'apps'].flatMap((parent) =>
    readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(parent, entry.name)),
  ),
  'infra',
  'load',
];
// `SB_MODE=embedded pnpm test` runs the embedded subset only (each project its files of it), over
// one embedded Postgres; `pnpm test` runs every file against the real Postgres, Redis and NATS.
const embedded = process.env.SB_MODE === 'embedded';
const includeOf = (root: string) =>
  embedded
    ? EMBEDDED_SUBSET.filter((file) => file.startsWith(`${root}/`)).map((file) =>
        file.slice(root.length + 1),
      )
    : ['src/**/*.test.ts'];
const projects = packageRoots
  .filter((root) => includeOf(root).length > 0)
  .map((root) => {
    const { name } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      name: string;
    };
    return { extends: true as const, test: { name, root, include: includeOf(root) } };
  });

export default defineConfig({
  test: {
    projects,
    // Absolute: every project inherits it and resolves relative paths from its own root.
    globalSetup: [
      fileURLToPath(
        new URL(
          embedded
            ? './packages/embedded/src/test-postgres.ts'
            : './packages/testing/src/check-infrastructure.ts',
          import.meta.url,
        ),
      ),
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Every file gets its own database and namespace, so files run in parallel safely.
    fileParallelism: true,
    // Each mode its own report and coverage folder: CI runs both and checks each for skips.
    reporters: [
      'default',
      ['json', { outputFile: embedded ? 'reports/vitest-embedded.json' : 'reports/vitest.json' }],
    ],
    coverage: {
      provider: 'v8',
      // load/: its pure modules (mix, checker, knee, slopes, reports) are unit-tested here; the
      // processes that drive a mesh run only under `pnpm load`, never in this suite.
      include: [
        'packages/*/src/**/*.ts',
        'apps/*/src/**/*.ts',
        'infra/src/**/*.ts',
        'load/src/**/*.ts',
      ],
      // main.ts files are process entries: tests run them as child processes, whose coverage
      // v8 does not collect here; their logic lives in app.ts, which is covered.
      // The console's browser code runs in Chromium, out of this process's reach: its
      // behaviour is checked end to end by apps/console/src/console.browser.test.ts.
      exclude: [
        '**/*.test.ts',
        '**/main.ts',
        '**/test-*.ts',
        'apps/console/src/{api,pages,components}/**',
        // The load suite's processes and I/O (generators, the mesh, the run, samplers, fault
        // injection) drive a real mesh under `pnpm load` (CI's load smoke), never under vitest.
        'load/src/{run,mesh,stored-data,remote-ends,processes,free-port}.ts',
        'load/src/generator-*.ts',
        'load/src/chaos/{inject,own-infra,run-chaos}.ts',
        'load/src/soak/{run-soak,soak-sampler}.ts',
      ],
      reporter: ['text-summary', 'json-summary', 'html'],
      ...(embedded ? { reportsDirectory: 'coverage/embedded' } : {}),
    },
  },
});
