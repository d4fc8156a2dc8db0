import { checkNotEmpty, finiteArray } from './metric-inputs';
import { prFromCounts } from './precision-recall-curve';
import { averageOneVsRest, type RankingOptions } from './roc-auc-score';
import { binaryInputs } from './roc-curve';
import { scoreColumn, scoreColumns } from './score-layout';

function binaryAp(t: Float64Array, s: Float64Array, w: Float64Array | undefined, posLabel: number): number {
  const { precision, recall } = prFromCounts(t, s, w, posLabel);
  let sum = 0;
  for (let i = 0; i + 1 < recall.length; i++) sum += (recall[i + 1] - recall[i]) * precision[i];
  return sum === 0 ? 0 : -sum;
}

/**
 * Average precision: the step-function area under the precision-recall curve, sum over thresholds of
 * (R_n - R_{n-1}) P_n, with no interpolation (tied scores form one step), as scikit-learn. 0 when yTrue
 * has no positive row. Multiclass: one-vs-rest over a row-major probability matrix, averaged
 * 'macro' (default), 'weighted' or 'micro'.
 */
export function averagePrecisionScore(
  yTrue: ArrayLike<number>,
  yScore: ArrayLike<number>,
  options: RankingOptions = {},
): number {
  checkNotEmpty(yTrue.length);
  const k = scoreColumns(yTrue.length, yScore.length, options.classes);
  if (k === 1) {
    const { t, s, w, posLabel } = binaryInputs(yTrue, yScore, options);
    return binaryAp(t, s, w, posLabel);
  }
  if (k === 2) {
    const pos = options.posLabel ?? 1;
    const { t, s, w } = binaryInputs(yTrue, scoreColumn(finiteArray(yScore, 'yScore'), yTrue.length, 2, pos), options);
    return binaryAp(t, s, w, pos);
  }
  return averageOneVsRest(yTrue, yScore, k, options, (t, s, w) => binaryAp(t, s, w, 1));
}
