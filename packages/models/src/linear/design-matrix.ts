import type { Matrix } from '@campaign-ml/core';
import { addMatVec, matTVec } from './dense-kernels';
import { acquireSimdKernels, type SimdKernels } from './simd-kernels';

/**
 * The training matrix as the logistic objectives read it. A column that is mostly one value (one-hot
 * and other indicator columns, standardized or not) is stored as that base value plus the rows
 * that differ, CSC-style, so X·w and Xᵀv cost in proportion to those rows. The other columns stay
 * dense and column-major: in WebAssembly memory for the SIMD kernels (padded to a multiple of four
 * columns and an even row stride), else the caller's array itself when every column is dense.
 *
 * Algebra: column c = base_c·1 + s_c with s_c sparse, so (X·w)ᵣ = Σ_dense + Σ_c base_c·w_c +
 * Σ_c s_c[r]·w_c and (Xᵀv)_c = base_c·Σᵣvᵣ + Σ s_c[r]·vᵣ: the same sums as the dense path,
 * grouped differently, so results agree to rounding.
 */
export interface DesignMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Original index of each dense column. */
  readonly denseCols: Int32Array;
  /** Dense columns, column-major with column stride `stride`, in the order of `denseCols`. */
  readonly dense: Float64Array;
  readonly stride: number;
  /** Original index of each sparse column. */
  readonly sparseCols: Int32Array;
  /** Base (most frequent) value of each sparse column. */
  readonly base: Float64Array;
  /** Entries of sparse column j are ptr[j] .. ptr[j + 1] − 1: row `idx[i]`, value − base `val[i]`. */
  readonly ptr: Int32Array;
  readonly idx: Int32Array;
  readonly val: Float64Array;
  /** Work vector of length `stride` for `fusedXwXtv` (scores, then residuals). */
  readonly z: Float64Array;
  /** The SIMD kernels, when WebAssembly SIMD is available and the matrix fits. */
  readonly simd: SimdLayout | undefined;
  /** Scratch arrays of length denseCols.length (JavaScript path). */
  readonly wd: Float64Array;
  readonly gd: Float64Array;
  /** Hands the WebAssembly memory back for the next fit; the matrix must not be used after. */
  release(): void;
}

/** Where the SIMD kernels find their operands, in float64 units of `kernels.f64`. */
interface SimdLayout {
  readonly kernels: SimdKernels;
  /** Dense columns padded to a multiple of four. */
  readonly cols4: number;
  readonly x: number;
  readonly z: number;
  readonly w: number;
  readonly g: number;
}

export interface DesignOptions {
  /** Columns with at most this share of rows away from their base value are stored sparse; 0 = all dense. */
  maxSparseFraction?: number;
  /** Use the WebAssembly SIMD kernels when available. Default true. */
  simd?: boolean;
}

/**
 * Default `maxSparseFraction`. A sparse entry costs a few dense ones (index load, scattered access,
 * no SIMD); one-hot levels sit far below. On Kickstarter any value from 0.05 to 0.3 gives the same
 * fit time within noise.
 */
export const MAX_SPARSE_FRACTION = 0.1;

/** Rows looked at first to pick a column's candidate base value (Boyer–Moore majority vote). */
const PREFIX = 64;

