import { defineConfig } from 'tsup';

// One file, dist/main.js, that `node apps/api/dist/main.js` runs: workspace packages
// (@campaign-ml/*) are bundled from their sources (tsconfig paths); every other bare import
// stays external and is loaded from node_modules at run time.
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['cjs'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  dts: false,
  splitting: false,
  tsconfig: '../../tsconfig.base.json',
  noExternal: [/^@campaign-ml\//],
  external: [/^(?!@campaign-ml\/)[a-z@][^:]*$/],
  // The packages say "sideEffects": false, but their modules register JSON loaders when imported
  // (registerLoader); keep every module so a bundle's steps and models can be loaded.
  esbuildOptions(options) {
    options.ignoreAnnotations = true;
  },
});
