import { createMatrix, createRng, type Matrix } from '@campaign-ml/core';
import { GradientBoostingClassifier, LinearRegression, LogisticRegression } from '@campaign-ml/models';
import type { ModelFunction } from './coalition-values';
import { kernelShap } from './kernel-shap';
import { linearShap } from './linear-shap';
import { permutationShap } from './permutation-shap';

function normalMatrix(n: number, p: number, seed: number): Matrix {
  const rng = createRng(seed);
  const d = new Float64Array(n * p);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  return createMatrix(n, p, d);
}

function factorial(k: number): number {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return f;
}

/** Exact Shapley values of v(S) = mean_b f(x_S, b_S̄) over players (groups of features). */
function bruteForce(f: ModelFunction, x: Float64Array, bg: Matrix, groups: number[][], k = 0, K = 1): Float64Array {
  const M = groups.length;
  const v = new Float64Array(1 << M);
  for (let S = 0; S < 1 << M; S++) {
    const data = new Float64Array(bg.rows * bg.cols);
    for (let c = 0; c < bg.cols; c++)
      for (let r = 0; r < bg.rows; r++) data[c * bg.rows + r] = bg.data[c * bg.rows + r];
    groups.forEach((g, p) => {
      if (S & (1 << p)) for (const c of g) for (let r = 0; r < bg.rows; r++) data[c * bg.rows + r] = x[c];
    });
    const y = f(createMatrix(bg.rows, bg.cols, data, bg.columns));
    let s = 0;
    for (let r = 0; r < bg.rows; r++) s += y[r * K + k];
    v[S] = s / bg.rows;
  }
  const phi = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    for (let S = 0; S < 1 << M; S++) {
      if (S & (1 << i)) continue;
      let size = 0;
      for (let b = S; b; b &= b - 1) size++;
      phi[i] += ((factorial(size) * factorial(M - size - 1)) / factorial(M)) * (v[S | (1 << i)] - v[S]);
    }
  }
  return phi;
}

function rowOf(X: Matrix, r: number): Float64Array {
  return Float64Array.from({ length: X.cols }, (_, c) => X.data[c * X.rows + r]);
}

const X = normalMatrix(300, 6, 1);
const y = Float64Array.from({ length: 300 }, (_, r) =>
  X.data[r] + X.data[300 + r] * X.data[600 + r] - X.data[900 + r] > 0 ? 1 : 0,
);
const bg = normalMatrix(9, 6, 2);
const Xt = normalMatrix(4, 6, 3);

describe('linear SHAP', () => {
  it('is w_i (x_i − mean_i) in log-odds, additive to the decision function', () => {
    const model = new LogisticRegression().fit(X, y);
    const shap = linearShap(model, Xt, { background: bg });
    const w = model.coef;
    const z = model.decisionFunction(Xt);
    for (let r = 0; r < Xt.rows; r++) {
      let s = shap.expectedValue as number;
      for (let c = 0; c < 6; c++) {
        let mean = 0;
        for (let b = 0; b < bg.rows; b++) mean += bg.data[c * bg.rows + b] / bg.rows;
        expect(shap.values[r * 6 + c]).toBeCloseTo(w[c] * (Xt.data[c * 4 + r] - mean), 12);
        s += shap.values[r * 6 + c];
      }
      expect(Math.abs(s - z[r])).toBeLessThan(1e-12);
    }
  });

  it('Kernel SHAP of the decision function equals the closed form (linear model, full budget)', () => {
    const model = new LinearRegression().fit(
      X,
      Float64Array.from(y, (v, i) => v + X.data[i]),
    );
    const f: ModelFunction = (M) => model.predict(M);
    const k = kernelShap(f, Xt, { background: bg });
    const l = linearShap(model, Xt, { background: bg });
    for (let i = 0; i < k.values.length; i++) expect(Math.abs(k.values[i] - l.values[i])).toBeLessThan(1e-10);
  });
});

