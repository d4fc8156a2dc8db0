import { InputError } from '@campaign-ml/core';
import { groupsOf, type SensitiveFeatures } from './sensitive-groups';

export interface ReweighingOptions {
  /** Prior weights of the rows (default 1): counts are weighted by them, and the result multiplies them. */
  sampleWeight?: ArrayLike<number>;
}

/** One (group, label) cell: its (weighted) count and the weight each of its rows gets. */
export interface ReweighingCell {
  group: string;
  label: number;
  count: number;
  weight: number;
}

export interface Reweighing {
  /** A weight per row, for training (FitOptions.sampleWeight). */
  weights: Float64Array;
  cells: ReweighingCell[];
}

/**
 * Kamiran–Calders reweighing: each (group s, label y) cell gets w = P(s)·P(y) / P(s, y), so that with
 * the weights the label is independent of the group (every group has the same weighted positive
 * rate). Every cell, not only privileged vs unprivileged; intersections when several columns.
 *
 * ```ts
 * const { weights } = reweighing(yTrain, goalBand);
 * model.fit(X, yTrain, { sampleWeight: weights });
 * ```
 */
export function reweighing(
  y: ArrayLike<number>,
  sensitive: SensitiveFeatures,
  options: ReweighingOptions = {},
): Reweighing {
  const n = y.length;
  if (n === 0) throw new InputError('EMPTY_INPUT', 'reweighing needs at least one row');
  const w0 = options.sampleWeight;
  if (w0 && w0.length !== n) {
    throw new InputError('LENGTH_MISMATCH', `sampleWeight has ${w0.length} values but y has ${n}`, {
      column: 'sampleWeight',
      value: w0.length,
      expected: `${n} weights`,
    });
  }
  const { groups, codes } = groupsOf(sensitive, n);
  const labels = [...new Set(Array.from(y))].sort((a, b) => a - b);
  for (let r = 0; r < n; r++) {
    if (!Number.isFinite(y[r])) {
      throw new InputError('INVALID_LABEL', `label at row ${r} is ${y[r]}; labels must be finite numbers`, {
        row: r,
        column: 'y',
        value: y[r],
        expected: 'a finite number',
      });
    }
  }
  const L = labels.length;
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const cell = new Float64Array(groups.length * L);
  const bySensitive = new Float64Array(groups.length);
  const byLabel = new Float64Array(L);
  let total = 0;
  for (let r = 0; r < n; r++) {
    const wr = w0 ? w0[r] : 1;
    const l = labelIndex.get(y[r])!;
    cell[codes[r] * L + l] += wr;
    bySensitive[codes[r]] += wr;
    byLabel[l] += wr;
    total += wr;
  }
  // w(s, y) = (n_s · n_y) / (n · n_sy); a cell with no weight has no rows to weigh.
  const factor = new Float64Array(groups.length * L);
  for (let g = 0; g < groups.length; g++) {
    for (let l = 0; l < L; l++) {
      const c = cell[g * L + l];
      factor[g * L + l] = c > 0 ? (bySensitive[g] * byLabel[l]) / (total * c) : 0;
    }
  }
  const weights = new Float64Array(n);
  for (let r = 0; r < n; r++) weights[r] = (w0 ? w0[r] : 1) * factor[codes[r] * L + labelIndex.get(y[r])!];
  const cells: ReweighingCell[] = [];
  groups.forEach((g, gi) =>
    labels.forEach((label, l) => {
      if (cell[gi * L + l] > 0)
        cells.push({ group: g.name, label, count: cell[gi * L + l], weight: factor[gi * L + l] });
    }),
  );
  return { weights, cells };
}
