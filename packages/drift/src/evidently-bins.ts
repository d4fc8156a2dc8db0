import { InputError } from '@campaign-ml/core';

/** A column's non-missing values for the Evidently mode: numbers or category keys. */
export type Values = Float64Array | string[];

export interface BinnedShares {
  /** Bin edges (numeric, Sturges) or the category / value keys, in bin order. */
  keys: number[] | string[];
  edges?: number[];
  reference: Float64Array;
  current: Float64Array;
}

/**
 * Evidently's get_binned_data, used by its PSI and Jensen-Shannon tests (evidently 0.7,
 * legacy/calculations/stattests/utils.py):
 *  - numeric columns with more than 20 distinct reference values: equal-width bins over the
 *    COMBINED reference and current range, numpy's "sturges" count (ceil(log2 n + 1), n the
 *    combined size). Its docstring says "reference quantiles" and its n_bins argument is ignored
 *    (evidently#1400); this reproduces what it does, not what it says;
 *  - otherwise one bin per distinct value of either side;
 *  - shares are counts / non-missing rows of each side; with `fill`, zeros are replaced per side
 *    by min non-zero / 10^6 if that minimum is <= 1e-4, else by 1e-4 (PSI fills, JS does not).
 * Parity with numpy is exact: same edges (linspace arithmetic), same half-open bins with the last
 * one closed.
 */
export function evidentlyBinnedShares(
  reference: Values,
  current: Values,
  numerical: boolean,
  fill: boolean,
): BinnedShares {
  if (reference.length === 0 || current.length === 0) {
    throw new InputError('EMPTY_INPUT', 'an Evidently test needs non-missing values on both sides');
  }
  let out: BinnedShares;
  if (
    numerical &&
    reference instanceof Float64Array &&
    current instanceof Float64Array &&
    distinctCount(reference) > 20
  ) {
    const edges = sturgesEdges(reference, current);
    out = {
      keys: edges,
      edges,
      reference: histogramShares(reference, edges),
      current: histogramShares(current, edges),
    };
  } else {
    const counts = unionValueCounts(reference, current);
    for (let k = 0; k < counts.keys.length; k++) {
      counts.reference[k] /= reference.length;
      counts.current[k] /= current.length;
    }
    out = counts;
  }
  if (fill) {
    fillZeros(out.reference);
    fillZeros(out.current);
  }
  return out;
}

/** Distinct values of one or more samples together (pandas nunique of their concatenation). */
export function distinctCount(...samples: Values[]): number {
  const seen = new Set<number | string>();
  for (const s of samples) for (let i = 0; i < s.length; i++) seen.add(s[i]);
  return seen.size;
}

/** numpy.histogram_bin_edges(concat(a, b), bins="sturges"). */
export function sturgesEdges(a: Float64Array, b: Float64Array): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const arr of [a, b]) {
    for (let i = 0; i < arr.length; i++) {
      if (arr[i] < min) min = arr[i];
      if (arr[i] > max) max = arr[i];
    }
  }
  const n = a.length + b.length;
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (max - min) / (Math.log2(n) + 1);
  const bins = width > 0 ? Math.ceil((last - first) / width) : 1;
  const step = (last - first) / bins;
  const edges: number[] = [];
  for (let k = 0; k <= bins; k++) edges.push(k * step + first);
  edges[bins] = last;
  return edges;
}

/** np.histogram(values, edges)[0] / len(values): bins [e_k, e_k+1), the last one closed. */
function histogramShares(values: Float64Array, edges: number[]): Float64Array {
  const bins = edges.length - 1;
  const counts = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < edges[0] || v > edges[bins]) continue;
    let lo = 0;
    let hi = bins; // last edge <= v
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (edges[mid] <= v) lo = mid;
      else hi = mid - 1;
    }
    counts[Math.min(lo, bins - 1)]++;
  }
  for (let k = 0; k < bins; k++) counts[k] /= values.length;
  return counts;
}

/** Counts of each distinct value of either side (sorted keys), as pandas value_counts over the union. */
export function unionValueCounts(
  a: Values,
  b: Values,
): { keys: number[] | string[]; reference: Float64Array; current: Float64Array } {
  const keys =
    a instanceof Float64Array && b instanceof Float64Array
      ? [...new Set<number>([...a, ...b])].sort((x, y) => x - y)
      : [...new Set<string>([...(a as string[]), ...(b as string[])])].sort();
  const index = new Map<number | string, number>();
  keys.forEach((k, i) => index.set(k, i));
  const count = (values: Values): Float64Array => {
    const out = new Float64Array(keys.length);
    for (let i = 0; i < values.length; i++) out[index.get(values[i])!]++;
    return out;
  };
  return { keys, reference: count(a), current: count(b) };
}

function fillZeros(shares: Float64Array): void {
  let min = Infinity;
  for (const s of shares) if (s > 0 && s < min) min = s;
  const fill = min <= 1e-4 ? min / 1e6 : 1e-4;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
}
