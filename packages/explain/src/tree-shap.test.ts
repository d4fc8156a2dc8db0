import { createMatrix, createRng, type Matrix } from '@campaign-ml/core';
import {
  DecisionTreeRegressor,
  FittedTreeRegressor,
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  RandomForestClassifier,
  RandomForestRegressor,
  TreeEnsemble,
  childFor,
  type TreeArrays,
} from '@campaign-ml/models';
import { treeShap } from './tree-shap';

function data(n: number, p: number, seed: number, nanEvery = 0): { X: Matrix; y: Float64Array; yc: Float64Array } {
  const rng = createRng(seed);
  const d = new Float64Array(n * p);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  // Column 1 holds category codes 0..4 (split natively when asked).
  for (let r = 0; r < n; r++) d[n + r] = Math.floor(rng.random() * 5);
  if (nanEvery) for (let r = 0; r < n; r += nanEvery) d[2 * n + r] = NaN;
  const y = new Float64Array(n);
  const yc = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const x2 = Number.isNaN(d[2 * n + r]) ? 0.5 : d[2 * n + r];
    y[r] =
      d[r] * 2 +
      (d[n + r] === 3 ? 3 : d[n + r] === 1 ? -2 : 0) +
      x2 * d[3 * n + r] +
      (p > 4 ? d[4 * n + r] : 0) +
      0.3 * rng.normal();
    yc[r] = y[r] > 0.5 ? 1 : 0;
  }
  return { X: createMatrix(n, p, d), y, yc };
}

/** E[f(x) | x_S] of one tree by its covers (EXPVALUE), S as a bit mask. */
function condExpectation(e: TreeArrays, cover: Float64Array, node: number, x: Float64Array, S: number): number {
  if (e.left[node] < 0) return e.value[node];
  const f = e.feature[node];
  if (S & (1 << f)) return condExpectation(e, cover, childFor(e, node, x[f]), x, S);
  const l = e.left[node];
  const r = e.right[node];
  const c = cover[node];
  const wl = c > 0 ? cover[l] / c : 0.5;
  const wr = c > 0 ? cover[r] / c : 0.5;
  return wl * condExpectation(e, cover, l, x, S) + wr * condExpectation(e, cover, r, x, S);
}

/** Whole-model raw output with features in S taken from x and the rest from ref. */
function mixed(e: TreeEnsemble, x: Float64Array, ref: Float64Array, S: number): number {
  let out = e.baseScore[0];
  for (let t = 0; t < e.nTrees; t++) {
    let node = e.roots[t];
    while (e.left[node] >= 0) {
      const f = e.feature[node];
      node = childFor(e, node, S & (1 << f) ? x[f] : ref[f]);
    }
    out += e.scale * e.value[node];
  }
  return out;
}

function factorial(k: number): number {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return f;
}

/** Brute-force Shapley values over every subset of M features. */
function bruteShapley(M: number, v: (S: number) => number): Float64Array {
  const phi = new Float64Array(M);
  const cache = new Float64Array(1 << M);
  for (let S = 0; S < 1 << M; S++) cache[S] = v(S);
  for (let i = 0; i < M; i++) {
    for (let S = 0; S < 1 << M; S++) {
      if (S & (1 << i)) continue;
      let size = 0;
      for (let b = S; b; b &= b - 1) size++;
      const w = (factorial(size) * factorial(M - size - 1)) / factorial(M);
      phi[i] += w * (cache[S | (1 << i)] - cache[S]);
    }
  }
  return phi;
}

function rowOf(X: Matrix, r: number): Float64Array {
  return Float64Array.from({ length: X.cols }, (_, c) => X.data[c * X.rows + r]);
}

