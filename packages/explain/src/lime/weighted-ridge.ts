import { InputError } from '@campaign-ml/core';

/** A fitted weighted ridge: `predict(x) = intercept + Σ coef_j x_j`. */
export interface RidgeFit {
  intercept: number;
  coef: Float64Array;
  /** Weighted R² on the data it was fitted on (scikit-learn's `score(X, y, sample_weight)`). */
  score: number;
}

/**
 * scikit-learn's `Ridge(alpha, fit_intercept=True).fit(X, y, sample_weight)`, on the columns
 * `cols` of a row-major `X` (rows × width): centre X and y on their weighted means, solve
 * (XcᵀWXc + αI)β = XcᵀW·yc by Cholesky (the intercept is not penalised), intercept = ȳ − x̄·β.
 * With alpha 0 a singular system gets a tiny ridge (1e-10) so that collinear columns still solve.
 */
export function weightedRidge(
  X: Float64Array,
  width: number,
  y: Float64Array,
  w: Float64Array,
  cols: readonly number[],
  alpha: number,
): RidgeFit {
  const n = y.length;
  const k = cols.length;
  let sw = 0;
  let my = 0;
  const mx = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const wi = w[i];
    sw += wi;
    my += wi * y[i];
    for (let a = 0; a < k; a++) mx[a] += wi * X[i * width + cols[a]];
  }
  if (!(sw > 0)) throw new InputError('ZERO_WEIGHTS', 'the sample weights sum to zero');
  my /= sw;
  for (let a = 0; a < k; a++) mx[a] /= sw;
  const A = new Float64Array(k * k);
  const b = new Float64Array(k);
  const xc = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const wi = w[i];
    for (let a = 0; a < k; a++) xc[a] = X[i * width + cols[a]] - mx[a];
    const yc = y[i] - my;
    for (let a = 0; a < k; a++) {
      const wa = wi * xc[a];
      b[a] += wa * yc;
      for (let c = 0; c <= a; c++) A[a * k + c] += wa * xc[c];
    }
  }
  for (let a = 0; a < k; a++) for (let c = 0; c < a; c++) A[c * k + a] = A[a * k + c];
  let coef = choleskySolve(A, b, k, alpha);
  if (!coef) coef = choleskySolve(A, b, k, alpha + 1e-10) ?? new Float64Array(k);
  let intercept = my;
  for (let a = 0; a < k; a++) intercept -= mx[a] * coef[a];
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    let p = intercept;
    for (let a = 0; a < k; a++) p += coef[a] * X[i * width + cols[a]];
    ssRes += w[i] * (y[i] - p) ** 2;
    ssTot += w[i] * (y[i] - my) ** 2;
  }
  // scikit-learn's r2_score: 1 when both are 0, 0 when only the total is 0.
  const score = ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
  return { intercept, coef, score };
}

/** Solve (A + ridge·I)x = b for a symmetric positive (semi)definite A; null when not positive definite. */
function choleskySolve(A: Float64Array, b: Float64Array, k: number, ridge: number): Float64Array | null {
  const L = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * k + j] + (i === j ? ridge : 0);
      for (let p = 0; p < j; p++) s -= L[i * k + p] * L[j * k + p];
      if (i === j) {
        if (!(s > 1e-300)) return null;
        L[i * k + i] = Math.sqrt(s);
      } else L[i * k + j] = s / L[j * k + j];
    }
  }
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i];
    for (let p = 0; p < i; p++) s -= L[i * k + p] * z[p];
    z[i] = s / L[i * k + i];
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = z[i];
    for (let p = i + 1; p < k; p++) s -= L[p * k + i] * x[p];
    x[i] = s / L[i * k + i];
  }
  return x;
}
