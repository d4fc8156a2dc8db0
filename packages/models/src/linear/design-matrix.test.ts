import { createRng, fromColumns, type Matrix } from '@campaign-ml/core';
import { designMatrix, fusedXwXtv, setXtv, setXw, type DesignOptions } from './design-matrix';
import { expNeg } from './exp-neg';
import { fitLogistic, LogisticRegression } from './logistic-regression';
import { acquireSimdKernels } from './simd-kernels';

/** Standardized like the benchmark's one-hot columns: two distinct values, mean 0, variance 1. */
function standardize(x: Float64Array): Float64Array {
  const n = x.length;
  const mean = x.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  return x.map((v) => (v - mean) / sd);
}

/**
 * A mix of column kinds, n rows: continuous, standardized one-hot levels (rare and common), a
 * one-hot level whose rows come first (sorted data), a zero-inflated count, a constant.
 */
function mixed(n: number, seed: number): Matrix {
  const rng = createRng(seed);
  const cols: [string, Float64Array][] = [];
  for (let c = 0; c < 5; c++) cols.push([`num${c}`, Float64Array.from({ length: n }, () => rng.normal())]);
  const level = Int32Array.from({ length: n }, () => Math.floor(rng.random() ** 2 * 12));
  for (let l = 0; l < 12; l++) cols.push([`cat=${l}`, standardize(Float64Array.from(level, (v) => (v === l ? 1 : 0)))]);
  cols.push(['sorted', standardize(Float64Array.from({ length: n }, (_, r) => (r < n / 20 ? 1 : 0)))]);
  cols.push([
    'count',
    Float64Array.from({ length: n }, () => (rng.random() < 0.06 ? 1 + Math.floor(rng.random() * 5) : 0)),
  ]);
  cols.push(['const', new Float64Array(n).fill(2.5)]);
  return fromColumns(cols);
}

function naiveXw(X: Matrix, w: Float64Array, wOff: number, b: number): Float64Array {
  const z = new Float64Array(X.rows).fill(b);
  for (let c = 0; c < X.cols; c++) for (let r = 0; r < X.rows; r++) z[r] += X.data[c * X.rows + r] * w[wOff + c];
  return z;
}

function naiveXtv(X: Matrix, v: ArrayLike<number>, vOff: number): Float64Array {
  const g = new Float64Array(X.cols);
  for (let c = 0; c < X.cols; c++) for (let r = 0; r < X.rows; r++) g[c] += X.data[c * X.rows + r] * v[vOff + r];
  return g;
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / scale);
  return m;
}

const readings: [string, DesignOptions][] = [
  ['dense, JavaScript', { maxSparseFraction: 0, simd: false }],
  ['sparse, JavaScript', { simd: false }],
  ['dense, SIMD', { maxSparseFraction: 0 }],
  ['sparse, SIMD', {}],
  ['all sparse that can be, SIMD', { maxSparseFraction: 1 }],
];

