import { confusionCounts } from './confusion-matrix';
import { checkPair, checkWeights, uniqueSorted } from './metric-inputs';

export interface BalancedAccuracyOptions {
  sampleWeight?: ArrayLike<number>;
  /** Rescale so that chance scores 0 and perfect scores 1. */
  adjusted?: boolean;
}

/**
 * Mean recall over the classes present in yTrue (as scikit-learn's `balanced_accuracy_score`:
 * labels only predicted, never true, are left out of the mean).
 */
export function balancedAccuracyScore(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: BalancedAccuracyOptions = {},
): number {
  const [t, p] = checkPair(yTrue, yPred);
  const w = checkWeights(options.sampleWeight, t.length);
  const labels = uniqueSorted(t, p);
  const k = labels.length;
  const c = confusionCounts(t, p, labels, w);
  let sum = 0;
  let classes = 0;
  for (let i = 0; i < k; i++) {
    let row = 0;
    for (let j = 0; j < k; j++) row += c[i * k + j];
    if (row === 0) continue;
    sum += c[i * k + i] / row;
    classes++;
  }
  let score = sum / classes;
  if (options.adjusted) {
    const chance = 1 / classes;
    score = (score - chance) / (1 - chance);
  }
  return score;
}
