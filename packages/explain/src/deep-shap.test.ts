import { createMatrix, createRng, type Matrix } from '@campaign-ml/core';
import { MLPClassifier, MLPRegressor, type MlpLayers } from '@campaign-ml/models';
import { deepShap } from './deep-shap';
import { explainRecords } from './explain-records';
import { testBundle, testRecords } from './test-support/shap-bundles';

function matrix(rows: number[][]): Matrix {
  const n = rows.length;
  const p = rows[0].length;
  const data = new Float64Array(n * p);
  for (let r = 0; r < n; r++) for (let c = 0; c < p; c++) data[c * n + r] = rows[r][c];
  return createMatrix(
    n,
    p,
    data,
    Array.from({ length: p }, (_, i) => `x${i}`),
  );
}

function layers(
  sizes: number[],
  weights: number[],
  activation: 'relu' | 'tanh',
  output: MlpLayers['output'],
): MlpLayers {
  const offsets = new Int32Array(sizes.length);
  for (let l = 0; l + 1 < sizes.length; l++) offsets[l + 1] = offsets[l] + sizes[l] * sizes[l + 1] + sizes[l + 1];
  return { sizes, activation, output, weights: Float64Array.from(weights), offsets, outputScale: 1, outputShift: 0 };
}

function gaussian(n: number, p: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: p }, () => rng.normal()));
}

