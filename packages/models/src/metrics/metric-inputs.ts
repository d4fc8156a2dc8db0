import { InputError, checkSampleWeight } from '@campaign-ml/core';

/**
 * Input checks shared by every metric, so each fails the same clear way: lengths agree, inputs are
 * non-empty, values are finite numbers, weights are finite and non-negative.
 */

/** Copy `values` into a Float64Array, rejecting NaN and infinities with the row that holds them. */
export function finiteArray(values: ArrayLike<number>, name: string, what = 'a finite number'): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InputError(
        Number.isNaN(v) ? 'NAN_VALUE' : 'INVALID_VALUE',
        `${name}[${i}] is ${String(v)}; ${name} must hold finite numbers (drop or impute that row)`,
        { row: i, column: name, value: v, expected: what },
      );
    }
    out[i] = v;
  }
  return out;
}

/** Fail when the input is empty. */
export function checkNotEmpty(n: number, name = 'yTrue'): void {
  if (n === 0)
    throw new InputError('EMPTY_INPUT', `${name} is empty; a metric needs at least one row`, {
      value: 0,
      expected: 'at least one row',
    });
}

/** Fail unless `b` has as many values as `a`. */
export function checkSameLength(n: number, m: number, nameA: string, nameB: string): void {
  if (n !== m) {
    throw new InputError(
      'LENGTH_MISMATCH',
      `${nameA} has ${n} values but ${nameB} has ${m}; they must have one value per row`,
      {
        value: m,
        expected: `${n} values`,
      },
    );
  }
}

/** Check truth and prediction of the same length, non-empty and finite; returns both as Float64Array. */
export function checkPair(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  predName = 'yPred',
): [Float64Array, Float64Array] {
  checkSameLength(yTrue.length, yPred.length, 'yTrue', predName);
  checkNotEmpty(yTrue.length);
  return [finiteArray(yTrue, 'yTrue'), finiteArray(yPred, predName)];
}

/** Sample weights as Float64Array, or undefined (all ones). */
export function checkWeights(w: ArrayLike<number> | undefined, n: number): Float64Array | undefined {
  return checkSampleWeight(w, n);
}

/** Sorted distinct values of one or more arrays (scikit-learn's `unique_labels`). */
export function uniqueSorted(...arrays: ArrayLike<number>[]): number[] {
  const seen = new Set<number>();
  for (const a of arrays) for (let i = 0; i < a.length; i++) seen.add(a[i]);
  return [...seen].sort((x, y) => x - y);
}

/** Map each value of `y` to its position in `labels`; -1 when absent. */
export function encodeLabels(y: Float64Array, labels: readonly number[]): Int32Array {
  const index = new Map<number, number>();
  labels.forEach((l, i) => index.set(l, i));
  const out = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = index.get(y[i]) ?? -1;
  return out;
}

/** Weighted mean (numpy's `average`); plain mean without weights. */
export function weightedMean(values: Float64Array, w: Float64Array | undefined): number {
  let s = 0;
  if (!w) {
    for (let i = 0; i < values.length; i++) s += values[i];
    return s / values.length;
  }
  let sw = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i] * w[i];
    sw += w[i];
  }
  return s / sw;
}