/** Splits X into dense and sparse-with-base columns. X must not hold NaN (checked by the caller). */
export function designMatrix(X: Matrix, opts: DesignOptions = {}): DesignMatrix {
  const { rows: n, cols: p, data } = X;
  const maxNnz = Math.floor((opts.maxSparseFraction ?? MAX_SPARSE_FRACTION) * n);
  const sparse: number[] = [];
  const dense: number[] = [];
  const bases: number[] = [];
  const counts: number[] = [];
  for (let c = 0; c < p; c++) {
    const found = maxNnz > 0 ? mostlyOneValue(data, c * n, n, maxNnz) : undefined;
    if (found === undefined) dense.push(c);
    else {
      sparse.push(c);
      bases.push(found.base);
      counts.push(found.count);
    }
  }
  const denseCols = Int32Array.from(dense);
  const pd = dense.length;

  const ptr = new Int32Array(sparse.length + 1);
  for (let j = 0; j < sparse.length; j++) ptr[j + 1] = ptr[j] + counts[j];
  const idx = new Int32Array(ptr[sparse.length]);
  const val = new Float64Array(idx.length);
  for (let j = 0; j < sparse.length; j++) {
    const off = sparse[j] * n;
    const b = bases[j];
    let k = ptr[j];
    for (let r = 0; r < n; r++) {
      const v = data[off + r];
      if (v !== b) {
        idx[k] = r;
        val[k] = v - b;
        k++;
      }
    }
  }
  const common = {
    rows: n,
    cols: p,
    denseCols,
    sparseCols: Int32Array.from(sparse),
    base: Float64Array.from(bases),
    ptr,
    idx,
    val,
    wd: new Float64Array(pd),
    gd: new Float64Array(pd),
  };

  const stride = n + (n & 1);
  const cols4 = (pd + 3) & ~3;
  const kernels = opts.simd === false || pd === 0 ? undefined : acquireSimdKernels(cols4 * stride + stride + 2 * cols4);
  if (kernels) {
    const f64 = kernels.f64; // reused memory: the padding row and columns are zeroed here
    for (let j = 0; j < pd; j++) {
      f64.set(data.subarray(dense[j] * n, (dense[j] + 1) * n), j * stride);
      if (stride > n) f64[j * stride + n] = 0;
    }
    f64.fill(0, pd * stride, cols4 * stride);
    const z = cols4 * stride;
    f64.fill(0, z, z + stride + 2 * cols4);
    const simd: SimdLayout = { kernels, cols4, x: 0, z, w: z + stride, g: z + stride + cols4 };
    return {
      ...common,
      dense: f64.subarray(0, pd * stride),
      stride,
      z: f64.subarray(z, z + stride),
      simd,
      release: kernels.release,
    };
  }
  let denseData: Float64Array;
  if (pd === p) denseData = data.subarray(0, n * p);
  else {
    denseData = new Float64Array(n * pd);
    for (let j = 0; j < pd; j++) denseData.set(data.subarray(dense[j] * n, (dense[j] + 1) * n), j * n);
  }
  return { ...common, dense: denseData, stride: n, z: new Float64Array(n), simd: undefined, release: () => {} };
}

/**
 * The value that all but at most `maxNnz` rows of the column hold, with the number of other rows;
 * undefined when there is none. A continuous column is rejected on its first rows.
 */
function mostlyOneValue(
  data: Float64Array,
  off: number,
  n: number,
  maxNnz: number,
): { base: number; count: number } | undefined {
  const m = Math.min(n, PREFIX);
  let cand = majority(data, off, m);
  let prefixOther = 0;
  for (let r = 0; r < m; r++) if (data[off + r] !== cand) prefixOther++;
  // Most of the first rows differ from their leading value: not a mostly-constant column (only a
  // speed choice, never a correctness one).
  if (prefixOther > m >> 1) return undefined;
  let count = countOther(data, off, n, cand, maxNnz);
  if (count > maxNnz) {
    // The first rows may be unrepresentative (rows sorted by this column): vote over all of it.
    const whole = majority(data, off, n);
    if (whole === cand) return undefined;
    cand = whole;
    count = countOther(data, off, n, cand, maxNnz);
    if (count > maxNnz) return undefined;
  }
  return { base: cand, count };
}

/** Boyer–Moore majority vote over data[off, off + m): the majority value if there is one. */
function majority(data: Float64Array, off: number, m: number): number {
  let cand = data[off];
  let votes = 0;
  for (let r = 0; r < m; r++) {
    const v = data[off + r];
    if (votes === 0) {
      cand = v;
      votes = 1;
    } else if (v === cand) votes++;
    else votes--;
  }
  return cand;
}

