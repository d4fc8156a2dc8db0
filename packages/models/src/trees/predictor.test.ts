import { createMatrix } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';
import { GradientBoostingRegressor } from './gradient-boosting';
import { RandomForestClassifier } from './random-forest';
import type { TreeEnsemble } from './predictor';
import { randomMatrix } from './test-data';

/** Reference: each tree walked node by node over the column-major matrix (the simple path). */
function walkAll(model: { ensemble: TreeEnsemble }, X: Matrix): Float64Array {
  const e = model.ensemble;
  const out = new Float64Array(X.rows * e.nOutputs);
  for (let r = 0; r < X.rows; r++) for (let k = 0; k < e.nOutputs; k++) out[r * e.nOutputs + k] = e.baseScore[k];
  for (let t = 0; t < e.nTrees; t++) e.addTree(t, X, out, 0, X.rows);
  return out;
}

describe('TreeEnsemble batch prediction', () => {
  const n = 3000;
  const X = randomMatrix(n, 5, 11);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) y[r] = X.data[r] * 2 + (X.data[n + r] > 0.3 ? 1 : -1) + X.data[2 * n + r] * X.data[3 * n + r];
  // Missing values in training, so nodes learn a default direction.
  for (let r = 0; r < n; r += 7) X.data[n + r] = NaN;

  it('gives the node walk bit for bit, with NaN and with shallow leaves (complete layout)', () => {
    // minChildWeight stops some branches early, so leaves sit above the maximum depth.
    const m = new GradientBoostingRegressor({ nEstimators: 30, maxDepth: 5, minChildWeight: 150 }).fit(X, y);
    const Xt = randomMatrix(4099, 5, 12);
    for (let r = 0; r < Xt.rows; r += 5) Xt.data[Xt.rows + r] = NaN;
    const fast = m.predictRaw(Xt);
    expect(Array.from(fast)).toEqual(Array.from(walkAll(m, Xt)));
    // Blocks without NaN are coded to bytes against the model's thresholds; same answers.
    const clean = randomMatrix(4103, 5, 13);
    expect(Array.from(m.predictRaw(clean))).toEqual(Array.from(walkAll(m, clean)));
  });

  it('sends values equal to a threshold left and handles infinities on the byte-coded path', () => {
    const m = new GradientBoostingRegressor({ nEstimators: 10, maxDepth: 4 }).fit(X, y);
    const values: number[][] = [[], [], [], [], []];
    for (const t of m.trees()) {
      for (let i = 0; i < t.feature.length; i++) {
        if (t.left[i] < 0) continue;
        const th = t.threshold[i];
        values[t.feature[i]].push(th, th - 1e-12, th + 1e-12);
      }
    }
    const rows = 64;
    const data = new Float64Array(rows * 5);
    for (let c = 0; c < 5; c++) {
      const v = values[c].concat([Infinity, -Infinity, 0]);
      for (let r = 0; r < rows; r++) data[c * rows + r] = v[(r * 7 + c) % v.length];
    }
    const Xt = createMatrix(rows, 5, data);
    expect(Array.from(m.predictRaw(Xt))).toEqual(Array.from(walkAll(m, Xt)));
  });

  it('gives the node walk for deep forest trees (linked layout, leaf vectors)', () => {
    const yc = Float64Array.from(y, (v) => (v > 1 ? 2 : v > -1 ? 1 : 0));
    const m = new RandomForestClassifier({ nEstimators: 5, seed: 1 }).fit(X, yc);
    const Xt = randomMatrix(777, 5, 14);
    expect(Array.from(m.predictRaw(Xt))).toEqual(Array.from(walkAll(m, Xt)));
  });
});
