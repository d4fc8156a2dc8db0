import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base.mjs';

// split-worker is the entry of the tree engine's worker threads (src/trees/split-threads.ts finds
// it beside index.js); it is not part of the public API.
export default defineConfig(
  packageConfig({ entry: { index: 'src/index.ts', 'split-worker': 'src/trees/split-worker.ts' } }),
);
