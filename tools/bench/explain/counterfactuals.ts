/**
 * What-to-change advice on real Kickstarter campaigns (issue 14's Done-when): a GBDT bundle trained
 * on 80% of ../shared/data/kickstarter (successful vs failed, leakage removed, seed 42), then 200
 * failed projects of the other 20% that it scores below 0.5, with goal, blurb_len, name_len, video
 * and show_feature_image actionable (everything else fixed) and target P(successful) >= 0.5.
 * Prints the share that get a valid counterfactual (re-scored through the bundle; >= 90%), the
 * median columns changed (<= 3), the share of changes inside the reference distribution (the
 * training data's observed range, reference categories; 100%), and the time per record.
 *
 *   npx tsx tools/bench/explain/counterfactuals.ts [--bundle b.json] [--records 200] [--k 4]
 *
 * --bundle uses a bundle the pipeline trained (npx tsx apps/pipeline/src/main.ts train ...) instead.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import { BUNDLE_FORMAT, BUNDLE_VERSION, Bundle, computeReference } from '@campaign-ml/bundle';
import { readBundle } from '@campaign-ml/bundle/node';
import { counterfactuals } from '@campaign-ml/explain';
import { recommendedPipeline } from '@campaign-ml/features';
import { readTable, stratifiedSplit } from '@campaign-ml/ingest';
import { GradientBoostingClassifier, rocAucScore } from '@campaign-ml/models';
import { inferSchema } from '@campaign-ml/schema';

const root = path.resolve(__dirname, '../../..');
const csv = path.resolve(root, '../shared/data/kickstarter/kickstarter.csv');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RECORDS = Number(arg('--records') ?? 200);
const K = Number(arg('--k') ?? 4);
const ACTIONABLE = ['goal', 'blurb_len', 'name_len', 'video', 'show_feature_image'];
const LEAKS = ['pledged', 'usd_pledged', 'backers_count', 'spotlight', 'staff_pick.1', 'state_changed_at'];

async function main(): Promise<void> {
  if (!existsSync(csv)) {
    console.log('../shared/data/kickstarter is absent: nothing to measure.');
    return;
  }
  const all: aq.ColumnTable = (await readTable(csv))
    .params({ keep: ['successful', 'failed'] })
    .filter('op.includes(keep, d.state)');
  const drop = all
    .columnNames()
    .filter((c: string) => LEAKS.includes(c) || c.startsWith('state_changed_at') || c === 'id' || c === 'name');
  const table = all.select(aq.not(drop));
  const { train, test } = stratifiedSplit(table, { target: 'state', testSize: 0.2, seed: 42 });
  const t0 = performance.now();
  const bundle = arg('--bundle') ? await readBundle(arg('--bundle')!) : trainBundle(train);
  const trainSeconds = (performance.now() - t0) / 1000;
  const testScores = bundle.scoreTable(test);
  const yTest = Float64Array.from(test.array('state') as ArrayLike<string>, (s) => (s === 'successful' ? 1 : 0));
  const pTest = Float64Array.from({ length: test.numRows() }, (_, i) => testScores[i * 2 + 1]);
  console.log(
    `bundle: ${arg('--bundle') ?? `GBDT trained here in ${trainSeconds.toFixed(1)} s`}; test ROC AUC ${rocAucScore(yTest, pTest).toFixed(4)}`,
  );

  const inputs = new Set(bundle.features.inputColumns);
  const actionable = ACTIONABLE.filter((c) => inputs.has(c));
  const fixed = [...inputs].filter((c) => !actionable.includes(c));
  const chosen: Record<string, unknown>[] = [];
  for (let r = 0; r < test.numRows() && chosen.length < RECORDS; r++) {
    if (yTest[r] !== 0 || pTest[r] >= 0.5) continue;
    const rec: Record<string, unknown> = {};
    for (const c of bundle.document.schema.columns) {
      if (!test.columnNames().includes(c.name)) continue;
      const v = test.get(c.name, r);
      rec[c.name] = v instanceof Date ? v.toISOString() : v;
    }
    chosen.push(rec);
  }

  const schemaOf = new Map(bundle.document.schema.columns.map((c) => [c.name, c]));
  const reference = bundle.document.reference?.inputs ?? {};
  const inside = (column: string, to: unknown): boolean => {
    const col = schemaOf.get(column)!;
    const ref = reference[column];
    if (col.type === 'boolean' || col.type === 'category')
      return ref?.kind === 'categorical' ? String(to) in ref.fractions : (col.categories ?? []).includes(String(to));
    const v = typeof to === 'string' ? Date.parse(to) : Number(to);
    const lo = typeof col.min === 'string' ? Date.parse(col.min) : Number(col.min);
    const hi = typeof col.max === 'string' ? Date.parse(col.max) : Number(col.max);
    return v >= lo && v <= hi;
  };

  let withValid = 0;
  let changesTotal = 0;
  let changesInside = 0;
  let invalidReturned = 0;
  const changedPerCf: number[] = [];
  const changedClosest: number[] = [];
  const times: number[] = [];
  const calls: number[] = [];
  const columnUse = new Map<string, number>();
  const goalRatios: number[] = [];
  for (const rec of chosen) {
    const t = performance.now();
    const res = counterfactuals(bundle, rec, { actionable, fixed, target: { probability: 0.5 }, k: K, seed: 1 });
    times.push(performance.now() - t);
    calls.push(res.scoreCalls);
    const cfs = res.counterfactuals;
    if (cfs.length) {
      const again = bundle.scoreTable(bundle.recordsToTable(cfs.map((c) => c.record)));
      const ok = cfs.filter((_, i) => again[i * 2 + 1] >= 0.5);
      invalidReturned += cfs.length - ok.length;
      if (ok.length) withValid++;
      changedClosest.push(cfs[0].changes.length);
    }
    for (const cf of cfs) {
      changedPerCf.push(cf.changes.length);
      for (const ch of cf.changes) {
        changesTotal++;
        if (inside(ch.column, ch.to)) changesInside++;
        columnUse.set(ch.column, (columnUse.get(ch.column) ?? 0) + 1);
        if (ch.column === 'goal') goalRatios.push(Number(ch.to) / Number(ch.from));
      }
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
  };
  const share = withValid / chosen.length;
  const insideShare = changesTotal ? changesInside / changesTotal : 1;
  const rows = [
    '| measure | value | target |',
    '|---|---|---|',
    `| failed test projects scored < 0.5 | ${chosen.length} | 200 |`,
    `| share with a valid counterfactual (re-scored) | ${(100 * share).toFixed(1)}% ${share >= 0.9 ? '✓' : '✗'} | >= 90% |`,
    `| median columns changed (all ${changedPerCf.length} returned) | ${median(changedPerCf)} ${median(changedPerCf) <= 3 ? '✓' : '✗'} | <= 3 |`,
    `| median columns changed (closest per project) | ${median(changedClosest)} | |`,
    `| changes inside the reference distribution | ${(100 * insideShare).toFixed(1)}% (${changesInside}/${changesTotal}) ${insideShare === 1 ? '✓' : '✗'} | 100% |`,
    `| returned but not valid when re-scored | ${invalidReturned} | 0 |`,
    `| new goal / old goal (median of ${goalRatios.length}) | ${median(goalRatios).toFixed(2)} | |`,
    `| time per project (median, max) | ${median(times).toFixed(0)} ms, ${Math.max(...times).toFixed(0)} ms | |`,
    `| scoreTable calls per project (median) | ${median(calls)} | |`,
  ];
  console.log(rows.join('\n'));
  console.log(
    `changes by column: ${[...columnUse.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c} ${n}`)
      .join(', ')}`,
  );
}

function trainBundle(train: aq.ColumnTable): Bundle {
  const full = inferSchema(train, { target: 'state' });
  const y = Float64Array.from(train.array('state') as ArrayLike<string>, (s) => (s === 'successful' ? 1 : 0));
  const { pipeline, X } = recommendedPipeline(full, 'binary', { model: 'tree' }).fitTransform(train, y);
  const model = new GradientBoostingClassifier({ nEstimators: 300, maxDepth: 6, learningRate: 0.05 }).fit(X, y);
  const inputs = new Set(pipeline.inputColumns);
  const schema = {
    rows: full.rows,
    columns: full.columns
      .filter((c) => c.role !== 'target')
      .map((c) => ({ ...c, required: inputs.has(c.name) && c.required })),
  };
  const P = model.predictProba(X);
  const positive = Float64Array.from({ length: P.length / 2 }, (_, i) => P[i * 2 + 1]);
  return Bundle.fromJSON({
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    id: 'bench-kickstarter-cf',
    createdAt: new Date(0).toISOString(),
    task: 'binary',
    target: { column: 'state', classes: ['failed', 'successful'], positiveClass: 'successful' },
    schema,
    features: pipeline.toJSON(),
    model: { name: 'gradientBoosting', fitted: model.toJSON(), threshold: 0.5 },
    metrics: {},
    reference: computeReference(train, schema, positive),
    provenance: { dataSha256: '0'.repeat(64), rows: train.numRows(), config: {}, packageVersions: {} },
  });
}

void main();
