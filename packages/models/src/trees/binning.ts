import { createRng, InputError, sortFloat64 } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';
import { codeOf, cutGrid, paddedCuts } from './cut-grid';

/**
 * Quantile binning, as in scikit-learn's HistGradientBoosting: each numeric feature is cut into at
 * most `maxBins` bins (<= 255) by bin edges; a value goes to the first bin whose edge is >= the
 * value, so "bin <= b" is the same test as "value <= edges[b]" and trees can predict on raw floats.
 * Missing values (NaN) get one extra bin, index `nBins[f]`. Categorical features (integer codes)
 * use the code as the bin.
 */
export interface BinnedData {
  readonly rows: number;
  readonly cols: number;
  /** Column-major bin codes: bin of row r, feature f at `f * rows + r`. */
  readonly bins: Uint8Array;
}

export interface BinMapperOptions {
  maxBins: number;
  categorical: Int32Array;
  /** Rows used to find the quantiles (a seeded subsample above this). */
  sampleRows?: number;
  seed?: number;
}

export class BinMapper {
  /** Bin edges per numeric feature (length nBins - 1); empty for categorical features. */
  readonly edges: readonly Float64Array[];
  /** Number of non-missing bins per feature; the missing bin is at index nBins[f]. */
  readonly nBins: Int32Array;
  /** 1 where the feature is categorical. */
  readonly isCategorical: Uint8Array;
  /** Offset of each feature's bins in a flat histogram (each feature has nBins + 1 bins). */
  readonly offsets: Int32Array;
  readonly totalBins: number;

  private constructor(edges: Float64Array[], nBins: Int32Array, isCategorical: Uint8Array) {
    this.edges = edges;
    this.nBins = nBins;
    this.isCategorical = isCategorical;
    this.offsets = new Int32Array(nBins.length + 1);
    for (let f = 0; f < nBins.length; f++) this.offsets[f + 1] = this.offsets[f] + nBins[f] + 1;
    this.totalBins = this.offsets[nBins.length];
  }

  static fit(X: Matrix, opts: BinMapperOptions): BinMapper {
    const { maxBins } = opts;
    const n = X.rows;
    const sampleRows = opts.sampleRows ?? 200_000;
    let sample: Uint32Array | null = null;
    if (n > sampleRows) {
      sample = createRng(opts.seed ?? 0).sampleIndices(n, sampleRows);
      sample.sort();
    }
    const isCat = new Uint8Array(X.cols);
    for (let i = 0; i < opts.categorical.length; i++) isCat[opts.categorical[i]] = 1;
    const edges: Float64Array[] = [];
    const nBins = new Int32Array(X.cols);
    const m = sample ? sample.length : n;
    const buf = new Float64Array(m);
    for (let f = 0; f < X.cols; f++) {
      const off = f * n;
      if (isCat[f]) {
        let max = -1;
        for (let r = 0; r < n; r++) {
          const v = X.data[off + r];
          if (v !== v) continue;
          if (!(Number.isInteger(v) && v >= 0 && v < maxBins)) {
            throw new InputError(
              'INVALID_CATEGORY',
              `categorical feature "${X.columns[f]}" holds ${v} at row ${r}; categorical features must be integer codes 0..${maxBins - 1} (integer-code the categories first, or raise maxBins)`,
              { row: r, column: X.columns[f], value: v, expected: `an integer code 0..${maxBins - 1}` },
            );
          }
          if (v > max) max = v;
        }
        nBins[f] = Math.max(1, max + 1);
        edges.push(new Float64Array(0));
        continue;
      }
      let k = 0;
      for (let i = 0; i < m; i++) {
        const v = X.data[off + (sample ? sample[i] : i)];
        if (v === v) buf[k++] = v;
      }
      // Few distinct values (flags, codes, small counts): sort only those, not every row.
      const few = distinctUpTo(buf, k, maxBins);
      const e = few ? findEdges(few.sort(), maxBins) : findEdges(sortFloat64(buf.subarray(0, k)), maxBins);
      edges.push(e);
      nBins[f] = e.length + 1;
    }
    return new BinMapper(edges, nBins, isCat);
  }

  /** Bin codes for a matrix with the fitted columns (column-major, like the Matrix). */
  transform(X: Matrix): BinnedData {
    const n = X.rows;
    const bins = new Uint8Array(n * X.cols);
    for (let f = 0; f < X.cols; f++) {
      const off = f * n;
      const missing = this.nBins[f];
      if (this.isCategorical[f]) {
        for (let r = 0; r < n; r++) {
          const v = X.data[off + r];
          bins[off + r] = v === v && v >= 0 && v < missing ? v : missing;
        }
        continue;
      }
      // Bin = index of the first edge >= v = number of edges below v, read off a grid over the edges.
      const cuts = paddedCuts(this.edges[f]);
      const grid = cutGrid(cuts);
      for (let r = 0; r < n; r++) {
        const v = X.data[off + r];
        bins[off + r] = v !== v ? missing : codeOf(grid, cuts, v);
      }
    }
    return { rows: n, cols: X.cols, bins };
  }
}

const SMALL_INT = 4096;

/** The distinct values of a[0, k) when there are at most `limit` of them, else null. */
function distinctUpTo(a: Float64Array, k: number, limit: number): Float64Array | null {
  // Fast path for small non-negative integers (flags, codes, counts): a marker array, no hashing.
  const mark = new Uint8Array(SMALL_INT);
  let count = 0;
  let i = 0;
  for (; i < k; i++) {
    const v = a[i];
    if (!(v >= 0 && v < SMALL_INT && (v | 0) === v)) break;
    if (mark[v] === 0) {
      mark[v] = 1;
      if (++count > limit) return null;
    }
  }
  if (i === k) {
    const out = new Float64Array(count);
    for (let v = 0, j = 0; j < count; v++) if (mark[v]) out[j++] = v;
    return out;
  }
  const seen = new Set<number>();
  for (let i = 0; i < k; i++) {
    seen.add(a[i]);
    if (seen.size > limit) return null;
  }
  return Float64Array.from(seen);
}

/**
 * Edges for sorted, non-missing values: midpoints between distinct values when there are at most
 * maxBins of them, otherwise midpoint quantiles (deduplicated).
 */
function findEdges(sorted: Float64Array, maxBins: number): Float64Array {
  const k = sorted.length;
  if (k === 0) return new Float64Array(0);
  let distinct = 1;
  for (let i = 1; i < k; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  const out: number[] = [];
  if (distinct <= maxBins) {
    for (let i = 1; i < k; i++) {
      if (sorted[i] !== sorted[i - 1]) out.push(midpoint(sorted[i - 1], sorted[i]));
    }
    return Float64Array.from(out);
  }
  for (let i = 1; i < maxBins; i++) {
    const pos = (i / maxBins) * (k - 1);
    const a = sorted[Math.floor(pos)];
    const b = sorted[Math.ceil(pos)];
    const edge = midpoint(a, b);
    if (out.length === 0 || edge > out[out.length - 1]) out.push(edge);
  }
  // The last edge must leave the maximum in the last bin.
  while (out.length > 0 && out[out.length - 1] >= sorted[k - 1]) out.pop();
  return Float64Array.from(out);
}

function midpoint(a: number, b: number): number {
  if (a === -Infinity) return b === Infinity ? 0 : -Number.MAX_VALUE;
  if (b === Infinity) return Number.MAX_VALUE > a ? Number.MAX_VALUE : a;
  const m = a + (b - a) / 2;
  // Guard against rounding up to b: values equal to b must fall in the next bin.
  return m < b ? m : a;
}
