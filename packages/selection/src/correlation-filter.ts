import { type Matrix, type MatrixTransformer, InputError } from '@campaign-ml/core';
import { FittedSelector, supportOf } from './fitted-selector';

export interface CorrelationFilterParams {
  /** Drop a feature whose |Pearson r| with an already kept feature exceeds this (default 0.95). */
  threshold?: number;
}

/**
 * Remove redundant features: walking the columns in order, a feature is dropped when its absolute
 * Pearson correlation (pairwise-complete rows) with an earlier kept feature is above the
 * threshold. Put the features you prefer first. Score: the largest |r| with an earlier kept feature.
 */
export class CorrelationFilter implements MatrixTransformer<FittedSelector> {
  readonly params: Readonly<Required<CorrelationFilterParams>>;

  constructor(params: CorrelationFilterParams = {}) {
    const threshold = params.threshold ?? 0.95;
    if (!(threshold > 0 && threshold <= 1))
      throw new InputError('INVALID_OPTION', `threshold must be in (0, 1], got ${threshold}`, { value: threshold });
    this.params = Object.freeze({ threshold });
  }

  fit(X: Matrix): FittedSelector {
    const { rows: n, cols: d, data } = X;
    const mask = new Uint8Array(d);
    const scores = new Float64Array(d);
    const kept: number[] = [];
    for (let c = 0; c < d; c++) {
      let worst = 0;
      for (const k of kept) {
        const r = Math.abs(pearson(data, c * n, k * n, n));
        if (r > worst) worst = r;
        if (worst > this.params.threshold) break;
      }
      scores[c] = worst;
      if (worst <= this.params.threshold) {
        mask[c] = 1;
        kept.push(c);
      }
    }
    return new FittedSelector(`CorrelationFilter(${this.params.threshold})`, X.columns, supportOf(mask), scores);
  }
}

function pearson(data: Float64Array, a: number, b: number, n: number): number {
  let cnt = 0;
  let sa = 0;
  let sb = 0;
  for (let r = 0; r < n; r++) {
    const x = data[a + r];
    const y = data[b + r];
    if (x === x && y === y) {
      cnt++;
      sa += x;
      sb += y;
    }
  }
  if (cnt < 2) return 0;
  const ma = sa / cnt;
  const mb = sb / cnt;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let r = 0; r < n; r++) {
    const x = data[a + r];
    const y = data[b + r];
    if (x === x && y === y) {
      sxx += (x - ma) * (x - ma);
      syy += (y - mb) * (y - mb);
      sxy += (x - ma) * (y - mb);
    }
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}
