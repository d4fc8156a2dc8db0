import { createMatrix, createRng, type Matrix } from '@campaign-ml/core';
import {
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  RandomForestClassifier,
  childFor,
  type FittedTreeClassifier,
  type FittedTreeRegressor,
  type TreeEnsemble,
} from '@campaign-ml/models';
import { treeShap } from './tree-shap';
import { ShapleyWeights } from './tree-shap-interventional';
import { LeafMaskShap } from './tree-shap-leaf-masks';
import { setWasmTreeShap } from './tree-shap-wasm';

/**
 * LeafMaskShap's pass in WebAssembly (tree-shap-leaf-masks-wasm.ts) against the JavaScript pass
 * it replaces, on the same tables: the values must be the same bit for bit. (The oracle tests in
 * tree-shap.test.ts and tree-shap-leaf-masks.test.ts run with WebAssembly on, the default.)
 */

afterEach(() => setWasmTreeShap(true));

/**
 * n rows of p features: column 1 category codes 0..5, column 2 with NaN every third row. Test
 * rows (test = true) also hold codes no bitset covers (−1, 2.5, 7, 300, 1e10) and NaN codes.
 */
function data(n: number, p: number, seed: number, test = false): { X: Matrix; y: Float64Array; y3: Float64Array } {
  const rng = createRng(seed);
  const d = new Float64Array(n * p);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  const odd = [-1, 2.5, 7, 300, 1e10, NaN];
  for (let r = 0; r < n; r++) d[n + r] = test && r % 3 === 0 ? odd[(r / 3) % odd.length] : rng.int(6);
  for (let r = 0; r < n; r += 3) d[2 * n + r] = NaN;
  const y = new Float64Array(n);
  const y3 = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const c = d[n + r];
    const x2 = Number.isNaN(d[2 * n + r]) ? 1 : d[2 * n + r];
    const s = d[r] + (c === 2 ? 1.5 : c === 4 ? -1 : 0) + x2 * d[3 * n + r] + 0.5 * rng.normal();
    y[r] = s > 0.3 ? 1 : 0;
    y3[r] = s < -0.5 ? 0 : s < 0.8 ? 1 : 2;
  }
  return { X: createMatrix(n, p, d), y, y3 };
}

function rows(X: Matrix): Float64Array[] {
  return Array.from({ length: X.rows }, (_, r) =>
    Float64Array.from({ length: X.cols }, (_, c) => X.data[c * X.rows + r]),
  );
}

function expectSameBits(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  const differ: number[] = [];
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differ.push(i);
  expect(differ).toEqual([]);
}

/**
 * Every row's values by the JavaScript pass and by the WebAssembly pass, each row with weights of
 * its own, into an output that already holds values (the pass adds to them), rows `nOut` wide
 * from offset 3. Row 1 (weights all −0) starts from −0.
 */
function bothWays(
  masks: LeafMaskShap,
  e: TreeEnsemble,
  xs: Float64Array[],
  weights: Float64Array[],
  F: number,
  nOut: number,
): { js: Float64Array; wasm: Float64Array } {
  const start = new Float64Array(3 + xs.length * F * nOut);
  const rng = createRng(11);
  for (let i = 0; i < start.length; i++) start[i] = rng.normal();
  // Row 1 starts at −0, where a term's sign of zero shows (−0 + +0 is +0).
  start.fill(-0, 3 + F * nOut, 3 + 2 * F * nOut);
  const run = (on: boolean): Float64Array => {
    setWasmTreeShap(on);
    const out = Float64Array.from(start);
    xs.forEach((x, r) => masks.explain(x, weights[r], out, 3 + r * F * nOut, nOut, e.scale));
    return out;
  };
  const js = run(false);
  const wasm = run(true);
  // Not vacuous: the pass did add something.
  expect(js.some((v, i) => v !== start[i])).toBe(true);
  return { js, wasm };
}

/** Per row, one weight per reference: unequal, a few negative, one −0 and one 0; row 1's all −0. */
function weightsFor(n: number, R: number, seed: number): Float64Array[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, r) => {
    const w = Float64Array.from({ length: R }, () => (r === 1 ? -0 : rng.random() * 1.5 - 0.2));
    w[0] = -0;
    w[R - 1] = r === 1 ? -0 : 0;
    return w;
  });
}

/**
 * Over every leaf: most distinct features on its path, most distinct reference masks (groups) at
 * a leaf of at most 7 path features (those get a reach table).
 */