describe('designMatrix', () => {
  it('stores mostly-one-value columns as base + differing rows, continuous ones dense', () => {
    const X = mixed(1001, 1);
    const dm = designMatrix(X, { simd: false });
    const sparse = Array.from(dm.sparseCols, (c) => X.columns[c]);
    // Sparse exactly when at most 10% of the rows differ from the column's most frequent value.
    const expected = X.columns.filter((_, c) => {
      const counts = new Map<number, number>();
      for (let r = 0; r < X.rows; r++)
        counts.set(X.data[c * X.rows + r], (counts.get(X.data[c * X.rows + r]) ?? 0) + 1);
      return X.rows - Math.max(...counts.values()) <= Math.floor(0.1 * X.rows);
    });
    expect(sparse).toEqual(expected);
    expect(sparse).not.toContain('num0');
    expect(sparse).not.toContain('cat=0'); // 29% of the rows
    expect(sparse).toContain('cat=11');
    expect(sparse).toContain('sorted'); // its first rows hold the rare value
    expect(sparse).toContain('count');
    expect(sparse).toContain('const'); // no entries at all
    for (let j = 0; j < dm.sparseCols.length; j++) {
      const c = dm.sparseCols[j];
      const col = X.data.subarray(c * X.rows, (c + 1) * X.rows);
      const other = Array.from(col).filter((v) => v !== dm.base[j]).length;
      expect(dm.ptr[j + 1] - dm.ptr[j]).toBe(other);
      expect(other).toBeLessThanOrEqual(0.1 * X.rows);
      for (let i = dm.ptr[j]; i < dm.ptr[j + 1]; i++) expect(dm.base[j] + dm.val[i]).toBeCloseTo(col[dm.idx[i]], 14);
    }
    expect(designMatrix(X, { maxSparseFraction: 0, simd: false }).sparseCols.length).toBe(0);
  });

  it.each(readings)(
    'X·w and Xᵀv read %s agree with the plain sums (odd rows, columns not a multiple of 4)',
    (_name, opts) => {
      const X = mixed(1001, 2);
      const rng = createRng(3);
      const p = X.cols;
      const w = Float64Array.from({ length: 2 * p + 3 }, () => rng.normal());
      w[4] = 0; // a zero weight skips its column in the JavaScript kernels
      const v = Float64Array.from({ length: 2 * X.rows + 5 }, () => rng.normal());
      const dm = designMatrix(X, opts);
      try {
        for (const off of [0, p + 1]) {
          const z = new Float64Array(X.rows + 7);
          setXw(dm, w, off, 0.25, z, 7);
          expect(maxRel(z.subarray(7), naiveXw(X, w, off, 0.25))).toBeLessThan(1e-14);
          const g = new Float64Array(p + 2);
          setXtv(dm, v, off, g, 2);
          expect(maxRel(g.subarray(2), naiveXtv(X, v, off))).toBeLessThan(1e-14);
        }
      } finally {
        dm.release();
      }
    },
  );

  it.each(readings)('fusedXwXtv read %s gives the same scores, rows and gradient as the plain sums', (_name, opts) => {
    const X = mixed(777, 4);
    const rng = createRng(5);
    const w = Float64Array.from({ length: X.cols }, () => rng.normal());
    const z0 = naiveXw(X, w, 0, -0.5);
    const residual = (z: number, r: number) => Math.tanh(z) + r / X.rows;
    const dm = designMatrix(X, opts);
    try {
      const seen = new Uint8Array(X.rows);
      const grad = new Float64Array(X.cols);
      let maxScoreDiff = 0;
      fusedXwXtv(dm, w, -0.5, grad, (start, end) => {
        for (let r = start; r < end; r++) {
          seen[r]++;
          maxScoreDiff = Math.max(maxScoreDiff, Math.abs(dm.z[r] - z0[r]));
          dm.z[r] = residual(dm.z[r], r);
        }
      });
      expect(Array.from(seen).every((s) => s === 1)).toBe(true);
      expect(maxScoreDiff).toBeLessThan(1e-12);
      const v = Array.from(z0, (z, r) => residual(z, r));
      expect(maxRel(grad, naiveXtv(X, v, 0))).toBeLessThan(1e-12);
    } finally {
      dm.release();
    }
  });

  it('zeroes the padding of reused WebAssembly memory and gives nested fits their own', () => {
    const big = mixed(2001, 6);
    const first = designMatrix(big);
    first.simd?.kernels.f64.fill(Number.NaN); // junk where the next matrix's padding will be
    first.release();
    const X = mixed(999, 7);
    const w = Float64Array.from({ length: X.cols }, (_, c) => Math.cos(c));
    const dm = designMatrix(X);
    const nested = designMatrix(X);
    try {
      if (dm.simd && nested.simd) expect(nested.simd.kernels.f64.buffer).not.toBe(dm.simd.kernels.f64.buffer);
      const z = new Float64Array(X.rows);
      setXw(dm, w, 0, 0, z, 0);
      expect(maxRel(z, naiveXw(X, w, 0, 0))).toBeLessThan(1e-14);
      const g = new Float64Array(X.cols);
      setXtv(dm, z, 0, g, 0);
      expect(maxRel(g, naiveXtv(X, z, 0))).toBeLessThan(1e-13);
    } finally {
      nested.release();
      dm.release();
    }
  });

  it('has the WebAssembly SIMD kernels on this Node', () => {
    const k = acquireSimdKernels(16);
    expect(k).toBeDefined();
    k?.release();
  });
});