describe('treeShap, path-dependent, against a brute-force Shapley oracle', () => {
  const { X, y, yc } = data(400, 6, 3, 9);
  const Xt = data(12, 6, 4, 3).X;

  const models = {
    'boosting with NaN and categorical splits': new GradientBoostingRegressor({
      nEstimators: 8,
      maxDepth: 4,
      categoricalFeatures: [1],
    }).fit(X, y),
    'a forest classifier (count-like cover)': new RandomForestClassifier({ nEstimators: 5, maxDepth: 5, seed: 2 }).fit(
      X,
      yc,
    ),
    'a single deep tree': new DecisionTreeRegressor({ maxDepth: 8 }).fit(X, y),
  };

  for (const [name, model] of Object.entries(models)) {
    it(`equals exact enumeration to 1e-10: ${name}`, () => {
      const e = model.ensemble;
      if (name.startsWith('boosting')) expect(e.catOffset.some((c) => c >= 0)).toBe(true);
      const shap = treeShap(model, Xt);
      const M = X.cols;
      for (let r = 0; r < Xt.rows; r++) {
        const x = rowOf(Xt, r);
        const oracle = bruteShapley(M, (S) => {
          let s = e.baseScore[0];
          for (let t = 0; t < e.nTrees; t++) {
            const tr = model.trees()[t];
            s += e.scale * condExpectation(tr, tr.cover, 0, x, S);
          }
          return s;
        });
        for (let f = 0; f < M; f++) expect(Math.abs(shap.values[r * M + f] - oracle[f])).toBeLessThan(1e-10);
        // Local accuracy against the model's own raw output.
        let sum = shap.expectedValue as number;
        for (let f = 0; f < M; f++) sum += shap.values[r * M + f];
        expect(Math.abs(sum - model.predictRaw(createMatrix(1, M, x, X.columns))[0])).toBeLessThan(1e-12);
      }
    });
  }

  it('interaction values equal the brute-force Shapley interaction index and their rows sum to the values', () => {
    const model = models['boosting with NaN and categorical splits'];
    const e = model.ensemble;
    const shap = treeShap(model, Xt, { interactions: true });
    const M = X.cols;
    const I = shap.interactions!;
    for (let r = 0; r < 4; r++) {
      const x = rowOf(Xt, r);
      const trees = model.trees();
      const v = (S: number) => {
        let s = e.baseScore[0];
        for (let t = 0; t < e.nTrees; t++) s += e.scale * condExpectation(trees[t], trees[t].cover, 0, x, S);
        return s;
      };
      for (let i = 0; i < M; i++) {
        let rowSum = 0;
        for (let j = 0; j < M; j++) rowSum += I[(r * M + i) * M + j];
        expect(Math.abs(rowSum - shap.values[r * M + i])).toBeLessThan(1e-10);
        for (let j = i + 1; j < M; j++) {
          // Shapley interaction index / 2 (shap's convention): Σ_S w(S) Δij(S) / 2.
          let phi = 0;
          for (let S = 0; S < 1 << M; S++) {
            if (S & (1 << i) || S & (1 << j)) continue;
            let size = 0;
            for (let b = S; b; b &= b - 1) size++;
            const w = (factorial(size) * factorial(M - size - 2)) / factorial(M - 1);
            phi += w * (v(S | (1 << i) | (1 << j)) - v(S | (1 << i)) - v(S | (1 << j)) + v(S));
          }
          expect(Math.abs(I[(r * M + i) * M + j] - phi / 2)).toBeLessThan(1e-10);
          expect(Math.abs(I[(r * M + j) * M + i] - phi / 2)).toBeLessThan(1e-10);
        }
      }
    }
  });

  it('interventional values equal the exact mean over the background of f(x_S, r_S̄) Shapley values', () => {
    const model = models['boosting with NaN and categorical splits'];
    const bg = data(7, 6, 8, 2).X;
    const shap = treeShap(model, Xt, { featurePerturbation: 'interventional', background: bg });
    const M = X.cols;
    const refs = Array.from({ length: bg.rows }, (_, b) => rowOf(bg, b));
    for (let r = 0; r < 5; r++) {
      const x = rowOf(Xt, r);
      const oracle = bruteShapley(
        M,
        (S) => refs.reduce((s, ref) => s + mixed(model.ensemble, x, ref, S), 0) / refs.length,
      );
      for (let f = 0; f < M; f++) expect(Math.abs(shap.values[r * M + f] - oracle[f])).toBeLessThan(1e-10);
    }
  });

  it('interventional probability output of a boosted classifier is additive in probability', () => {
    const model = new GradientBoostingClassifier({ nEstimators: 10, maxDepth: 3 }).fit(X, yc);
    const bg = data(30, 6, 9).X;
    const shap = treeShap(model, Xt, { featurePerturbation: 'interventional', background: bg, output: 'probability' });
    const p = model.predictProba(Xt);
    for (let r = 0; r < Xt.rows; r++) {
      let s = shap.expectedValue as number;
      for (let f = 0; f < X.cols; f++) s += shap.values[r * X.cols + f];
      expect(Math.abs(s - p[2 * r + 1])).toBeLessThan(1e-12);
    }
    expect(() => treeShap(model, Xt, { output: 'probability' })).toThrow(/interventional/);
  });

  it('multiclass boosting: one set of values per class, each additive in its margin', () => {
    const y3 = Float64Array.from(y, (v) => (v < -0.5 ? 0 : v < 1 ? 1 : 2));
    const model = new GradientBoostingClassifier({ nEstimators: 6, maxDepth: 3 }).fit(X, y3);
    const shap = treeShap(model, Xt);
    expect(shap.outputs).toBe(3);
    const raw = model.predictRaw(Xt);
    const base = shap.expectedValue as number[];
    for (let r = 0; r < Xt.rows; r++) {
      for (let k = 0; k < 3; k++) {
        let s = base[k];
        for (let f = 0; f < X.cols; f++) s += shap.values[(r * X.cols + f) * 3 + k];
        expect(Math.abs(s - raw[r * 3 + k])).toBeLessThan(1e-12);
      }
    }
  });

  it('deep forests with repeated features, missing values and zero-cover nodes, one-wide and three-wide leaves, equal exact enumeration', () => {
    // Depth up to 14 over 6 features: every path meets features again, hot and cold, at any depth.
    const y3 = Float64Array.from(y, (v) => (v < -0.5 ? 0 : v < 1 ? 1 : 2));
    const deep = { maxDepth: 14, minSamplesLeaf: 1, maxFeatures: 'all' as const, seed: 5 };
    const forests = [
      new RandomForestRegressor({ nEstimators: 3, ...deep }).fit(X, y),
      new RandomForestClassifier({ nEstimators: 3, ...deep }).fit(X, y3),
    ];
    for (const forest of forests) {
      // Every fifth split sends no cover to its left child (whose children then share 0.5 each).
      const trees = forest.trees().map((t) => {
        const cover = Float64Array.from(t.cover);
        for (let i = 0, seen = 0; i < t.left.length; i++) if (t.left[i] >= 0 && seen++ % 5 === 0) cover[t.left[i]] = 0;
        return { ...t, cover };
      });
      const fe = forest.ensemble;
      const W = fe.valueWidth;
      const ensemble = TreeEnsemble.fromTrees(trees, {
        nOutputs: fe.nOutputs,
        valueWidth: W,
        treeOutput: fe.treeOutput,
        baseScore: fe.baseScore,
        scale: fe.scale,
      });
      const model = new FittedTreeRegressor({
        kind: 'models/RandomForestRegressor',
        columns: X.columns,
        ensemble,
        link: 'identity',
        params: {},
      });
      const depths = trees.map(function depth(t: TreeArrays, n = 0): number {
        return t.left[n] < 0 ? 0 : 1 + Math.max(depth(t, t.left[n]), depth(t, t.right[n]));
      });
      expect(Math.max(...depths)).toBeGreaterThan(10);
      const shap = treeShap(model, Xt);
      const M = X.cols;
      for (let r = 0; r < Xt.rows; r++) {
        const x = rowOf(Xt, r);
        for (let k = 0; k < W; k++) {
          const oracle = bruteShapley(M, (S) => {
            let s = fe.baseScore[k];
            for (const t of trees) {
              const out = { ...t, value: Float64Array.from({ length: t.left.length }, (_, n) => t.value[n * W + k]) };
              s += fe.scale * condExpectation(out, t.cover, 0, x, S);
            }
            return s;
          });
          for (let f = 0; f < M; f++)
            expect(Math.abs(shap.values[(r * M + f) * W + k] - oracle[f])).toBeLessThan(1e-10);
        }
      }
    }
  });

  it("count cover (LightGBM's) gives other values than the hessian cover of a boosted classifier", () => {
    const model = new GradientBoostingClassifier({ nEstimators: 5, maxDepth: 3 }).fit(X, yc);
    const byHess = treeShap(model, Xt);
    const byCount = treeShap(model, Xt, { cover: 'count' });
    let diff = 0;
    for (let i = 0; i < byHess.values.length; i++) diff += Math.abs(byHess.values[i] - byCount.values[i]);
    expect(diff).toBeGreaterThan(1e-6);
  });
});

