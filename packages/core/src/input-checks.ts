import { InputError } from './errors';
import type { Matrix } from './matrix';

/**
 * Checks shared by every estimator, so each fit/predict fails the same clear way on bad input.
 */

/** X and y agree, X is non-empty, and every label is finite. Returns y as a Float64Array. */
export function checkXy(X: Matrix, y: ArrayLike<number>): Float64Array {
  if (X.rows === 0 || X.cols === 0) {
    throw new InputError('EMPTY_INPUT', `cannot fit on an empty matrix (${X.rows} rows x ${X.cols} columns)`);
  }
  if (y.length !== X.rows) {
    throw new InputError('LENGTH_MISMATCH', `X has ${X.rows} rows but y has ${y.length} labels; they must match`, {
      value: y.length,
      expected: `${X.rows} labels`,
    });
  }
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) {
      throw new InputError(
        'INVALID_LABEL',
        `label at row ${i} is ${v}; labels must be finite numbers (drop or impute that row)`,
        {
          row: i,
          value: v,
          expected: 'a finite number',
        },
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * Class labels must be integers 0..k-1 with at least two classes present.
 * Returns the labels as Int32Array and k (max label + 1, or `classes` when given).
 */
export function checkClassLabels(y: ArrayLike<number>, classes?: number): { labels: Int32Array; classes: number } {
  const labels = new Int32Array(y.length);
  let max = -1;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0 || (classes !== undefined && v >= classes)) {
      throw new InputError(
        'INVALID_LABEL',
        `label at row ${i} is ${v}; class labels must be integers 0..${classes !== undefined ? classes - 1 : 'k-1'} (map label names to indices first)`,
        { row: i, value: v, expected: classes !== undefined ? `an integer 0..${classes - 1}` : 'an integer >= 0' },
      );
    }
    labels[i] = v;
    if (v > max) max = v;
  }
  const k = classes ?? max + 1;
  const seen = new Uint8Array(k);
  let distinct = 0;
  for (let i = 0; i < labels.length; i++) {
    if (!seen[labels[i]]) {
      seen[labels[i]] = 1;
      distinct++;
    }
  }
  if (distinct < 2) {
    throw new InputError(
      'SINGLE_CLASS',
      `y holds a single class (${labels[0]}); a classifier needs at least two classes`,
      {
        value: labels[0],
        expected: 'at least two distinct classes',
      },
    );
  }
  return { labels, classes: k };
}

/** Sample weights: same length as y, finite and non-negative, not all zero. */
export function checkSampleWeight(w: ArrayLike<number> | undefined, n: number): Float64Array | undefined {
  if (!w) return undefined;
  if (w.length !== n) {
    throw new InputError('LENGTH_MISMATCH', `sampleWeight has ${w.length} values but there are ${n} rows`, {
      value: w.length,
    });
  }
  const out = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = w[i];
    if (!Number.isFinite(v) || v < 0) {
      throw new InputError('INVALID_WEIGHT', `sampleWeight at row ${i} is ${v}; weights must be finite and >= 0`, {
        row: i,
        value: v,
      });
    }
    out[i] = v;
    sum += v;
  }
  if (sum === 0) throw new InputError('INVALID_WEIGHT', 'every sampleWeight is zero');
  return out;
}

/** At prediction: the matrix has the columns the model was fitted on, in order. */
export function checkPredictColumns(X: Matrix, columns: readonly string[]): void {
  if (X.cols !== columns.length) {
    throw new InputError(
      'COLUMN_MISMATCH',
      `the model was fitted on ${columns.length} features but X has ${X.cols}; transform new data with the same feature pipeline`,
      { value: X.cols, expected: `${columns.length} columns` },
    );
  }
  for (let c = 0; c < columns.length; c++) {
    if (X.columns[c] !== columns[c]) {
      throw new InputError(
        'COLUMN_MISMATCH',
        `feature ${c} is "${X.columns[c]}" but the model expects "${columns[c]}"`,
        {
          column: X.columns[c],
          expected: columns[c],
        },
      );
    }
  }
}
