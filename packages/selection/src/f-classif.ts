import { type Matrix, InputError, checkClassLabels } from '@campaign-ml/core';
import { fSurvival } from './special-functions';

/** Per-feature scores from a score function (higher is better), with p-values when defined. */
export interface FeatureScores {
  scores: Float64Array;
  pValues?: Float64Array;
}

/**
 * One-way ANOVA F-test of each feature across the classes, as scikit-learn's `f_classif`:
 * F = (between-class mean square) / (within-class mean square), p from the F(k-1, n-k)
 * distribution. A constant feature gets F = NaN (as scikit-learn, which warns). Missing values
 * are refused: impute first.
 */
export function fClassif(X: Matrix, y: ArrayLike<number>): FeatureScores {
  const { labels, classes } = checkClassLabels(y);
  const { rows: n, cols: d, data } = X;
  if (labels.length !== n)
    throw new InputError('LENGTH_MISMATCH', `X has ${n} rows but y has ${labels.length} labels`, {
      value: labels.length,
      expected: `${n} labels`,
    });
  const counts = new Float64Array(classes);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  let present = 0;
  for (let k = 0; k < classes; k++) if (counts[k] > 0) present++;
  const dfb = present - 1;
  const dfw = n - present;
  const scores = new Float64Array(d);
  const pValues = new Float64Array(d);
  const sums = new Float64Array(classes);
  for (let c = 0; c < d; c++) {
    sums.fill(0);
    let s = 0;
    let ss = 0;
    const off = c * n;
    for (let r = 0; r < n; r++) {
      const v = data[off + r];
      if (!Number.isFinite(v)) {
        throw new InputError(
          'MISSING_VALUE',
          `fClassif needs complete data; feature "${X.columns[c]}" is ${v} at row ${r} (impute first)`,
          {
            row: r,
            column: X.columns[c],
            value: v,
            expected: 'a finite number',
          },
        );
      }
      s += v;
      ss += v * v;
      sums[labels[r]] += v;
    }
    const corr = (s * s) / n;
    const sstot = ss - corr;
    let ssb = -corr;
    for (let k = 0; k < classes; k++) if (counts[k] > 0) ssb += (sums[k] * sums[k]) / counts[k];
    const ssw = sstot - ssb;
    const f = ssb / dfb / (ssw / dfw);
    scores[c] = f;
    pValues[c] = Number.isNaN(f) ? NaN : fSurvival(f, dfb, dfw);
  }
  return { scores, pValues };
}
