import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { defineConfig, type Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

// The protocol package is private and exports TypeScript source (no `types` field for tsup's
// resolver), so the declaration build is pointed at its entry file to inline its types.
const protocolEntry = createRequire(import.meta.url).resolve('@switchboard/protocol');
const protocolDir = dirname(protocolEntry);
const resolving = Symbol('resolving');

// The protocol's modules only declare schemas, types and constants. Saying so lets esbuild drop
// the ones the SDK never imports (service RPCs, subjects, events) from the bundle.
const protocolWithoutSideEffects: EsbuildPlugin = {
  name: 'protocol-without-side-effects',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      const inProtocol =
        args.path === '@switchboard/protocol' ||
        (args.path.startsWith('.') && args.importer.startsWith(protocolDir));
      if (!inProtocol || args.pluginData === resolving) return undefined;
      const result = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: resolving,
      });
      return result.errors.length > 0
        ? { errors: result.errors }
        : { ...result, sideEffects: false };
    });
  },
};

// The published build: ESM + .d.ts in dist/. The internal protocol package is bundled in (code
// and types); zod and uuid stay dependencies and `ws` an optional peer.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  platform: 'neutral',
  target: 'es2022',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  noExternal: ['@switchboard/protocol'],
  external: ['ws'],
  esbuildPlugins: [protocolWithoutSideEffects],
  dts: {
    resolve: true,
    compilerOptions: {
      paths: { '@switchboard/protocol': [protocolEntry] },
      // tsup's declaration step sets `baseUrl`, which TypeScript 6 deprecates.
      ignoreDeprecations: '6.0',
    },
  },
});