/** Rows of the column that differ from `value`; counting stops past `limit`. */
function countOther(data: Float64Array, off: number, n: number, value: number, limit: number): number {
  let count = 0;
  for (let r = 0; r < n; r++) {
    if (data[off + r] !== value && ++count > limit) return count;
  }
  return count;
}

/** Σ_j base_j·w[wOff + sparseCols[j]]: what the sparse columns' base values add to every score. */
function baseShift(X: DesignMatrix, w: Float64Array, wOff: number): number {
  let shift = 0;
  for (let j = 0; j < X.sparseCols.length; j++) shift += X.base[j] * w[wOff + X.sparseCols[j]];
  return shift;
}

/** z[r] += Σ over sparse entries of column j of val·w_j. */
function scatterSparse(X: DesignMatrix, w: Float64Array, wOff: number, z: Float64Array, zOff: number): void {
  const { sparseCols, ptr, idx, val } = X;
  for (let j = 0; j < sparseCols.length; j++) {
    const wc = w[wOff + sparseCols[j]];
    if (wc === 0) continue;
    const end = ptr[j + 1];
    for (let i = ptr[j]; i < end; i++) z[zOff + idx[i]] += wc * val[i];
  }
}

/** out[outOff + sparseCols[j]] = base_j·sum + Σ over sparse entries of val·v. */
function gatherSparse(
  X: DesignMatrix,
  v: Float64Array,
  vOff: number,
  sum: number,
  out: Float64Array,
  outOff: number,
): void {
  const { sparseCols, base, ptr, idx, val } = X;
  for (let j = 0; j < sparseCols.length; j++) {
    let s = 0;
    const end = ptr[j + 1];
    for (let i = ptr[j]; i < end; i++) s += val[i] * v[vOff + idx[i]];
    out[outOff + sparseCols[j]] = base[j] * sum + s;
  }
}

/** Copies the dense columns' weights w[wOff + denseCols[j]] to `to[toOff + j]`. */
function gatherDenseWeights(X: DesignMatrix, w: Float64Array, wOff: number, to: Float64Array, toOff: number): void {
  const { denseCols } = X;
  for (let j = 0; j < denseCols.length; j++) to[toOff + j] = w[wOff + denseCols[j]];
}

/** z[zOff + r] = b + Σ_c X[r, c]·w[wOff + c] for every row r. */
export function setXw(X: DesignMatrix, w: Float64Array, wOff: number, b: number, z: Float64Array, zOff: number): void {
  const n = X.rows;
  const pd = X.denseCols.length;
  const shift = b + baseShift(X, w, wOff);
  const simd = X.simd;
  if (simd) {
    const f64 = simd.kernels.f64;
    gatherDenseWeights(X, w, wOff, f64, simd.w);
    const zs = X.z;
    zs.fill(shift, 0, n);
    simd.kernels.xw(simd.z * 8, simd.x * 8, simd.w * 8, X.stride * 8, simd.cols4, X.stride * 8);
    for (let r = 0; r < n; r++) z[zOff + r] = zs[r];
  } else {
    z.fill(shift, zOff, zOff + n);
    if (pd === X.cols) addMatVec(X.dense, n, pd, w, wOff, z, zOff);
    else {
      gatherDenseWeights(X, w, wOff, X.wd, 0);
      addMatVec(X.dense, n, pd, X.wd, 0, z, zOff);
    }
  }
  scatterSparse(X, w, wOff, z, zOff);
}