describe('LogisticRegression on the sparse and dense readings', () => {
  function oneHotTask(n: number, seed: number): { X: Matrix; y: Int32Array } {
    const X = mixed(n, seed);
    const rng = createRng(seed + 100);
    const w = Array.from({ length: X.cols }, () => rng.normal());
    const y = new Int32Array(n);
    const z = naiveXw(X, Float64Array.from(w), 0, 0.3);
    for (let r = 0; r < n; r++) y[r] = rng.random() < 1 / (1 + Math.exp(-z[r])) ? 1 : 0;
    return { X, y };
  }

  it('reaches the same optimum every way X is read (binary; multinomial on two readings)', () => {
    const { X, y } = oneHotTask(2001, 8);
    const rng = createRng(12);
    const y3 = y.map((v, r) => (X.data[r] + 0.7 * rng.normal() > 0.8 ? 2 : v)); // a third class, driven by num0
    const est = new LogisticRegression({ C: 0.5, tol: 1e-8, ftol: 0, maxIter: 2000 });
    for (const [labels, K, ways] of [
      [y, 1, readings],
      [y3, 3, [readings[0], readings[3]]],
    ] as const) {
      const fits = ways.map(([, opts]) => fitLogistic(est, X, labels, {}, opts));
      const ref = [...fits[0].coef, ...fits[0].intercept];
      expect(fits[0].coef.length).toBe(K * X.cols);
      for (const m of fits) {
        expect(m.converged).toBe(true);
        expect(maxRel([...m.coef, ...m.intercept], ref)).toBeLessThan(1e-7);
      }
    }
  });

  it('stops where the dense reading stops at default tolerances, to within the stopping tolerance', () => {
    const { X, y } = oneHotTask(2000, 9);
    const est = new LogisticRegression();
    const dense = fitLogistic(est, X, y, {}, { maxSparseFraction: 0, simd: false });
    const fast = est.fit(X, y);
    expect(Math.abs(fast.nIter - dense.nIter)).toBeLessThanOrEqual(3);
    expect(maxRel(fast.coef, dense.coef)).toBeLessThan(1e-3);
    expect(fast.predict(X)).toEqual(dense.predict(X));
  });

  it('weighted rows take the same path as repeated rows', () => {
    const { X, y } = oneHotTask(600, 10);
    const est = new LogisticRegression({ tol: 1e-9, ftol: 0, maxIter: 2000 });
    const weighted = est.fit(X, y, { sampleWeight: Float64Array.from(y, (_, r) => (r % 2 ? 2 : 1)) });
    const rows = Array.from({ length: X.rows }, (_, r) => r).flatMap((r) => (r % 2 ? [r, r] : [r]));
    const Xr = fromColumns(
      X.columns.map((name, c) => [name, Float64Array.from(rows, (r) => X.data[c * X.rows + r])] as const),
    );
    const repeated = est.fit(
      Xr,
      Int32Array.from(rows, (r) => y[r]),
    );
    expect(maxRel(weighted.coef, repeated.coef)).toBeLessThan(1e-6);
  });
});

describe('expNeg', () => {
  it('agrees with Math.exp to the last bit on random arguments and handles the edges', () => {
    const rng = createRng(11);
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      const x = i % 2 ? -rng.random() * 745 : -rng.random() * 3;
      const a = expNeg(x);
      const b = Math.exp(x);
      worst = Math.max(worst, Math.abs(a - b) / b);
    }
    expect(worst).toBeLessThanOrEqual(Number.EPSILON); // within one ulp
    expect(expNeg(0)).toBe(1);
    expect(expNeg(-0)).toBe(1);
    expect(expNeg(-708.5)).toBe(Math.exp(-708.5)); // subnormal range: falls back to Math.exp
    expect(expNeg(-800)).toBe(0);
    expect(expNeg(-Infinity)).toBe(0);
    expect(expNeg(Number.NaN)).toBeNaN();
    expect(expNeg(2)).toBe(Math.exp(2));
  });
});
