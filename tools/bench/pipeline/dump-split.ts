// Writes the pipeline's seeded 80/20 stratified split of a table as row indices (for comparing
// reference models on exactly the same rows): npx tsx tools/bench/pipeline/dump-split.ts file target out.json
import { writeFileSync } from 'node:fs';
import { readTable, stratifiedSplit } from '@campaign-ml/ingest';

(async () => {
  const [file, target, out] = process.argv.slice(2);
  const table = await readTable(file);
  const split = stratifiedSplit(table, { target, testSize: 0.2, seed: 42 });
  writeFileSync(out, JSON.stringify({ train: Array.from(split.trainIndices), test: Array.from(split.testIndices) }));
})();
