import { InputError } from '@campaign-ml/core';

/** Options every group metric takes (the models package's metrics take the same). */
export interface RateOptions {
  sampleWeight?: ArrayLike<number>;
}

/**
 * A metric of true and predicted labels, e.g. `selectionRate` or the models package's
 * `accuracyScore`. `requires` says which rows its denominator counts: a group without any of them
 * gets NaN and a warning in a metric frame instead of a number.
 */
export interface GroupMetric {
  (yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options?: RateOptions): number;
  requires?: 'positives' | 'negatives';
}

/**
 * Weighted share of the rows whose true label passes `denominator` that are predicted positive
 * (label 1); NaN when no row (or no weight) is in the denominator, never a silent 0.
 */
function rate(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: RateOptions | undefined,
  denominator: -1 | 0 | 1,
  numerator: 0 | 1,
): number {
  const n = yPred.length;
  if (yTrue.length !== n) {
    throw new InputError('LENGTH_MISMATCH', `yTrue has ${yTrue.length} labels but yPred has ${n}; they must match`, {
      value: yTrue.length,
      expected: `${n} labels`,
    });
  }
  const w = options?.sampleWeight;
  if (w && w.length !== n) {
    throw new InputError('LENGTH_MISMATCH', `sampleWeight has ${w.length} values but there are ${n} rows`, {
      column: 'sampleWeight',
      value: w.length,
      expected: `${n} weights`,
    });
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i];
    if (denominator !== -1 && (t === 1 ? 1 : 0) !== denominator) continue;
    const wi = w ? w[i] : 1;
    den += wi;
    if ((yPred[i] === 1 ? 1 : 0) === numerator) num += wi;
  }
  return den > 0 ? num / den : NaN;
}

/** Share of rows predicted positive (label 1): P(ŷ = 1). yTrue is not read. */
export const selectionRate: GroupMetric = (yTrue, yPred, options) => rate(yPred, yPred, options, -1, 1);

/** P(ŷ = 1 | y = 1), recall; NaN for rows without positives. */
export const truePositiveRate: GroupMetric = Object.assign(
  (yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options?: RateOptions) => rate(yTrue, yPred, options, 1, 1),
  { requires: 'positives' as const },
);

/** P(ŷ = 0 | y = 1), the miss rate; NaN for rows without positives. */
export const falseNegativeRate: GroupMetric = Object.assign(
  (yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options?: RateOptions) => rate(yTrue, yPred, options, 1, 0),
  { requires: 'positives' as const },
);

/** P(ŷ = 1 | y = 0); NaN for rows without negatives. */
export const falsePositiveRate: GroupMetric = Object.assign(
  (yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options?: RateOptions) => rate(yTrue, yPred, options, 0, 1),
  { requires: 'negatives' as const },
);

/** P(ŷ = 0 | y = 0), specificity; NaN for rows without negatives. */
export const trueNegativeRate: GroupMetric = Object.assign(
  (yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options?: RateOptions) => rate(yTrue, yPred, options, 0, 0),
  { requires: 'negatives' as const },
);

/** Share of rows whose prediction equals the true label (labels compared as given). */
export const accuracy: GroupMetric = (yTrue, yPred, options) => {
  const n = yPred.length;
  const w = options?.sampleWeight;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    den += wi;
    if (yTrue[i] === yPred[i]) num += wi;
  }
  return den > 0 ? num / den : NaN;
};
