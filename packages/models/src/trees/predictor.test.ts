import { createMatrix } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';
import { GradientBoostingClassifier, GradientBoostingRegressor } from './gradient-boosting';
import { setWasmWalk, wasmWalkOn } from './packed-walk-wasm';
import { RandomForestClassifier, RandomForestRegressor } from './random-forest';
import { setWasmLockstepWalk, wasmLockstepWalkOn } from './lockstep-walk-wasm';
import { TreeEnsemble } from './predictor';
import type { TreeArrays } from './tree-arrays';
import { blankTree, randomMatrix } from './test-data';

/** Reference: each tree walked node by node over the column-major matrix (the simple path). */
function walkAll(model: { ensemble: TreeEnsemble }, X: Matrix): Float64Array {
  const e = model.ensemble;
  const out = new Float64Array(X.rows * e.nOutputs);
  for (let r = 0; r < X.rows; r++) for (let k = 0; k < e.nOutputs; k++) out[r * e.nOutputs + k] = e.baseScore[k];
  for (let t = 0; t < e.nTrees; t++) e.addTree(t, X, out, 0, X.rows);
  return out;
}

/** The first `rows` rows of a column-major matrix. */
function head(X: Matrix, rows: number): Matrix {
  const data = new Float64Array(rows * X.cols);
  for (let c = 0; c < X.cols; c++) data.set(X.data.subarray(c * X.rows, c * X.rows + rows), c * rows);
  return createMatrix(rows, X.cols, data);
}

describe('TreeEnsemble batch prediction', () => {
  const n = 3000;
  const X = randomMatrix(n, 5, 11);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++)
    y[r] = X.data[r] * 2 + (X.data[n + r] > 0.3 ? 1 : -1) + X.data[2 * n + r] * X.data[3 * n + r];
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
    setWasmWalk(false);
    try {
      expect(Array.from(m.predictRaw(Xt))).toEqual(Array.from(walkAll(m, Xt)));
    } finally {
      setWasmWalk(true);
    }
  });

  it('gives the node walk for deep forest trees (linked layout, leaf vectors)', () => {
    const yc = Float64Array.from(y, (v) => (v > 1 ? 2 : v > -1 ? 1 : 0));
    const m = new RandomForestClassifier({ nEstimators: 5, seed: 1 }).fit(X, yc);
    const Xt = randomMatrix(777, 5, 14);
    expect(Array.from(m.predictRaw(Xt))).toEqual(Array.from(walkAll(m, Xt)));
  });

  it('walks in WebAssembly under Node, bit for bit the JavaScript walk and the node walk (multiclass, tails, NaN blocks)', () => {
    expect(wasmWalkOn()).toBe(true);
    const yc = Float64Array.from(y, (v) => (v > 1 ? 2 : v > -1 ? 1 : 0));
    const m = new GradientBoostingClassifier({ nEstimators: 12, maxDepth: 4 }).fit(X, yc);
    // 2048 + 2048 + 13 rows; NaN only in the second block, so one block takes the float path.
    const Xt = randomMatrix(4109, 5, 15);
    Xt.data[2 * Xt.rows + 3000] = NaN;
    const wasm = m.ensemble.predictRawBlocked(Xt);
    setWasmWalk(false);
    try {
      expect(wasmWalkOn()).toBe(false);
      const js = m.ensemble.predictRawBlocked(Xt);
      expect(Buffer.from(wasm.buffer).equals(Buffer.from(js.buffer))).toBe(true);
    } finally {
      setWasmWalk(true);
    }
    expect(Array.from(wasm)).toEqual(Array.from(walkAll(m, Xt)));
    // A one-row request reuses the model's walker.
    const one = randomMatrix(1, 5, 16);
    expect(Array.from(m.ensemble.predictRawBlocked(one))).toEqual(Array.from(walkAll(m, one)));
  });

  it('walks deep numeric trees in WebAssembly, bit for bit the JavaScript lockstep walk (rows stop at their leaves)', () => {
    expect(wasmLockstepWalkOn()).toBe(true);
    // Regression forest grown to purity: depth ~20, far beyond the complete layout, one value per leaf.
    const m = new RandomForestRegressor({ nEstimators: 8, seed: 3 }).fit(X, y);
    const Xt = randomMatrix(4109, 5, 21);
    for (let r = 0; r < Xt.rows; r += 3) Xt.data[Xt.rows + r] = NaN;
    for (let r = 0; r < Xt.rows; r += 11) Xt.data[3 * Xt.rows + r] = NaN;
    // Every row count through the 8-row groups, the 4-row group and single rows, and full blocks.
    const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 15, 16, 17, 31, 4109];
    const wasm = sizes.map((rows) => m.ensemble.predictRawBlocked(Xt.rows === rows ? Xt : head(Xt, rows)));
    setWasmLockstepWalk(false);
    try {
      expect(wasmLockstepWalkOn()).toBe(false);
      sizes.forEach((rows, i) => {
        const js = m.ensemble.predictRawBlocked(Xt.rows === rows ? Xt : head(Xt, rows));
        expect(Buffer.from(wasm[i].buffer).equals(Buffer.from(js.buffer))).toBe(true);
      });
    } finally {
      setWasmLockstepWalk(true);
    }
    expect(Array.from(wasm[wasm.length - 1])).toEqual(Array.from(walkAll(m, Xt)));
  });

  it('walks a chain deeper than any row goes, a single-leaf tree and NaN to either side in WebAssembly', () => {
    // Tree 0: a right-leaning chain of depth 60 on feature 0 (x > k goes on), NaN right at odd
    // depths. Tree 1: one leaf. Tree 2: one split on feature 1, NaN left.
    const depth = 60;
    const n = 2 * depth + 1;
    const chain = blankTree(
      n,
      Array.from({ length: n }, (_, i) => 0.1 * i - 3),
    );
    // Internal node k at index 2k: left leaf 2k + 1, right the next internal node 2k + 2.
    for (let k = 0; k < depth; k++) {
      chain.feature[2 * k] = 0;
      chain.threshold[2 * k] = k;
      chain.left[2 * k] = 2 * k + 1;
      chain.right[2 * k] = 2 * k + 2;
      chain.defaultLeft[2 * k] = k % 2 === 0 ? 1 : 0;
    }
    const leaf = blankTree(1, [0.75]);
    const stump = blankTree(3, [0, -1.25, 2.5]);
    stump.feature[0] = 1;
    stump.threshold[0] = 0.5;
    stump.left[0] = 1;
    stump.right[0] = 2;
    stump.defaultLeft[0] = 1;
    const e = TreeEnsemble.fromTrees([chain, leaf, stump], {
      nOutputs: 1,
      valueWidth: 1,
      treeOutput: new Int32Array(3),
      baseScore: new Float64Array([0.5]),
      scale: 0.3,
    });
    // Rows that leave the chain at every depth, run it to the end, or meet NaN on the way.
    const rows = 70;
    const data = new Float64Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      data[r] = r % 9 === 0 ? NaN : r - 1.5;
      data[rows + r] = r % 4 === 0 ? NaN : (r % 3) * 0.4;
    }
    const Xt = createMatrix(rows, 2, data);
    const wasm = e.predictRawBlocked(Xt);
    expect(Array.from(wasm)).toEqual(Array.from(walkAll({ ensemble: e }, Xt)));
    setWasmLockstepWalk(false);
    try {
      expect(Buffer.from(wasm.buffer).equals(Buffer.from(e.predictRawBlocked(Xt).buffer))).toBe(true);
    } finally {
      setWasmLockstepWalk(true);
    }
  });

  it('codes clustered, tiny and huge thresholds exactly (grid cells with several cuts)', () => {
    // A complete depth-3 tree on feature 0 whose 7 thresholds crowd one grid cell, plus a second
    // tree on feature 1 with a single threshold and one with only +Infinity.
    const th = [1, 0, 1e300, -1e300, 5e-324, 1 + 2 ** -52, Infinity];
    const heap = (thr: number[], f: number): TreeArrays => {
      const internal = thr.length;
      const n = 2 * internal + 1;
      const t = blankTree(
        n,
        Array.from({ length: n }, (_, i) => i * 1.5),
      );
      for (let i = 0; i < internal; i++) {
        t.feature[i] = f;
        t.threshold[i] = thr[i];
        t.left[i] = 2 * i + 1;
        t.right[i] = 2 * i + 2;
      }
      return t;
    };
    // In-order thresholds of the heap: node 0 = 1, node 1 = 0, node 2 = 1e300, ...
    const e = TreeEnsemble.fromTrees([heap(th, 0), heap([0.25], 1), heap([Infinity], 1)], {
      nOutputs: 1,
      valueWidth: 1,
      treeOutput: new Int32Array(3),
      baseScore: new Float64Array(1),
      scale: 1,
    });
    const probe = [
      -Infinity,
      -1e300,
      -1e-300,
      0,
      5e-324,
      1e-300,
      0.5,
      1,
      1 + 2 ** -52,
      1 + 2 ** -51,
      2,
      1e300,
      Infinity,
      0.25,
    ];
    const rows = probe.length * probe.length;
    const data = new Float64Array(rows * 2);
    for (let i = 0; i < probe.length; i++) {
      for (let j = 0; j < probe.length; j++) {
        data[i * probe.length + j] = probe[i];
        data[rows + i * probe.length + j] = probe[j];
      }
    }
    const Xt = createMatrix(rows, 2, data);
    expect(Array.from(e.predictRawBlocked(Xt))).toEqual(Array.from(walkAll({ ensemble: e }, Xt)));
  });
});