describe('treeShap on deep and degenerate trees', () => {
  /** A chain tree of the given depth over `features` features, alternating split features. */
  function chainTree(depth: number, features: number, zeroCoverAt = -1): FittedTreeRegressor {
    const nodes = 2 * depth + 1;
    const feature = new Int32Array(nodes).fill(-1);
    const threshold = new Float64Array(nodes);
    const left = new Int32Array(nodes).fill(-1);
    const right = new Int32Array(nodes).fill(-1);
    const value = new Float64Array(nodes);
    const cover = new Float64Array(nodes);
    // Node 2d is the split at depth d; its left child (2d + 1) is a leaf, its right child (2d + 2) goes on.
    let c = 1e6;
    for (let d = 0; d < depth; d++) {
      const node = 2 * d;
      feature[node] = d % features;
      threshold[node] = (d % 7) / 7 - 0.5;
      left[node] = node + 1;
      right[node] = node + 2;
      cover[node] = c;
      cover[node + 1] = d === zeroCoverAt ? 0 : c * 0.4;
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
      defaultLeft: new Uint8Array(nodes),
      catOffset: new Int32Array(nodes).fill(-1),
      catBits: new Uint32Array(0),
      value,
      cover,
      gain: new Float64Array(nodes),
    };
    const ensemble = TreeEnsemble.fromTrees([tree], {
      nOutputs: 1,
      valueWidth: 1,
      treeOutput: new Int32Array(1),
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

  it('a depth-80 tree stays additive to 1e-9 (every feature distinct and repeated)', () => {
    for (const features of [80, 10]) {
      const model = chainTree(80, features);
      const rng = createRng(1);
      const n = 50;
      const d = new Float64Array(n * features);
      for (let i = 0; i < d.length; i++) d[i] = rng.random() - 0.5 + (rng.random() < 0.2 ? 1 : 0);
      const X = createMatrix(n, features, d, model.columns);
      const shap = treeShap(model, X);
      const out = model.predict(X);
      for (let r = 0; r < n; r++) {
        let s = shap.expectedValue as number;
        for (let f = 0; f < features; f++) s += shap.values[r * features + f];
        expect(Math.abs(s - out[r])).toBeLessThan(1e-9);
      }
    }
  });

  it('zero-cover nodes do not divide by zero', () => {
    const model = chainTree(6, 3, 2);
    const X = createMatrix(3, 3, new Float64Array([0.9, -0.9, 0, 0.9, -0.9, NaN, 0.9, 0.1, -0.2]), model.columns);
    const shap = treeShap(model, X);
    for (const v of shap.values) expect(Number.isFinite(v)).toBe(true);
    const out = model.predict(X);
    for (let r = 0; r < 3; r++) {
      let s = shap.expectedValue as number;
      for (let f = 0; f < 3; f++) s += shap.values[r * 3 + f];
      expect(Math.abs(s - out[r])).toBeLessThan(1e-12);
    }
  });

  it('names a wrong option or model', () => {
    const model = chainTree(3, 2);
    const X = createMatrix(1, 2, new Float64Array([0, 0]), model.columns);
    expect(() => treeShap(model, X, { featurePerturbation: 'interventional' })).toThrow(/background/);
    expect(() => treeShap({} as never, X)).toThrow(/tree models/);
    expect(() => treeShap(model, X, { cover: 'count' })).toThrow(/row counts/);
  });
});
