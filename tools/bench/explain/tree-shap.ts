/**
 * TreeSHAP benchmark: our exact path-dependent TreeSHAP against XGBoost's own `pred_contribs`
 * (XGBoost 1.7, nthread=1) on the same imported model, 300 trees of depth 6
 * (packages/models/src/trees/__fixtures__/xgboost/bench-300x6.json.gz, from
 * tools/fixtures/xgboost-import.py), on the same rows in the same run.
 *
 *   npx tsx tools/bench/explain/tree-shap.ts      (TREESHAP_BENCH_ROWS, TREESHAP_BENCH_REPS)
 *
 * The rows are float32 values (XGBoost reads float32) with 5% missing, drawn around the fixture's
 * rows. Both sides also answer with the values they computed, and the largest difference is
 * printed (XGBoost accumulates in float32). Rounds interleave ours and XGBoost's; medians are
 * compared. No timed test asserts any of this.
 *
 * A second row: a random forest like the served ensemble's (250 trees grown with minSamplesLeaf 5
 * on 12,000 rows x 30 features, 5% missing: ~430k nodes, paths of 20-odd distinct features),
 * path-dependent values of one record at a time (the /v1/explain case), against the forest's own
 * prediction of the same record in the same rounds (TREESHAP_BENCH_FOREST=0 skips it). Then 16
 * records per round as calls of 8 and of 16 rows (what the API's request batching hands the
 * explainer), in ms per record, with the walk taking one row per traversal (group 1, as before the
 * group walk) and each group size in TREESHAP_BENCH_GROUPS (default 4), in the same rounds; every
 * record's values must equal its one-record values bit for bit.
 *
 * Both rows also time the JavaScript walk the WebAssembly walk replaces (tree-shap-wasm.ts), in
 * the same rounds, and check that both give the same values bit for bit.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createMatrix, createRng } from '@campaign-ml/core';
import { setTreeShapGroupRows, setWasmTreeShap, treeShap, wasmTreeShapOn } from '@campaign-ml/explain';
import { RandomForestClassifier, importXGBoostModel } from '@campaign-ml/models';
import { median, startPythonWorker } from '../models/bench-kit';

const ROWS = Number(process.env.TREESHAP_BENCH_ROWS ?? 2000);
const REPS = Number(process.env.TREESHAP_BENCH_REPS ?? 5);
const FOREST = process.env.TREESHAP_BENCH_FOREST !== '0';
const GROUPS = (process.env.TREESHAP_BENCH_GROUPS ?? '4').split(',').map(Number) as (1 | 2 | 4 | 8)[];
const root = path.resolve(__dirname, '../../..');
const fixture = JSON.parse(
  gunzipSync(
    fs.readFileSync(path.join(root, 'packages/models/src/trees/__fixtures__/xgboost/bench-300x6.json.gz')),
  ).toString('utf8'),
) as { model: string; X: (number | null)[][]; xgboostVersion: string };

const model = importXGBoostModel(fixture.model);
const F = model.columns.length;
const rng = createRng(7);
// Column-major float32 values: a fixture row's value scaled by a random factor, 5% missing.
const data = new Float64Array(ROWS * F);
for (let r = 0; r < ROWS; r++) {
  const src = fixture.X[rng.int(fixture.X.length)];
  for (let c = 0; c < F; c++) {
    const v = src[c];
    data[c * ROWS + r] = v === null || rng.random() < 0.05 ? NaN : Math.fround(v * (0.8 + 0.4 * rng.random()));
  }
}
const X = createMatrix(ROWS, F, data, model.columns);

const SCRIPT = `
import json, sys, time
import numpy as np
import xgboost as xgb
meta = json.load(open(sys.argv[1]))
n, p = meta['rows'], meta['cols']
X = np.fromfile(meta['X'], dtype='<f8').reshape(p, n).T.astype(np.float32)
booster = xgb.Booster(model_file=bytearray(open(meta['model']).read(), 'utf8'))
booster.set_param({'nthread': 1})
d = xgb.DMatrix(X, missing=np.nan, nthread=1, feature_names=booster.feature_names)
last = None
for line in sys.stdin:
    t0 = time.perf_counter()
    last = booster.predict(d, pred_contribs=True)
    secs = time.perf_counter() - t0
    print(json.dumps({'seconds': secs, 'first': last[:50].ravel().tolist(), 'version': xgb.__version__}), flush=True)
`;

async function main(): Promise<void> {
  const modelFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'treeshap-')), 'model.json');
  fs.writeFileSync(modelFile, fixture.model);
  const py = startPythonWorker<{ seconds: number; first: number[]; version: string }>(
    'treeshap',
    SCRIPT,
    { rows: ROWS, cols: F, model: modelFile },
    { X: data },
  );
  const ours: number[] = [];
  const theirs: number[] = [];
  const jsWalk: number[] = [];
  let worst = 0;
  let version = '';
  let sameBits = true;
  try {
    for (let i = 0; i < REPS; i++) {
      setWasmTreeShap(false);
      let t0 = performance.now();
      const js = treeShap(model, X);
      jsWalk.push((performance.now() - t0) / 1000);
      setWasmTreeShap(true);
      t0 = performance.now();
      const shap = treeShap(model, X);
      ours.push((performance.now() - t0) / 1000);
      sameBits &&= js.values.every((v, j) => Object.is(v, shap.values[j]));
      const ref = await py.ask('contribs');
      theirs.push(ref.seconds);
      version = ref.version;
      // Compare the first 50 rows (features and bias column).
      for (let r = 0; r < 50; r++) {
        for (let f = 0; f < F; f++)
          worst = Math.max(worst, Math.abs(shap.values[r * F + f] - ref.first[r * (F + 1) + f]));
        worst = Math.max(worst, Math.abs((shap.expectedValue as number) - ref.first[r * (F + 1) + F]));
      }
    }
  } finally {
    py.done();
  }
  const a = median(ours);
  const b = median(theirs);
  const j = median(jsWalk);
  console.log(
    `TreeSHAP, ${model.nTrees} trees of depth 6, ${ROWS} rows x ${F} features (XGBoost ${version}, nthread=1)`,
  );
  console.log(
    `  ours (float64, path-dependent)   ${(a * 1000).toFixed(1)} ms   (${((a / ROWS) * 1e6).toFixed(1)} µs/row)`,
  );
  console.log(
    `  XGBoost pred_contribs (float32)  ${(b * 1000).toFixed(1)} ms   (${((b / ROWS) * 1e6).toFixed(1)} µs/row)`,
  );
  console.log(
    `  ours, the JavaScript walk         ${(j * 1000).toFixed(1)} ms   (${((j / ROWS) * 1e6).toFixed(1)} µs/row)`,
  );
  console.log(
    `  ratio ours / XGBoost: ${(a / b).toFixed(2)}x (target <= 1.5x); largest difference ${worst.toExponential(2)}`,
  );
  console.log(
    `  ratio JavaScript walk / WebAssembly walk: ${(j / a).toFixed(2)}x (WebAssembly ${wasmTreeShapOn() ? 'on' : 'missing'}); same values bit for bit: ${sameBits}`,
  );
  if (FOREST) forestOneRecord();
}

/** Path-dependent TreeSHAP of one record on a 250-tree forest, against predicting that record. */
function forestOneRecord(): void {
  const n = 12000;
  const p = 30;
  const g = createRng(1);
  const d = new Float64Array(n * p);
  for (let i = 0; i < d.length; i++) d[i] = g.random() < 0.05 ? NaN : g.normal();
  const x = (c: number, r: number): number => (Number.isNaN(d[c * n + r]) ? 0 : d[c * n + r]);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    y[r] = x(0, r) + x(1, r) * x(2, r) + 0.5 * Math.sin(3 * x(3, r)) + g.normal() > 0 ? 1 : 0;
  }
  const forest = new RandomForestClassifier({ nEstimators: 250, minSamplesLeaf: 5, seed: 1 }).fit(
    createMatrix(n, p, d),
    y,
  );
  const records = Array.from({ length: 20 }, (_, i) =>
    createMatrix(
      1,
      p,
      Float64Array.from({ length: p }, (_, c) => d[c * n + i]),
      forest.columns,
    ),
  );
  const rowsOf = (from: number, m: number): ReturnType<typeof createMatrix> =>
    createMatrix(
      m,
      p,
      Float64Array.from({ length: m * p }, (_, k) => d[Math.floor(k / m) * n + from + (k % m)]),
      forest.columns,
    );
  // 16 records per round as calls of 8 rows and of 16 rows (the API batches concurrent requests).
  const calls = { 8: [rowsOf(0, 8), rowsOf(8, 8)], 16: [rowsOf(0, 16)] };
  const groups: (1 | 2 | 4 | 8)[] = [1, ...GROUPS.filter((g) => g !== 1)];
  // The cover shares and quadrature sizes, and the trees in WebAssembly memory, once per model;
  // each group walk compiled once.
  treeShap(forest, records[0]);
  for (const g of groups) {
    setTreeShapGroupRows(g);
    treeShap(forest, calls[16][0]);
  }
  const shapMs: number[] = [];
  const jsMs: number[] = [];
  const predictMs: number[] = [];
  const batchMs = new Map<string, number[]>();
  let sameBits = true;
  let batchSameBits = true;
  for (let i = 0; i < REPS; i++) {
    setWasmTreeShap(false);
    let t0 = performance.now();
    const js = records.map((rec) => treeShap(forest, rec).values);
    jsMs.push((performance.now() - t0) / records.length);
    setWasmTreeShap(true);
    setTreeShapGroupRows(1);
    t0 = performance.now();
    const wasm = records.map((rec) => treeShap(forest, rec).values);
    shapMs.push((performance.now() - t0) / records.length);
    sameBits &&= js.every((v, r) => v.every((x, k) => Object.is(x, wasm[r][k])));
    t0 = performance.now();
    for (const rec of records) forest.predictRaw(rec);
    predictMs.push((performance.now() - t0) / records.length);
    for (const g of i % 2 ? [...groups].reverse() : groups) {
      setTreeShapGroupRows(g);
      for (const size of [8, 16] as const) {
        t0 = performance.now();
        const values = calls[size].map((X) => treeShap(forest, X).values);
        const key = `${size}:${g}`;
        if (!batchMs.has(key)) batchMs.set(key, []);
        batchMs.get(key)!.push((performance.now() - t0) / 16);
        // Record r (r < 16) is records[r]: its values as when it was alone in its call.
        values.forEach((v, c) => {
          for (let r = 0; r < v.length / p; r++) {
            const alone = wasm[c * 8 + r];
            for (let k = 0; k < p; k++) batchSameBits &&= Object.is(v[r * p + k], alone[k]);
          }
        });
      }
    }
  }
  setTreeShapGroupRows(4);
  const s = median(shapMs);
  const js = median(jsMs);
  const f = median(predictMs);
  console.log(
    `Random forest, ${forest.ensemble.nTrees} trees, ${forest.ensemble.left.length} nodes, path-dependent, one record`,
  );
  console.log(`  ours (float64, path-dependent)   ${s.toFixed(2)} ms per record`);
  console.log(`  ours, the JavaScript walk        ${js.toFixed(2)} ms per record`);
  console.log(`  the forest's predictRaw          ${f.toFixed(3)} ms per record`);
  console.log(`  ratio TreeSHAP / predict: ${(s / f).toFixed(0)}x`);
  console.log(
    `  ratio JavaScript walk / WebAssembly walk: ${(js / s).toFixed(2)}x; same values bit for bit: ${sameBits}`,
  );
  console.log('  several records per call (ms per record; group: rows per traversal, 1 = one at a time)');
  for (const size of [8, 16]) {
    const one = median(batchMs.get(`${size}:1`)!);
    const cells = groups.map((g) => {
      const ms = median(batchMs.get(`${size}:${g}`)!);
      return `group ${g} ${ms.toFixed(2)}${g === 1 ? '' : ` (${(one / ms).toFixed(2)}x)`}`;
    });
    console.log(`    ${size} rows per call: ${cells.join(', ')}`);
  }
  console.log(`  every record's values as when alone, bit for bit: ${batchSameBits}`);
}

void main();
