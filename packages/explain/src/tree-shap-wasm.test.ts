import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createMatrix, createRng, type Matrix } from '@campaign-ml/core';
import {
  FittedTreeRegressor,
  GradientBoostingClassifier,
  RandomForestClassifier,
  RandomForestRegressor,
  TreeEnsemble,
  importXGBoostModel,
  type TreeArrays,
} from '@campaign-ml/models';
import { treeShap, type TreeModel } from './tree-shap';
import { setTreeShapGroupRows, setWasmTreeShap, wasmTreeShapOn } from './tree-shap-wasm';

/**
 * The one-wide path-dependent walk in WebAssembly (tree-shap-wasm.ts) against the JavaScript walk
 * it replaces, on the same explainer: the values must be the same bit for bit. (The brute-force
 * oracle tests in tree-shap.test.ts run with WebAssembly on, the default.)
 */

afterEach(() => {
  setWasmTreeShap(true);
  setTreeShapGroupRows(4);
});

/** The values with the JavaScript walk and with the WebAssembly walk. */
function bothWays(model: TreeModel, X: Matrix): { js: Float64Array; wasm: Float64Array; expected: number[] } {
  setWasmTreeShap(false);
  const js = treeShap(model, X).values;
  setWasmTreeShap(true);
  const shap = treeShap(model, X);
  const expected = typeof shap.expectedValue === 'number' ? [shap.expectedValue] : shap.expectedValue;
  return { js, wasm: shap.values, expected };
}

function expectSameBits(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  const differ: number[] = [];
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differ.push(i);
  expect(differ).toEqual([]);
}

/** Rows `which` of X (column-major), in that order. */
function pickRows(X: Matrix, which: readonly number[]): Matrix {
  const n = which.length;
  const d = new Float64Array(n * X.cols);
  for (let c = 0; c < X.cols; c++) which.forEach((r, i) => (d[c * n + i] = X.data[c * X.rows + r]));
  return createMatrix(n, X.cols, d, X.columns);
}

/**
 * The walk that takes several rows per traversal, for groups of 2, 4 and 8 rows: calls of 1 to
 * group + 1 rows (a full group, a short one, one left over), from several starting rows, and the
 * same rows in reverse order, each row's values bit for bit the JavaScript walk's for that row
 * alone — whatever the other rows in its call and its place among them.
 */
function expectGroupsMatch(model: TreeModel, X: Matrix, js: Float64Array): void {
  const width = js.length / X.rows;
  const differ: string[] = [];
  for (const G of [2, 4, 8] as const) {
    setTreeShapGroupRows(G);
    for (let n = 1; n <= G + 1; n++) {
      for (const start of [0, 1, Math.max(0, X.rows - n)]) {
        const forward = Array.from({ length: n }, (_, i) => start + i);
        for (const which of [forward, [...forward].reverse()]) {
          const values = treeShap(model, pickRows(X, which)).values;
          which.forEach((r, i) => {
            for (let k = 0; k < width; k++) {
              if (!Object.is(values[i * width + k], js[r * width + k])) differ.push(`G ${G}, rows ${which}: row ${r}`);
            }
          });
        }
      }
    }
  }
  expect([...new Set(differ)]).toEqual([]);
}

/** Σ values + expected value against the model's raw output, every row and output. */
function expectLocalAccuracy(model: TreeModel, X: Matrix, values: Float64Array, expected: number[], tol: number): void {
  const raw = model.predictRaw(X);
  const K = expected.length;
  const F = X.cols;
  let worst = 0;
  for (let r = 0; r < X.rows; r++) {
    for (let k = 0; k < K; k++) {
      let s = expected[k];
      for (let f = 0; f < F; f++) s += values[(r * F + f) * K + k];
      worst = Math.max(worst, Math.abs(s - raw[r * K + k]));
    }
  }
  expect(worst).toBeLessThan(tol);
}

/**
 * n rows of p features: column 1 category codes 0..5, column 2 with NaN every fourth row. Test
 * rows (test = true) also hold codes the bitsets do not cover (−1, 2.5, 7, 300) and NaN codes.
 */
function data(n: number, p: number, seed: number, test = false): { X: Matrix; y: Float64Array } {
  const rng = createRng(seed);
  const d = new Float64Array(n * p);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  const odd = [-1, 2.5, 7, 300, NaN];
  for (let r = 0; r < n; r++) d[n + r] = test && r % 3 === 0 ? odd[(r / 3) % odd.length] : rng.int(6);
  for (let r = 0; r < n; r += 4) d[2 * n + r] = NaN;
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const c = d[n + r];
    const x2 = Number.isNaN(d[2 * n + r]) ? 0.3 : d[2 * n + r];
    y[r] =
      d[r] +
      (c === 2 ? 1.5 : c === 4 ? -1 : 0) +
      x2 * d[3 * n + r] +
      0.5 * Math.sin(3 * d[4 * n + r]) +
      0.3 * rng.normal();
  }
  const columns = Array.from({ length: p }, (_, i) => `x${i}`);
  return { X: createMatrix(n, p, d, columns), y };
}

