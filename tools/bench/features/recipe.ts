/**
 * Benchmark of the default feature recipe on the real Kickstarter table (../shared/data).
 *   npx tsx tools/bench/features/recipe.ts
 * Fits recommendedPipeline (tree and linear) on the full 15,215 x 46 table and transforms 100k
 * rows (the table repeated). Times are medians of warm runs; each is also given as a ratio to a
 * reference measured in the same run: copying every numeric column of the same rows into a
 * Float64Array (the least any table -> Matrix step can do). Targets: fit < 2 s, 100k rows < 1 s.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { recommendedPipeline, schemaFromTable } from '@campaign-ml/features';
import { readTableSync } from '@campaign-ml/ingest';

const csv = path.resolve(__dirname, '../../../../shared/data/kickstarter/kickstarter.csv');
if (!fs.existsSync(csv)) {
  console.log(`skipped: ${csv} not found`);
  process.exit(0);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => void, runs = 5): number {
  fn(); // warm-up (JIT)
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

function copyNumeric(table: ColumnTable): Float64Array {
  const names = table.columnNames().filter((c) => typeof table.get(c, 0) === 'number');
  const n = table.numRows();
  const out = new Float64Array(n * names.length);
  names.forEach((c, j) => {
    const v = table.array(c) as number[];
    for (let i = 0; i < n; i++) out[j * n + i] = v[i] ?? NaN;
  });
  return out;
}

const t0 = performance.now();
const table = readTableSync(csv);
console.log(
  `read ${table.numRows()} x ${table.numCols()} in ${(performance.now() - t0).toFixed(0)} ms (csv-parse, not measured below)`,
);
const y = (table.array('state') as string[]).map((s) => (s === 'successful' ? 1 : 0));
const schema = schemaFromTable(table);
for (const c of schema.columns) {
  if (c.name === 'id') c.role = 'id';
  if (c.name === 'state') c.role = 'target';
  if (c.name === 'name') c.type = 'text';
}
const leaks = [
  'pledged',
  'usd_pledged',
  'backers_count',
  'spotlight',
  'staff_pick.1',
  ...table.columnNames().filter((c) => c.startsWith('state_changed_at')),
];
const big = aq.table(
  Object.fromEntries(
    table.columnNames().map((c) => {
      const v = table.array(c) as unknown[];
      const out: unknown[] = [];
      while (out.length < 100_000) out.push(...v);
      return [c, out.slice(0, 100_000)];
    }),
  ),
);

const refFit = time(() => copyNumeric(table));
const refBig = time(() => copyNumeric(big));
console.log(
  `reference: numeric copy ${table.numRows()} rows ${refFit.toFixed(1)} ms, 100k rows ${refBig.toFixed(1)} ms`,
);
for (const model of ['tree', 'linear'] as const) {
  const pipe = recommendedPipeline(schema, 'binary', { model }).drop(leaks);
  const fitted = pipe.fit(table, y);
  const fit = time(() => pipe.fitTransform(table, y));
  const tr = time(() => fitted.transform(big), 3);
  console.log(
    `${model}: ${fitted.featureNamesOut.length} features; fit+transform 15k: ${fit.toFixed(0)} ms (${(fit / refFit).toFixed(1)}x ref, target < 2000 ms); ` +
      `transform 100k: ${tr.toFixed(0)} ms (${(tr / refBig).toFixed(1)}x ref, target < 1000 ms)`,
  );
}
