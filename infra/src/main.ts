/**
 * Image build step (see the Dockerfile): `pnpm exec tsx infra/src/main.ts <app folder>` bundles
 * `apps/<folder>/src/main.ts` into `apps/<folder>/dist/` (and writes its health check there).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleService } from './bundle-service.ts';

const folder = process.argv[2];
if (folder === undefined) {
  console.error('usage: tsx infra/src/main.ts <app folder>   (gateway, message-router, ...)');
  process.exit(2);
}
const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const result = await bundleService({
  repoRoot,
  folder,
  outDir: join(repoRoot, 'apps', folder, 'dist'),
  nodeTarget: `node${process.versions.node.split('.')[0]}`,
});
console.log(`bundled ${result.service} into ${result.mainFile}`);
console.log(`imports at run time: ${result.externalPackages.join(', ')}`);
