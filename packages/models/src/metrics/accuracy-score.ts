import { checkPair, checkWeights } from './metric-inputs';

export interface AccuracyOptions {
  /** Return the fraction correct (default) or, when false, the (weighted) count correct. */
  normalize?: boolean;
  sampleWeight?: ArrayLike<number>;
}

/** Fraction of rows whose predicted label equals the true label (weighted by sampleWeight). */
export function accuracyScore(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: AccuracyOptions = {},
): number {
  const [t, p] = checkPair(yTrue, yPred);
  const w = checkWeights(options.sampleWeight, t.length);
  let correct = 0;
  let total = 0;
  for (let i = 0; i < t.length; i++) {
    const wi = w ? w[i] : 1;
    total += wi;
    if (t[i] === p[i]) correct += wi;
  }
  return options.normalize === false ? correct : correct / total;
}
