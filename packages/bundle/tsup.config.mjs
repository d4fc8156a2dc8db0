import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base.mjs';

// Two entries: the browser-safe core, and `node` with file reading and atomic writing.
export default defineConfig(packageConfig({ entry: ['src/index.ts', 'src/node.ts'] }));
