import { ConfigError, InputError } from '@campaign-ml/core';

/** How a numeric sensitive column becomes groups: given cut points, or equal-count quantile bins. */
export type BinSpec = { edges: number[] } | { quantiles: number };

/** Fitted bins: inner cut points (ascending) and a label per bin (one more label than edges). */
export interface Bins {
  edges: number[];
  labels: string[];
}

/**
 * Bins for a numeric sensitive column (Kickstarter goal size, age from a birth year): `edges` as
 * given, or the `quantiles`-tile cut points of `values` (NumPy's linear quantiles; repeated cut
 * points merge). A value v falls in bin i when edges[i-1] <= v < edges[i].
 *
 * ```ts
 * const bins = fitBins(goal, { quantiles: 4 }); // labels like "< 2000", "2000–5000", ..., ">= 15000"
 * const groups = applyBins(goal, bins);
 * ```
 */
export function fitBins(values: ArrayLike<number>, spec: BinSpec, column = 'value'): Bins {
  let edges: number[];
  if ('edges' in spec) {
    edges = [...spec.edges];
    if (edges.length === 0 || edges.some((e, i) => !Number.isFinite(e) || (i > 0 && e <= edges[i - 1]))) {
      throw new ConfigError('INVALID_BINS', `bins for "${column}": edges must be finite and strictly increasing`, {
        column,
        value: spec.edges,
        expected: 'at least one edge, ascending, e.g. [1000, 10000]',
      });
    }
  } else {
    const q = spec.quantiles;
    if (!Number.isInteger(q) || q < 2) {
      throw new ConfigError('INVALID_BINS', `bins for "${column}": quantiles must be an integer >= 2, got ${q}`, {
        column,
        value: q,
        expected: 'an integer >= 2',
      });
    }
    const sorted = finite(values, column).sort();
    edges = [];
    for (let i = 1; i < q; i++) {
      const e = quantile(sorted, i / q);
      if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
    }
    if (sorted.length === 0 || sorted[0] === sorted[sorted.length - 1]) {
      throw new InputError(
        'CONSTANT_COLUMN',
        `bins for "${column}": every value is the same, so it has no quantile bins`,
        {
          column,
        },
      );
    }
  }
  return { edges, labels: binLabels(edges) };
}

/** Each value's bin label. A missing or non-finite value is an error naming its row. */
export function applyBins(values: ArrayLike<number>, bins: Bins, column = 'value'): string[] {
  const out = new Array<string>(values.length);
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InputError(
        'MISSING_SENSITIVE_VALUE',
        `sensitive column "${column}" has no number at row ${r} (${String(v)})`,
        {
          row: r,
          column,
          value: v,
          expected: 'a finite number',
        },
      );
    }
    out[r] = bins.labels[binIndex(v, bins.edges)];
  }
  return out;
}

/** Index of v's bin: the number of edges <= v. */
export function binIndex(v: number, edges: readonly number[]): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function binLabels(edges: number[]): string[] {
  const f = (x: number) => String(Math.round(x * 1e6) / 1e6);
  const labels = [`< ${f(edges[0])}`];
  for (let i = 1; i < edges.length; i++) labels.push(`${f(edges[i - 1])}–${f(edges[i])}`);
  labels.push(`>= ${f(edges[edges.length - 1])}`);
  return labels;
}

function finite(values: ArrayLike<number>, column: string): Float64Array {
  const out = new Float64Array(values.length);
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InputError(
        'MISSING_SENSITIVE_VALUE',
        `sensitive column "${column}" has no number at row ${r} (${String(v)})`,
        {
          row: r,
          column,
          value: v,
          expected: 'a finite number',
        },
      );
    }
    out[r] = v;
  }
  return out;
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}