describe('cover and row count per node', () => {
  const n = 600;
  const X = randomMatrix(n, 3, 5);
  const y = Float64Array.from({ length: n }, (_, r) => (X.data[r] + X.data[n + r] > 0 ? 1 : 0));

  it('boosting keeps the hessian sum as cover and the rows as count; children add up to the parent', () => {
    const m = new GradientBoostingClassifier({ nEstimators: 3, maxDepth: 3 }).fit(X, y);
    const [t] = m.trees();
    expect(t.count![0]).toBe(n);
    // Logistic hessians p(1 - p) <= 1/4 per row: the cover is far below the count.
    expect(t.cover[0]).toBeLessThan(n / 4 + 1e-9);
    for (let i = 0; i < t.left.length; i++) {
      if (t.left[i] < 0) continue;
      expect(t.count![t.left[i]] + t.count![t.right[i]]).toBe(t.count![i]);
      expect(t.cover[t.left[i]] + t.cover[t.right[i]]).toBeCloseTo(t.cover[i], 9);
    }
  });

  it('a model saved before counts were kept still loads and predicts the same', () => {
    const m = new RandomForestClassifier({ nEstimators: 3, maxDepth: 4, seed: 1 }).fit(X, y);
    const json = m.ensemble.toJSON();
    expect(json.count).toBeDefined();
    const { count: _dropped, ...old } = json;
    const loaded = TreeEnsemble.fromJSON(old);
    expect(loaded.count).toBeUndefined();
    expect(Array.from(loaded.predictRaw(X))).toEqual(Array.from(m.ensemble.predictRaw(X)));
    expect(Array.from(TreeEnsemble.fromJSON(json).count!)).toEqual(Array.from(m.ensemble.count!));
  });
});
