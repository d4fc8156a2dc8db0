/**
 * Interventional TreeSHAP by leaf masks (LeafMaskShap, tree-shap-leaf-masks.ts) on a GBDT like the
 * served ensemble's boosting member: 500 trees of depth 5 (gamma 2 keeps them to ~11.6k nodes,
 * ~6k leaves) fitted on a synthetic 12,000 x 90 task with four categorical columns and 5% missing
 * values, 100 background rows, P(class 1) explained by the per-reference rescaling (a weight per
 * reference that changes with every record). One record at a time, as /v1/explain asks.
 *
 *   npx tsx tools/bench/explain/leaf-masks.ts      (LEAF_MASKS_BENCH_RECORDS, LEAF_MASKS_BENCH_REPS)
 *
 * Rounds alternate the JavaScript pass and the WebAssembly pass (tree-shap-leaf-masks-wasm.ts) on
 * the same records; medians per record are compared, for the whole `treeShap` call and for
 * `LeafMaskShap.explain` alone, and the values of both passes are checked bit for bit. No timed
 * test asserts any of this.
 */
import { createMatrix, createRng, type Matrix } from '@campaign-ml/core';
import { setWasmTreeShap, treeShap } from '@campaign-ml/explain';
import { GradientBoostingClassifier } from '@campaign-ml/models';
// The leaf-mask pass alone is internal to the package; this benchmark times it without treeShap around it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ShapleyWeights } from '../../../packages/explain/src/tree-shap-interventional';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { LeafMaskShap } from '../../../packages/explain/src/tree-shap-leaf-masks';
import { median } from '../models/bench-kit';

const RECORDS = Number(process.env.LEAF_MASKS_BENCH_RECORDS ?? 200);
const REPS = Number(process.env.LEAF_MASKS_BENCH_REPS ?? 7);
const P = 90;
const CATEGORICAL = [3, 17, 41, 66];

/** n rows: normal values with 5% missing; the categorical columns codes 0..11 (3% missing). */
function rowsOf(n: number, seed: number): Matrix {
  const g = createRng(seed);
  const d = new Float64Array(n * P);
  for (let i = 0; i < d.length; i++) d[i] = g.random() < 0.05 ? NaN : g.normal();
  for (const c of CATEGORICAL) for (let r = 0; r < n; r++) d[c * n + r] = g.random() < 0.03 ? NaN : g.int(12);
  return createMatrix(
    n,
    P,
    d,
    Array.from({ length: P }, (_, c) => `x${c}`),
  );
}

function main(): void {
  const n = 12000;
  const X = rowsOf(n, 1);
  const g = createRng(2);
  const x = (c: number, r: number): number => (Number.isNaN(X.data[c * n + r]) ? 0 : X.data[c * n + r]);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = x(0, r) + x(1, r) * x(2, r) + 0.5 * Math.sin(3 * x(4, r));
    s += (x(3, r) % 3 === 1 ? 0.8 : 0) + (x(17, r) > 6 ? -0.6 : 0);
    for (let c = 5; c < 40; c++) s += 0.15 * x(c, r) * (c % 2 ? 1 : -1);
    y[r] = s + g.normal() > 0 ? 1 : 0;
  }
  let t0 = performance.now();
  const model = new GradientBoostingClassifier({
    nEstimators: 500,
    maxDepth: 5,
    gamma: 2,
    categoricalFeatures: CATEGORICAL,
  }).fit(X, y);
  const fitSeconds = (performance.now() - t0) / 1000;
  const e = model.ensemble;
  const background = rowsOf(100, 3);
  const test = rowsOf(RECORDS, 4);
  const records = Array.from({ length: RECORDS }, (_, r) =>
    createMatrix(
      1,
      P,
      Float64Array.from({ length: P }, (_, c) => test.data[c * RECORDS + r]),
      model.columns,
    ),
  );
  const options = { featurePerturbation: 'interventional', background, output: 'probability' } as const;

  // explain alone: the tables as treeShap builds them, the weights of each record's rescaling.
  const R = background.rows;
  const bgRows = Array.from({ length: R }, (_, b) =>
    Float64Array.from({ length: P }, (_, c) => background.data[c * R + b]),
  );
  const masks = LeafMaskShap.build(e, bgRows, new ShapleyWeights(P))!;
  const fBg = e.predictRaw(background);
  const fX = e.predictRaw(test);
  const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
  const rowX = Array.from({ length: RECORDS }, (_, r) =>
    Float64Array.from({ length: P }, (_, c) => test.data[c * RECORDS + r]),
  );
  const weights = rowX.map((_, r) =>
    Float64Array.from({ length: R }, (_, b) => {
      const px = sigmoid(fX[r]);
      const pr = sigmoid(fBg[b]);
      return (fX[r] === fBg[b] ? px * (1 - px) : (px - pr) / (fX[r] - fBg[b])) / R;
    }),
  );

  const shapMs = { js: [] as number[], wasm: [] as number[] };
  const explainMs = { js: [] as number[], wasm: [] as number[] };
  let sameBits = true;
  for (let i = 0; i < REPS; i++) {
    const got: Record<string, Float64Array[]> = {};
    const direct: Record<string, Float64Array> = {};
    for (const way of ['js', 'wasm'] as const) {
      setWasmTreeShap(way === 'wasm');
      t0 = performance.now();
      got[way] = records.map((rec) => treeShap(model, rec, options).values);
      shapMs[way].push((performance.now() - t0) / RECORDS);
      const out = new Float64Array(RECORDS * P);
      t0 = performance.now();
      for (let r = 0; r < RECORDS; r++) masks.explain(rowX[r], weights[r], out, r * P, 1, e.scale);
      explainMs[way].push((performance.now() - t0) / RECORDS);
      direct[way] = out;
    }
    sameBits &&= got.js.every((v, r) => v.every((z, k) => Object.is(z, got.wasm[r][k])));
    sameBits &&= direct.js.every((z, k) => Object.is(z, direct.wasm[k]));
  }
  setWasmTreeShap(true);
  let leaves = 0;
  for (let k = 0; k < e.left.length; k++) if (e.left[k] < 0) leaves++;
  console.log(
    `Interventional TreeSHAP by leaf masks: GBDT of ${e.nTrees} trees (${e.left.length} nodes, ${leaves} leaves; fit ${fitSeconds.toFixed(0)} s), ${P} features, ${R} background rows, probability output, one record at a time (${RECORDS} records, ${REPS} rounds)`,
  );
  const line = (label: string, m: { js: number[]; wasm: number[] }): void => {
    const js = median(m.js);
    const wa = median(m.wasm);
    console.log(
      `  ${label.padEnd(28)} JavaScript ${js.toFixed(3)} ms   WebAssembly ${wa.toFixed(3)} ms   ratio ${(js / wa).toFixed(2)}x`,
    );
  };
  line('treeShap, per record', shapMs);
  line('LeafMaskShap.explain alone', explainMs);
  console.log(`  same values bit for bit: ${sameBits}`);
}

main();