describe('deepShap: DeepLIFT rescale rule over background references', () => {
  it('matches a hand-worked example: relu(x1 + x2 − 1) at (1, 1) against (0, 0)', () => {
    // z(x) = 1, z(b) = −1: the unit's multiplier is (1 − 0) / (1 − (−1)) = 1/2, so each input
    // gets 1/2 · 1 · (1 − 0) and the two add up to f(x) − f(b) = 1.
    const net = layers([2, 1, 1], [1, 1, -1, 1, 0], 'relu', 'identity');
    const shap = deepShap(net, matrix([[1, 1]]), matrix([[0, 0]]));
    expect(Array.from(shap.values)).toEqual([0.5, 0.5]);
    expect(shap.expectedValue).toBe(0);
  });

  it('is linear SHAP for a network without hidden layers', () => {
    const net = layers([3, 1], [0.5, -2, 1.5, 0.25], 'relu', 'identity');
    const X = matrix(gaussian(5, 3, 1));
    const bg = matrix(gaussian(40, 3, 2));
    const shap = deepShap(net, X, bg);
    const w = [0.5, -2, 1.5];
    for (let c = 0; c < 3; c++) {
      let mean = 0;
      for (let b = 0; b < 40; b++) mean += bg.data[c * 40 + b] / 40;
      for (let r = 0; r < 5; r++) expect(shap.values[r * 3 + c]).toBeCloseTo(w[c] * (X.data[c * 5 + r] - mean), 12);
    }
  });

  it('skips dead units and agreeing inputs without changing a bit (against the full backward sums)', () => {
    // Inputs 2..5 are one-hot-like (mostly 0 in both x and the references); relu units are often
    // off for both. The full DeepLIFT backward pass, written out here without any skipping, must
    // give the same values bit for bit.
    const rng = createRng(11);
    const sizes = [6, 7, 5, 1];
    const nW = 6 * 7 + 7 + 7 * 5 + 5 + 5 + 1;
    const net = layers(
      sizes,
      Array.from({ length: nW }, () => rng.normal()),
      'relu',
      'logistic',
    );
    const rowsOf = (n: number, seed: number) => {
      const r = createRng(seed);
      return Array.from({ length: n }, () => [
        r.normal(),
        r.normal(),
        ...[0, 1, 2, 3].map(() => (r.random() < 0.2 ? 1 : 0)),
      ]);
    };
    const X = matrix(rowsOf(6, 12));
    const bg = matrix(rowsOf(30, 13));
    const shap = deepShap(net, X, bg);
    const pre = (x: number[]): number[][] => {
      const z: number[][] = [];
      let a = x;
      for (let l = 0; l + 1 < sizes.length; l++) {
        const o = net.offsets[l];
        const zl = Array.from({ length: sizes[l + 1] }, (_, j) => net.weights[o + sizes[l] * sizes[l + 1] + j]);
        for (let i = 0; i < sizes[l]; i++) {
          if (a[i] === 0) continue;
          for (let j = 0; j < sizes[l + 1]; j++) zl[j] += a[i] * net.weights[o + i * sizes[l + 1] + j];
        }
        z.push(zl);
        a = zl.map((v) => (v > 0 ? v : 0));
      }
      return z;
    };
    const sig = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
    const rowOf = (M: Matrix, r: number) => Array.from({ length: M.cols }, (_, c) => M.data[c * M.rows + r]);
    for (let r = 0; r < X.rows; r++) {
      const x = rowOf(X, r);
      const zx = pre(x);
      const phi = new Array<number>(6).fill(0);
      for (let b = 0; b < bg.rows; b++) {
        const ref = rowOf(bg, b);
        const zb = pre(ref);
        const ox = zx[2][0];
        const ob = zb[2][0];
        let s: number;
        if (Math.abs(ox - ob) > 1e-9 * Math.max(1, Math.abs(ox))) s = (sig(ox) - sig(ob)) / (ox - ob);
        else s = sig((ox + ob) / 2) * (1 - sig((ox + ob) / 2));
        let g = Array.from({ length: 5 }, (_, i) => s * net.weights[net.offsets[2] + i]);
        for (let l = 1; l >= 0; l--) {
          const fanOut = sizes[l + 1];
          for (let j = 0; j < fanOut; j++) {
            const u = zx[l][j];
            const v = zb[l][j];
            g[j] *= u > 0 && v > 0 ? 1 : u <= 0 && v <= 0 ? 0 : ((u > 0 ? u : 0) - (v > 0 ? v : 0)) / (u - v);
          }
          g = Array.from({ length: sizes[l] }, (_, i) => {
            let acc = 0;
            for (let j = 0; j < fanOut; j++) acc += net.weights[net.offsets[l] + i * fanOut + j] * g[j];
            return acc;
          });
        }
        for (let i = 0; i < 6; i++) phi[i] += g[i] * (x[i] - ref[i]);
      }
      for (let i = 0; i < 6; i++) expect(Object.is(shap.values[r * 6 + i], phi[i] / bg.rows)).toBe(true);
    }
  });

  it('adds up to the prediction minus the mean over the background (relu, tanh, logistic, two layers)', () => {
    const rows = gaussian(300, 4, 3);
    const X = matrix(rows);
    const yc = new Int32Array(rows.map((r) => (r[0] * r[1] + r[2] > 0 ? 1 : 0)));
    const yr = new Float64Array(rows.map((r) => 1000 + 300 * Math.sin(r[0]) + 200 * r[1] * r[2]));
    const bg = matrix(rows.slice(0, 50));
    const test = matrix(rows.slice(250));
    for (const activation of ['relu', 'tanh'] as const) {
      const clf = new MLPClassifier({ hiddenLayerSizes: [8, 6], activation, maxIter: 30, seed: 1 }).fit(X, yc);
      const shap = deepShap(clf.layers(), test, bg);
      const p = clf.predictProba(test);
      const pb = clf.predictProba(bg);
      let base = 0;
      for (let b = 0; b < 50; b++) base += pb[2 * b + 1] / 50;
      expect(shap.expectedValue).toBeCloseTo(base, 12);
      for (let r = 0; r < 50; r++) {
        let s = shap.expectedValue;
        for (let c = 0; c < 4; c++) s += shap.values[r * 4 + c];
        expect(Math.abs(s - p[2 * r + 1])).toBeLessThan(1e-12);
      }
      const reg = new MLPRegressor({ hiddenLayerSizes: [8], activation, maxIter: 30, seed: 2 }).fit(X, yr);
      const rs = deepShap(reg.layers(), test, bg);
      const pr = reg.predict(test);
      for (let r = 0; r < 50; r++) {
        let s = rs.expectedValue;
        for (let c = 0; c < 4; c++) s += rs.values[r * 4 + c];
        expect(Math.abs(s - pr[r])).toBeLessThan(1e-9 * Math.abs(pr[r]));
      }
    }
  });

  it('refuses a multiclass network and a wrong number of features, naming them', () => {
    const soft = layers([2, 3], [1, 0, 0, 0, 1, 0, 0, 0, 0], 'relu', 'softmax');
    expect(() => deepShap(soft, matrix([[1, 1]]), matrix([[0, 0]]))).toThrow(/one output unit/);
    const net = layers([2, 1], [1, 1, 0], 'relu', 'identity');
    expect(() => deepShap(net, matrix([[1, 1, 1]]), matrix([[0, 0]]))).toThrow(/takes 2 features/);
  });

  it('agrees with the permutation explainer on which columns matter for an MLP bundle', () => {
    const bundle = testBundle('mlp');
    const recs = testRecords(8, 5);
    const deep = explainRecords(bundle, recs);
    const perm = explainRecords(bundle, recs, { neural: 'permutation' });
    expect(deep.method).toBe('deep');
    expect(perm.method).toBe('permutation');
    // Both are additive to the same prediction and base value.
    for (let r = 0; r < recs.length; r++) {
      expect(deep.predictions[r]).toBeCloseTo(perm.predictions[r], 9);
      expect(deep.baseValues[r]).toBeCloseTo(perm.baseValues[r], 9);
    }
    // Mean |contribution| per column: the same most important column, and closely related rankings.
    const C = deep.columns.length;
    const mean = (v: Float64Array) =>
      Array.from({ length: C }, (_, c) => {
        let s = 0;
        for (let r = 0; r < recs.length; r++) s += Math.abs(v[r * C + c]);
        return s / recs.length;
      });
    const a = mean(deep.values);
    const b = mean(perm.values);
    const top = (m: number[]) => m.indexOf(Math.max(...m));
    expect(top(a)).toBe(top(b));
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let c = 0; c < C; c++) {
      dot += a[c] * b[c];
      na += a[c] * a[c];
      nb += b[c] * b[c];
    }
    expect(dot / Math.sqrt(na * nb)).toBeGreaterThan(0.9);
  });
});
