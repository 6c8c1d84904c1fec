import { defineConfig } from 'tsup';

// The published build: one ESM file with its shebang, for Node 20+. The internal packages
// (authz for minting keys, protocol for error codes) are bundled in; commander, zod and uuid
// stay dependencies.
export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  noExternal: [/^@switchboard\//],
});