/** The model's trees with every fifth split's left child given no cover (its children then share 0.5 each). */
function withZeroCover(model: TreeModel): FittedTreeRegressor {
  const fe = model.ensemble;
  const trees = model.trees().map((t) => {
    const cover = Float64Array.from(t.cover);
    for (let i = 0, seen = 0; i < t.left.length; i++) if (t.left[i] >= 0 && seen++ % 5 === 0) cover[t.left[i]] = 0;
    return { ...t, cover };
  });
  const ensemble = TreeEnsemble.fromTrees(trees, {
    nOutputs: fe.nOutputs,
    valueWidth: fe.valueWidth,
    treeOutput: fe.treeOutput,
    baseScore: fe.baseScore,
    scale: fe.scale,
  });
  return new FittedTreeRegressor({
    kind: 'models/RandomForestRegressor',
    columns: model.columns,
    ensemble,
    link: 'identity',
    params: {},
  });
}

function deepest(e: TreeEnsemble): number {
  let max = 0;
  const depth = (n: number, d: number): void => {
    if (e.left[n] < 0) max = Math.max(max, d);
    else {
      depth(e.left[n], d + 1);
      depth(e.right[n], d + 1);
    }
  };
  for (let t = 0; t < e.nTrees; t++) depth(e.roots[t], 0);
  return max;
}