function leafStats(e: TreeEnsemble, refs: Float64Array[]): { features: number; groups: number } {
  let features = 0;
  let groups = 0;
  const path: [number, number][] = [];
  const visit = (node: number): void => {
    if (e.left[node] < 0) {
      const feats = [...new Set(path.map(([n]) => e.feature[n]))];
      features = Math.max(features, feats.length);
      const masks = new Set<string>();
      for (const r of refs) {
        const off = feats.filter((f) => path.some(([n, to]) => e.feature[n] === f && childFor(e, n, r[f]) !== to));
        masks.add(off.join(','));
      }
      if (feats.length <= 7) groups = Math.max(groups, masks.size);
      return;
    }
    for (const child of [e.left[node], e.right[node]]) {
      path.push([node, child]);
      visit(child);
      path.pop();
    }
  };
  for (let t = 0; t < e.nTrees; t++) visit(e.roots[t]);
  return { features, groups };
}

describe('TreeSHAP leaf masks: WebAssembly equals JavaScript bit for bit', () => {
  const { X, y, y3 } = data(400, 7, 1);
  const xs = rows(data(24, 7, 2, true).X);
  const refs = rows(data(40, 7, 3).X);
  const F = X.cols;
  const cases: Record<string, () => FittedTreeClassifier | FittedTreeRegressor> = {
    'binary boosting with categorical splits and missing values': () =>
      new GradientBoostingClassifier({ nEstimators: 25, maxDepth: 5, categoricalFeatures: [1] }).fit(X, y),
    'multiclass boosting (one tree per class and round)': () =>
      new GradientBoostingClassifier({ nEstimators: 8, maxDepth: 4, categoricalFeatures: [1] }).fit(X, y3),
    'a multiclass forest (leaves of three values)': () =>
      new RandomForestClassifier({ nEstimators: 6, maxDepth: 6, seed: 4, categoricalFeatures: [1] }).fit(X, y3),
  };
  for (const [name, fit] of Object.entries(cases)) {
    it(`${name}, weights varying per reference and per row`, () => {
      const model = fit();
      const e = model.ensemble;
      const masks = LeafMaskShap.build(e, refs, new ShapleyWeights(F))!;
      expect(masks).not.toBeNull();
      const { js, wasm } = bothWays(masks, e, xs, weightsFor(xs.length, refs.length, 5), F, e.nOutputs);
      expectSameBits(js, wasm);
    });
  }

  it('the categorical, missing-value and multi-column cases are what they say', () => {
    const binary = cases['binary boosting with categorical splits and missing values']().ensemble;
    expect(binary.catOffset.some((c) => c >= 0)).toBe(true);
    expect(binary.defaultLeft.some((v, i) => binary.left[i] >= 0 && binary.feature[i] === 2 && v === 1)).toBe(true);
    const multi = cases['multiclass boosting (one tree per class and round)']().ensemble;
    expect([multi.valueWidth, multi.nOutputs, new Set(multi.treeOutput).size]).toEqual([1, 3, 3]);
    expect(cases['a multiclass forest (leaves of three values)']().ensemble.valueWidth).toBe(3);
  });

  it('deep trees: leaves past 7 path features (groups scanned), tabled leaves of more than 32 groups', () => {
    const big = data(1500, 12, 6);
    // A target of every feature, so deep paths split on many of them.
    const target = Float64Array.from({ length: 1500 }, (_, r) => {
      let s = 0;
      for (let c = 0; c < 12; c++) s += Math.sin(2 * (big.X.data[c * 1500 + r] || 0));
      return s;
    });
    const model = new GradientBoostingRegressor({ nEstimators: 6, maxDepth: 12, minChildWeight: 0 }).fit(big.X, target);
    const e = model.ensemble;
    const bg = rows(data(300, 12, 7).X);
    const stats = leafStats(e, bg);
    expect(stats.features).toBeGreaterThan(7);
    expect(stats.groups).toBeGreaterThan(32);
    const masks = LeafMaskShap.build(e, bg, new ShapleyWeights(12))!;
    expect(masks).not.toBeNull();
    const test = rows(data(12, 12, 8, true).X);
    const { js, wasm } = bothWays(masks, e, test, weightsFor(test.length, bg.length, 9), 12, 1);
    expectSameBits(js, wasm);
  });

  it('one table, rows of another width (nOut) in turn', () => {
    const model = cases['binary boosting with categorical splits and missing values']();
    const e = model.ensemble;
    const masks = LeafMaskShap.build(e, refs, new ShapleyWeights(F))!;
    const w = weightsFor(xs.length, refs.length, 10);
    for (const nOut of [1, 3, 1]) {
      const { js, wasm } = bothWays(masks, e, xs, w, F, nOut);
      expectSameBits(js, wasm);
    }
  });

  it('treeShap, interventional, probability output: the same values either way', () => {
    const model = cases['binary boosting with categorical splits and missing values']();
    const Xt = data(30, 7, 12, true).X;
    const background = data(50, 7, 13).X;
    const options = { featurePerturbation: 'interventional', background, output: 'probability' } as const;
    setWasmTreeShap(false);
    const js = treeShap(model, Xt, options);
    setWasmTreeShap(true);
    const wasm = treeShap(model, Xt, options);
    expectSameBits(js.values, wasm.values);
    expect(wasm.expectedValue).toBe(js.expectedValue);
  });
});
