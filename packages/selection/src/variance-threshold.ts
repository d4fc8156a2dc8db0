import { type Matrix, type MatrixTransformer, InputError } from '@campaign-ml/core';
import { FittedSelector, supportOf } from './fitted-selector';

export interface VarianceThresholdParams {
  /** Keep features whose variance is above this (default 0: drop constant features). */
  threshold?: number;
}

/**
 * Drop low-variance features, as scikit-learn's VarianceThreshold: population variance (divide by
 * n) over the non-missing values; kept when strictly above the threshold (for threshold 0, when
 * not constant). Scores are the variances.
 */
export class VarianceThreshold implements MatrixTransformer<FittedSelector> {
  readonly params: Readonly<Required<VarianceThresholdParams>>;

  constructor(params: VarianceThresholdParams = {}) {
    const threshold = params.threshold ?? 0;
    if (!(threshold >= 0))
      throw new InputError('INVALID_OPTION', `threshold must be >= 0, got ${threshold}`, { value: threshold });
    this.params = Object.freeze({ threshold });
  }

  fit(X: Matrix): FittedSelector {
    const variances = columnVariances(X);
    const mask = new Uint8Array(X.cols);
    for (let c = 0; c < X.cols; c++) {
      const v = variances[c];
      mask[c] = v > this.params.threshold || (this.params.threshold === 0 && v > 0) ? 1 : 0;
    }
    return new FittedSelector(`VarianceThreshold(${this.params.threshold})`, X.columns, supportOf(mask), variances);
  }
}

/** Population variance per column over non-missing values (NaN when a column is all missing). */
export function columnVariances(X: Matrix): Float64Array {
  const out = new Float64Array(X.cols);
  const n = X.rows;
  for (let c = 0; c < X.cols; c++) {
    let cnt = 0;
    let s = 0;
    for (let r = 0; r < n; r++) {
      const v = X.data[c * n + r];
      if (v === v) {
        cnt++;
        s += v;
      }
    }
    const m = s / cnt;
    let ss = 0;
    for (let r = 0; r < n; r++) {
      const v = X.data[c * n + r];
      if (v === v) ss += (v - m) * (v - m);
    }
    out[c] = cnt > 0 ? ss / cnt : NaN;
  }
  return out;
}