describe('TreeSHAP path-dependent walk: WebAssembly equals JavaScript bit for bit', () => {
  const { X, y } = data(600, 8, 1);
  const Xt = data(40, 8, 2, true).X;
  const yc = Float64Array.from(y, (v) => (v > 0.3 ? 1 : 0));
  const y3 = Float64Array.from(y, (v) => (v < -0.5 ? 0 : v < 1 ? 1 : 2));
  const deep = { maxDepth: 18, minSamplesLeaf: 1, maxFeatures: 'all' as const, categoricalFeatures: [1] };

  it('runs in WebAssembly here (Node has WebAssembly SIMD), so the comparisons below are not vacuous', () => {
    expect(wasmTreeShapOn()).toBe(true);
    setWasmTreeShap(false);
    expect(wasmTreeShapOn()).toBe(false);
  });

  it('deep forests (depth 14+) with repeated features, missing values, categorical splits and zero-cover nodes', () => {
    const models: TreeModel[] = [
      new RandomForestRegressor({ nEstimators: 6, seed: 3, ...deep }).fit(X, y),
      new RandomForestClassifier({ nEstimators: 6, seed: 4, ...deep }).fit(X, yc),
    ];
    models.push(...models.map(withZeroCover));
    for (const model of models) {
      const e = model.ensemble;
      expect(deepest(e)).toBeGreaterThanOrEqual(14);
      expect(e.catOffset.some((c) => c >= 0)).toBe(true);
      expect(e.defaultLeft.some((v, i) => e.left[i] >= 0 && v === 1)).toBe(true);
      const { js, wasm, expected } = bothWays(model, Xt);
      expectSameBits(js, wasm);
      expectLocalAccuracy(model, Xt, wasm, expected, 1e-12);
      expectGroupsMatch(model, Xt, js);
    }
    // The zero-cover copies do have splits with no cover under them.
    expect(models[2].ensemble.cover.some((c) => c === 0)).toBe(true);
  });

  it('boosting, binary and multiclass (one tree per class: output columns of their own)', () => {
    const models: TreeModel[] = [
      new GradientBoostingClassifier({ nEstimators: 12, maxDepth: 6, categoricalFeatures: [1] }).fit(X, yc),
      new GradientBoostingClassifier({ nEstimators: 6, maxDepth: 5, categoricalFeatures: [1] }).fit(X, y3),
    ];
    for (const model of models) {
      expect(model.ensemble.valueWidth).toBe(1);
      const { js, wasm, expected } = bothWays(model, Xt);
      expectSameBits(js, wasm);
      expectLocalAccuracy(model, Xt, wasm, expected, 1e-12);
      expectGroupsMatch(model, Xt, js);
    }
  });

  it('a multiclass forest (three-wide leaves) keeps the JavaScript walk, with the same values either way', () => {
    const model = new RandomForestClassifier({ nEstimators: 3, seed: 5, ...deep }).fit(X, y3);
    expect(model.ensemble.valueWidth).toBe(3);
    const { js, wasm, expected } = bothWays(model, Xt);
    expectSameBits(js, wasm);
    expectLocalAccuracy(model, Xt, wasm, expected, 1e-12);
    expectGroupsMatch(model, Xt, js);
  });

  it('imported XGBoost models (categorical splits; 300 trees of depth 6)', () => {
    const dir = path.join(__dirname, '../../models/src/trees/__fixtures__/xgboost');
    for (const name of ['categorical.json', 'bench-300x6.json.gz', 'binary-logistic.json']) {
      const raw = fs.readFileSync(path.join(dir, name));
      const fx = JSON.parse((name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')) as {
        model: string;
        X: (number | null)[][];
      };
      const model = importXGBoostModel(fx.model);
      const n = Math.min(fx.X.length, 60);
      const p = model.columns.length;
      const d = new Float64Array(n * p);
      for (let r = 0; r < n; r++) for (let c = 0; c < p; c++) d[c * n + r] = fx.X[r][c] ?? NaN;
      const Xi = createMatrix(n, p, d, model.columns);
      const { js, wasm, expected } = bothWays(model, Xi);
      expectSameBits(js, wasm);
      expectLocalAccuracy(model, Xi, wasm, expected, 1e-9);
      expectGroupsMatch(model, Xi, js);
    }
  });

  it('chain trees of depth 80 (up to 40 quadrature nodes), odd and even node counts, a stump and a lone leaf', () => {
    for (const [depth, features] of [
      [80, 80],
      [80, 10],
      [5, 5],
      [1, 1],
      [0, 1],
    ]) {
      const model = chainTree(depth, features);
      const rng = createRng(depth + features);
      const n = 30;
      const d = new Float64Array(n * features);
      for (let i = 0; i < d.length; i++) d[i] = rng.random() < 0.1 ? NaN : rng.random() - 0.5;
      const Xc = createMatrix(n, features, d, model.columns);
      const { js, wasm, expected } = bothWays(model, Xc);
      expectSameBits(js, wasm);
      expectLocalAccuracy(model, Xc, wasm, expected, 1e-9);
      expectGroupsMatch(model, Xc, js);
    }
  });
});

/** One chain tree (each split's left child a leaf) and a lone leaf, `features` features in turn. */
function chainTree(depth: number, features: number): FittedTreeRegressor {
  const nodes = 2 * depth + 1;
  const feature = new Int32Array(nodes).fill(-1);
  const threshold = new Float64Array(nodes);
  const left = new Int32Array(nodes).fill(-1);
  const right = new Int32Array(nodes).fill(-1);
  const defaultLeft = new Uint8Array(nodes);
  const value = new Float64Array(nodes);
  const cover = new Float64Array(nodes);
  let c = 1e6;
  for (let d = 0; d < depth; d++) {
    const node = 2 * d;
    feature[node] = d % features;
    threshold[node] = ((d * 3) % 7) / 7 - 0.5;
    defaultLeft[node] = d % 2;
    left[node] = node + 1;
    right[node] = node + 2;
    cover[node] = c;
    cover[node + 1] = d % 9 === 4 ? 0 : c * 0.3;
    value[node + 1] = Math.sin(d + 1);
    c = c - cover[node + 1];
  }
  cover[nodes - 1] = c;
  value[nodes - 1] = 2;
  const tree: TreeArrays = {
    feature,
    threshold,
    left,
    right,
    defaultLeft,
    catOffset: new Int32Array(nodes).fill(-1),
    catBits: new Uint32Array(0),
    value,
    cover,
    gain: new Float64Array(nodes),
  };
  const leaf: TreeArrays = {
    feature: new Int32Array([-1]),
    threshold: new Float64Array(1),
    left: new Int32Array([-1]),
    right: new Int32Array([-1]),
    defaultLeft: new Uint8Array(1),
    catOffset: new Int32Array([-1]),
    catBits: new Uint32Array(0),
    value: new Float64Array([0.75]),
    cover: new Float64Array([10]),
    gain: new Float64Array(1),
  };
  const ensemble = TreeEnsemble.fromTrees([tree, leaf], {
    nOutputs: 1,
    valueWidth: 1,
    treeOutput: new Int32Array(2),
    baseScore: new Float64Array([0.25]),
    scale: 1,
  });
  return new FittedTreeRegressor({
    kind: 'models/DecisionTreeRegressor',
    columns: Array.from({ length: features }, (_, i) => `f${i}`),
    ensemble,
    link: 'identity',
    params: {},
  });
}