/** out[outOff + c] = Σ_r X[r, c]·v[vOff + r] for every column c. */
export function setXtv(X: DesignMatrix, v: Float64Array, vOff: number, out: Float64Array, outOff: number): void {
  const n = X.rows;
  const { denseCols } = X;
  const pd = denseCols.length;
  const simd = X.simd;
  if (simd) {
    const f64 = simd.kernels.f64;
    const zs = X.z;
    for (let r = 0; r < n; r++) zs[r] = v[vOff + r];
    if (X.stride > n) zs[n] = 0; // the padding row
    f64.fill(0, simd.g, simd.g + simd.cols4);
    simd.kernels.xtv(simd.z * 8, simd.x * 8, simd.g * 8, X.stride * 8, simd.cols4, X.stride * 8);
    for (let j = 0; j < pd; j++) out[outOff + denseCols[j]] = f64[simd.g + j];
  } else if (pd === X.cols) matTVec(X.dense, n, pd, v, vOff, out, outOff);
  else {
    matTVec(X.dense, n, pd, v, vOff, X.gd, 0);
    for (let j = 0; j < pd; j++) out[outOff + denseCols[j]] = X.gd[j];
  }
  if (X.sparseCols.length === 0) return;
  let sum = 0;
  for (let r = 0; r < n; r++) sum += v[vOff + r];
  gatherSparse(X, v, vOff, sum, out, outOff);
}

/** Rows per block in `fusedXwXtv`: a block of the dense columns stays in cache between its two passes. */
const BLOCK = 256;

/**
 * One objective evaluation's matrix work in one pass over X: X.z = b + X·w, then `rows(start, end)`
 * turns X.z[start, end) into residuals v in place, then out = Xᵀv. The dense columns go block by
 * block, both products of a block reading it while it is in cache; the sparse columns are
 * scattered into z before and gathered from v after.
 */
export function fusedXwXtv(
  X: DesignMatrix,
  w: Float64Array,
  b: number,
  out: Float64Array,
  rows: (start: number, end: number) => void,
): void {
  const n = X.rows;
  const z = X.z;
  z.fill(b + baseShift(X, w, 0), 0, n);
  scatterSparse(X, w, 0, z, 0);
  const simd = X.simd;
  if (simd) fusedSimd(X, simd, w, rows);
  else fusedJs(X, w, out, rows);
  const { denseCols } = X;
  if (simd) for (let j = 0; j < denseCols.length; j++) out[denseCols[j]] = simd.kernels.f64[simd.g + j];
  else if (X.sparseCols.length > 0) for (let j = 0; j < denseCols.length; j++) out[denseCols[j]] = X.gd[j];
  if (X.sparseCols.length === 0) return;
  let sum = 0;
  for (let r = 0; r < n; r++) sum += z[r];
  gatherSparse(X, z, 0, sum, out, 0);
}

function fusedSimd(
  X: DesignMatrix,
  simd: SimdLayout,
  w: Float64Array,
  rows: (start: number, end: number) => void,
): void {
  const n = X.rows;
  const stride = X.stride;
  const { kernels, cols4 } = simd;
  gatherDenseWeights(X, w, 0, kernels.f64, simd.w);
  kernels.f64.fill(0, simd.g, simd.g + cols4);
  const z = X.z;
  if (stride > n) z[n] = 0; // the padding row: X is 0 there, keep its residual 0 too
  for (let start = 0; start < stride; start += BLOCK) {
    const m = Math.min(BLOCK, stride - start);
    const zAt = (simd.z + start) * 8;
    const xAt = (simd.x + start) * 8;
    kernels.xw(zAt, xAt, simd.w * 8, stride * 8, cols4, m * 8);
    rows(start, Math.min(start + m, n));
    kernels.xtv(zAt, xAt, simd.g * 8, stride * 8, cols4, m * 8);
  }
}

function fusedJs(
  X: DesignMatrix,
  w: Float64Array,
  out: Float64Array,
  rows: (start: number, end: number) => void,
): void {
  const { rows: n, dense, z } = X;
  const pd = X.denseCols.length;
  let wd = w;
  if (X.sparseCols.length > 0) {
    wd = X.wd;
    gatherDenseWeights(X, w, 0, wd, 0);
  }
  // Gradient of the dense columns, accumulated over blocks (in `out` when every column is dense).
  const gd = X.sparseCols.length > 0 ? X.gd : out;
  gd.fill(0, 0, pd);
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    addMatVec(dense, n, pd, wd, 0, z, 0, start, end);
    rows(start, end);
    matTVec(dense, n, pd, z, 0, gd, 0, start, end, true);
  }
}
