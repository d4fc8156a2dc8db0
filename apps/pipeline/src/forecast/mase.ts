/**
 * The MASE scale of a horizon: the mean absolute error of the naive last-value forecast on the
 * training rows (in sample, at the same horizon). MASE = a model's MAE / this scale, so MASE < 1
 * means better than the naive forecast was in training; rows without a last value are skipped.
 */
export function maseScale(y: ArrayLike<number>, lastValue: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    const v = lastValue[i];
    if (v !== v || y[i] !== y[i]) continue;
    s += Math.abs(y[i] - v);
    n++;
  }
  return n ? s / n : NaN;
}
