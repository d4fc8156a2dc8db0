import { type Matrix, InputError, checkClassLabels } from '@campaign-ml/core';

/** Labels checked as class indices 0..k-1, with per-class counts. */
export function classCounts(
  y: ArrayLike<number>,
  rows?: number,
): { labels: Int32Array; classes: number; counts: Float64Array } {
  if (rows !== undefined && y.length !== rows) {
    throw new InputError('LENGTH_MISMATCH', `X has ${rows} rows but y has ${y.length} labels; they must match`, {
      value: y.length,
      expected: `${rows} labels`,
    });
  }
  const { labels, classes } = checkClassLabels(y);
  const counts = new Float64Array(classes);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return { labels, classes, counts };
}

/** A resampled training set: the rows taken from the input (`indices`, -1 for synthetic rows). */
export interface Resampled {
  X: Matrix;
  y: Int32Array;
  /** For each output row, the input row it copies, or -1 for a synthetic row (SMOTE). */
  indices: Int32Array;
}
