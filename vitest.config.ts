import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One project per workspace package, so `vitest run --project @switchboard/bus` (each package's
// `test` script) runs one package while `pnpm test` runs them all with one coverage report.
// `infra` is itself a package (the deployment files' checks), not a folder of packages.
const packageRoots = [
  ...['packages', 'apps'].flatMap((parent) =>
    readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(parent, entry.name)),
  ),
  'infra',
];
const projects = packageRoots.map((root) => {
  const { name } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
  };
  return { extends: true as const, test: { name, root, include: ['src/**/*.test.ts'] } };
});

export default defineConfig({
  test: {
    projects,
    // Absolute: every project inherits it and resolves relative paths from its own root.
    globalSetup: [
      fileURLToPath(new URL('./packages/testing/src/check-infrastructure.ts', import.meta.url)),
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Every file gets its own database and namespace, so files run in parallel safely.
    fileParallelism: true,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts', 'infra/src/**/*.ts'],
      // main.ts files are process entries: tests run them as child processes, whose coverage
      // v8 does not collect here; their logic lives in app.ts, which is covered.
      // The console's browser code runs in Chromium, out of this process's reach: its
      // behaviour is checked end to end by apps/console/src/console.browser.test.ts.
      exclude: [
        '**/*.test.ts',
        '**/main.ts',
        '**/test-*.ts',
        'apps/console/src/{api,pages,components}/**',
      ],
      reporter: ['text-summary', 'json-summary', 'html'],
    },
  },
});
