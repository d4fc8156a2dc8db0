import { InputError, type Matrix } from '@campaign-ml/core';

/** Weighted, centered copies of X (column-major) and y, scaled by √w, and the weighted means. */
export interface CenteredProblem {
  n: number;
  p: number;
  /** √wᵢ·(xᵢ − x̄), column-major n x p. */
  Xc: Float64Array;
  /** √wᵢ·(yᵢ − ȳ). */
  yc: Float64Array;
  xMean: Float64Array;
  yMean: number;
}

export function centerProblem(
  X: Matrix,
  y: Float64Array,
  w: Float64Array | undefined,
  center: boolean,
): CenteredProblem {
  const n = X.rows;
  const p = X.cols;
  const data = X.data;
  let wSum = 0;
  for (let r = 0; r < n; r++) wSum += w ? w[r] : 1;
  const xMean = new Float64Array(p);
  let yMean = 0;
  if (center) {
    for (let r = 0; r < n; r++) yMean += (w ? w[r] : 1) * y[r];
    yMean /= wSum;
    for (let c = 0; c < p; c++) {
      const off = c * n;
      let s = 0;
      for (let r = 0; r < n; r++) s += (w ? w[r] : 1) * data[off + r];
      xMean[c] = s / wSum;
    }
  }
  const Xc = new Float64Array(n * p);
  const yc = new Float64Array(n);
  for (let r = 0; r < n; r++) yc[r] = (w ? Math.sqrt(w[r]) : 1) * (y[r] - yMean);
  for (let c = 0; c < p; c++) {
    const off = c * n;
    const m = xMean[c];
    for (let r = 0; r < n; r++) Xc[off + r] = (w ? Math.sqrt(w[r]) : 1) * (data[off + r] - m);
  }
  return { n, p, Xc, yc, xMean, yMean };
}

/**
 * Least squares min ‖Xβ − y‖ by Householder QR (no normal equations, so the condition number is
 * not squared). A column that is (numerically) a combination of earlier ones gets coefficient 0.
 * Overwrites A (column-major n x p) and b.
 */
export function solveLeastSquaresQR(A: Float64Array, b: Float64Array, n: number, p: number): Float64Array {
  const k = Math.min(n, p);
  const rdiag = new Float64Array(p);
  let scale = 0;
  for (let i = 0; i < A.length; i++) scale = Math.max(scale, Math.abs(A[i]));
  const colNorm0 = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (let r = 0; r < n; r++) s += A[j * n + r] * A[j * n + r];
    colNorm0[j] = Math.sqrt(s);
  }
  for (let j = 0; j < k; j++) {
    const off = j * n;
    let norm = 0;
    for (let r = j; r < n; r++) norm += A[off + r] * A[off + r];
    norm = Math.sqrt(norm);
    if (norm <= 1e-12 * colNorm0[j] || norm === 0) {
      rdiag[j] = 0; // dependent column
      continue;
    }
    const alpha = A[off + j] > 0 ? -norm : norm;
    // v = x - alpha e1 stored in place; R_jj = alpha.
    A[off + j] -= alpha;
    let vnorm2 = 0;
    for (let r = j; r < n; r++) vnorm2 += A[off + r] * A[off + r];
    for (let c = j + 1; c < p; c++) {
      const oc = c * n;
      let s = 0;
      for (let r = j; r < n; r++) s += A[off + r] * A[oc + r];
      const f = (2 * s) / vnorm2;
      for (let r = j; r < n; r++) A[oc + r] -= f * A[off + r];
    }
    let s = 0;
    for (let r = j; r < n; r++) s += A[off + r] * b[r];
    const f = (2 * s) / vnorm2;
    for (let r = j; r < n; r++) b[r] -= f * A[off + r];
    rdiag[j] = alpha;
  }
  // Back substitution R β = (Qᵀb)[0..k); R above the diagonal lives in A.
  const beta = new Float64Array(p);
  for (let j = k - 1; j >= 0; j--) {
    if (rdiag[j] === 0) continue;
    let s = b[j];
    for (let c = j + 1; c < k; c++) s -= A[c * n + j] * beta[c];
    beta[j] = s / rdiag[j];
  }
  return beta;
}

/** Solve (XcᵀXc + αI) β = Xcᵀyc by Cholesky. */
export function solveRidgeCholesky(
  Xc: Float64Array,
  yc: Float64Array,
  n: number,
  p: number,
  alpha: number,
): Float64Array {
  const G = new Float64Array(p * p);
  const rhs = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const oi = i * n;
    for (let j = 0; j <= i; j++) {
      const oj = j * n;
      let s = 0;
      for (let r = 0; r < n; r++) s += Xc[oi + r] * Xc[oj + r];
      G[i * p + j] = s;
      G[j * p + i] = s;
    }
    G[i * p + i] += alpha;
    let s = 0;
    for (let r = 0; r < n; r++) s += Xc[oi + r] * yc[r];
    rhs[i] = s;
  }
  // In-place lower Cholesky.
  for (let j = 0; j < p; j++) {
    let d = G[j * p + j];
    for (let k = 0; k < j; k++) d -= G[j * p + k] * G[j * p + k];
    if (!(d > 0)) {
      throw new InputError(
        'SINGULAR_MATRIX',
        `the features are linearly dependent (feature ${j} adds nothing); raise alpha or drop duplicated columns`,
        { value: j, expected: 'linearly independent features or alpha > 0' },
      );
    }
    const l = Math.sqrt(d);
    G[j * p + j] = l;
    for (let i = j + 1; i < p; i++) {
      let s = G[i * p + j];
      for (let k = 0; k < j; k++) s -= G[i * p + k] * G[j * p + k];
      G[i * p + j] = s / l;
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = rhs[i];
    for (let k = 0; k < i; k++) s -= G[i * p + k] * z[k];
    z[i] = s / G[i * p + i];
  }
  const beta = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= G[k * p + i] * beta[k];
    beta[i] = s / G[i * p + i];
  }
  return beta;
}
