import { confusionCounts } from './confusion-matrix';
import { checkPair, checkWeights, uniqueSorted } from './metric-inputs';

/**
 * Matthews correlation coefficient (multiclass form of Gorodkin), in [-1, 1]; 0 when either the truth
 * or the prediction holds a single label, as scikit-learn.
 */
export function matthewsCorrcoef(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: { sampleWeight?: ArrayLike<number> } = {},
): number {
  const [t, p] = checkPair(yTrue, yPred);
  const w = checkWeights(options.sampleWeight, t.length);
  const labels = uniqueSorted(t, p);
  const k = labels.length;
  const c = confusionCounts(t, p, labels, w);
  const tSum = new Float64Array(k);
  const pSum = new Float64Array(k);
  let correct = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      tSum[i] += c[i * k + j];
      pSum[j] += c[i * k + j];
    }
    correct += c[i * k + i];
  }
  let n = 0;
  let tp = 0;
  let pp = 0;
  let tt = 0;
  for (let i = 0; i < k; i++) {
    n += pSum[i];
    tp += tSum[i] * pSum[i];
    pp += pSum[i] * pSum[i];
    tt += tSum[i] * tSum[i];
  }
  const covYtYp = correct * n - tp;
  const covYpYp = n * n - pp;
  const covYtYt = n * n - tt;
  if (covYpYp * covYtYt === 0) return 0;
  return covYtYp / Math.sqrt(covYtYt * covYpYp);
}
