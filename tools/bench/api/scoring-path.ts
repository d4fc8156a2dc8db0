/**
 * The served scoring path without HTTP: raw records -> the bundle's compiled validator -> table ->
 * Bundle.predictTable (feature pipeline + model), what apps/api runs per coalesced batch.
 *   npx tsx tools/bench/api/scoring-path.ts --bundle path/to/bundle.json [--rounds 10]
 * Prints the best per-call time (of `rounds` windows of 100 calls) for 1, 16 and 1,000 records,
 * and rows per second. Use it to compare two builds of the pipeline and model code on one bundle
 * (e.g. the default weighted ensemble of `pipeline train`); the HTTP figures are load.ts's.
 */
import * as path from 'node:path';
import { readBundle } from '@campaign-ml/bundle/node';
import { readTable } from '@campaign-ml/ingest';

const root = path.resolve(__dirname, '../../..');
const arg = (name: string, def?: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};

async function main(): Promise<void> {
  const file = arg('bundle');
  if (!file) throw new Error('--bundle path/to/bundle.json is required');
  const rounds = Number(arg('rounds', '10'));
  const bundle = await readBundle(path.resolve(file));
  const table = await readTable(path.join(root, 'data/kickstarter-sample.csv'));
  const inputs = bundle.requiredColumns.length ? bundle.document.schema.columns.map((c) => c.name) : [];
  const records = (table.objects({ limit: 1000 }) as Record<string, unknown>[]).map((o) => {
    const r: Record<string, unknown> = {};
    for (const c of inputs)
      if (c !== bundle.document.target.column && c in o)
        r[c] = o[c] instanceof Date ? (o[c] as Date).toISOString() : o[c];
    return r;
  });
  const out: Record<string, { msPerCall: number; rowsPerSec: number }> = {};
  for (const n of [1, 16, 1000]) {
    const batch = records.slice(0, n);
    const calls = n === 1000 ? 5 : 100;
    for (let i = 0; i < calls * 3; i++) bundle.predictRecords(batch);
    let best = Infinity;
    for (let w = 0; w < rounds; w++) {
      const t = performance.now();
      for (let i = 0; i < calls; i++) bundle.predictRecords(batch);
      best = Math.min(best, (performance.now() - t) / calls);
    }
    out[String(n)] = { msPerCall: Number(best.toFixed(3)), rowsPerSec: Math.round((1000 * n) / best) };
  }
  console.log(JSON.stringify({ bundle: bundle.document.id, model: bundle.document.model.name, records: out }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
