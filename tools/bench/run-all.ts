/**
 * Runs the benchmarks one after another (they measure ratios against references in the same
 * run, so they should not share the machine with each other):
 *
 *   npm run bench                 # ingest, features, models, api
 *   npm run bench -- pipeline     # also the end-to-end real-data pipeline runs (~10 minutes)
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const benches = [
  'tools/bench/ingest/read.ts',
  'tools/bench/features/recipe.ts',
  'tools/bench/models/trees.ts',
  'tools/bench/models/threads.ts',
  'tools/bench/models/linear.ts',
  'tools/bench/models/mlp.ts',
  'tools/bench/models/recurrent.ts',
  'tools/bench/api/load.ts',
  'tools/bench/explain/tree-shap.ts',
  'tools/bench/explain/leaf-masks.ts',
  'tools/bench/explain/counterfactuals.ts',
  ...(process.argv.includes('pipeline') ? ['tools/bench/pipeline/real-data.ts'] : []),
];
for (const b of benches) {
  console.log(`\n## ${b}\n`);
  execFileSync(tsx, [path.join(root, b)], { cwd: root, stdio: 'inherit' });
}