describe('Kernel SHAP and the permutation explainer', () => {
  const model = new GradientBoostingClassifier({ nEstimators: 20, maxDepth: 3 }).fit(X, y);
  const f: ModelFunction = (M) => model.predictProba(M);
  const groups = Array.from({ length: 6 }, (_, i) => [i]);

  it('Kernel SHAP with every coalition equals exact enumeration (both outputs)', () => {
    const shap = kernelShap(f, Xt, { background: bg, outputs: 2, output: 'probability' });
    for (let r = 0; r < Xt.rows; r++) {
      for (const k of [0, 1]) {
        const exact = bruteForce(f, rowOf(Xt, r), bg, groups, k, 2);
        for (let p = 0; p < 6; p++) expect(Math.abs(shap.values[(r * 6 + p) * 2 + k] - exact[p])).toBeLessThan(1e-10);
      }
    }
  });

  it('players may be groups of features (one input column made of several features)', () => {
    const g = [[0, 1], [2], [3, 4, 5]];
    const pos: ModelFunction = (M) => {
      const p = model.predictProba(M);
      return Float64Array.from({ length: M.rows }, (_, r) => p[2 * r + 1]);
    };
    const shap = kernelShap(pos, Xt, { background: bg, groups: g, names: ['a', 'b', 'c'] });
    expect(shap.features).toEqual(['a', 'b', 'c']);
    const exact = bruteForce(pos, rowOf(Xt, 0), bg, g);
    for (let p = 0; p < 3; p++) expect(Math.abs(shap.values[p] - exact[p])).toBeLessThan(1e-10);
  });

  it('sampled Kernel SHAP (14 players, 2M + 2048 coalitions) is additive and close to exact', () => {
    const X14 = normalMatrix(400, 14, 5);
    const y14 = Float64Array.from({ length: 400 }, (_, r) =>
      X14.data[r] * X14.data[400 + r] + X14.data[800 + r] > 0 ? 1 : 0,
    );
    const m14 = new GradientBoostingClassifier({ nEstimators: 10, maxDepth: 3 }).fit(X14, y14);
    const pos: ModelFunction = (M) => {
      const p = m14.predictProba(M);
      return Float64Array.from({ length: M.rows }, (_, r) => p[2 * r + 1]);
    };
    const bg14 = normalMatrix(3, 14, 6);
    const x14 = normalMatrix(1, 14, 7);
    const shap = kernelShap(pos, x14, { background: bg14, seed: 3 });
    const exact = bruteForce(
      pos,
      rowOf(x14, 0),
      bg14,
      Array.from({ length: 14 }, (_, i) => [i]),
    );
    let sum = shap.expectedValue as number;
    let err = 0;
    let scale = 0;
    for (let p = 0; p < 14; p++) {
      sum += shap.values[p];
      err = Math.max(err, Math.abs(shap.values[p] - exact[p]));
      scale = Math.max(scale, Math.abs(exact[p]));
    }
    expect(Math.abs(sum - pos(x14)[0])).toBeLessThan(1e-12);
    expect(err).toBeLessThan(0.05 * scale + 1e-9);
    // The same seed gives the same values.
    expect(Array.from(kernelShap(pos, x14, { background: bg14, seed: 3 }).values)).toEqual(Array.from(shap.values));
  });

  it('permutation SHAP is additive, and exact for a model with pairwise interactions only', () => {
    const pairwise: ModelFunction = (M) =>
      Float64Array.from({ length: M.rows }, (_, r) => {
        const v = (c: number) => M.data[c * M.rows + r];
        return v(0) * v(1) + 2 * v(2) - v(3) * v(4) + v(5);
      });
    const shap = permutationShap(pairwise, Xt, { background: bg, maxEvals: 40, seed: 1 });
    for (let r = 0; r < Xt.rows; r++) {
      const exact = bruteForce(pairwise, rowOf(Xt, r), bg, groups);
      for (let p = 0; p < 6; p++) expect(Math.abs(shap.values[r * 6 + p] - exact[p])).toBeLessThan(1e-10);
    }
    const onModel = permutationShap(f, Xt, { background: bg, outputs: 2 });
    const p = model.predictProba(Xt);
    const base = onModel.expectedValue as number[];
    for (let r = 0; r < Xt.rows; r++) {
      let s = base[1];
      for (let q = 0; q < 6; q++) s += onModel.values[(r * 6 + q) * 2 + 1];
      expect(Math.abs(s - p[2 * r + 1])).toBeLessThan(1e-12);
    }
  });

  it('names a missing background', () => {
    expect(() => kernelShap(f, Xt, { background: createMatrix(0, 6, new Float64Array(0)) })).toThrow(/background/);
    expect(() => permutationShap(f, Xt, { background: normalMatrix(2, 5, 1) })).toThrow(/5 columns/);
  });
});
