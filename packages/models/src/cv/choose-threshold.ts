import { ConfigError, InputError } from '@campaign-ml/core';
import { binaryClfCurve } from '../metrics/binary-clf-curve';
import { binaryInputs } from '../metrics/roc-curve';

/** Confusion counts at one cut (weighted when sample weights are given). */
export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export type ThresholdMetric =
  'f1' | 'fbeta' | 'accuracy' | 'balancedAccuracy' | 'precision' | 'recall' | 'specificity' | 'mcc' | 'youden';

export interface ChooseThresholdOptions {
  /** Beta for 'fbeta' (default 1). */
  beta?: number;
  posLabel?: number;
  sampleWeight?: ArrayLike<number>;
}

export interface ThresholdChoice {
  /** Predict positive when score >= threshold; midway between the two scores the best cut separates. */
  threshold: number;
  /** The metric's value at that cut on the given rows. */
  score: number;
  /** Counts at that cut. */
  counts: ConfusionCounts;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

function metricOf(name: ThresholdMetric, beta: number): (c: ConfusionCounts) => number {
  const b2 = beta * beta;
  switch (name) {
    case 'f1':
      return (c) => ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn);
    case 'fbeta':
      return (c) => ratio((1 + b2) * c.tp, (1 + b2) * c.tp + b2 * c.fn + c.fp);
    case 'accuracy':
      return (c) => ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn);
    case 'balancedAccuracy':
      return (c) => (ratio(c.tp, c.tp + c.fn) + ratio(c.tn, c.tn + c.fp)) / 2;
    case 'precision':
      return (c) => ratio(c.tp, c.tp + c.fp);
    case 'recall':
      return (c) => ratio(c.tp, c.tp + c.fn);
    case 'specificity':
      return (c) => ratio(c.tn, c.tn + c.fp);
    case 'youden':
      return (c) => ratio(c.tp, c.tp + c.fn) + ratio(c.tn, c.tn + c.fp) - 1;
    case 'mcc':
      return (c) => {
        const d = Math.sqrt((c.tp + c.fp) * (c.tp + c.fn) * (c.tn + c.fp) * (c.tn + c.fn));
        return d === 0 ? 0 : (c.tp * c.tn - c.fp * c.fn) / d;
      };
    default:
      throw new ConfigError(
        'UNKNOWN_METRIC',
        `unknown threshold metric "${String(name)}"; use f1, fbeta, accuracy, balancedAccuracy, precision, recall, specificity, mcc, youden or a function of { tp, fp, tn, fn }`,
        {
          value: name,
        },
      );
  }
}

/**
 * The cut on binary scores that maximizes a label metric (default F1) over the given rows, e.g.
 * out-of-fold probabilities from crossValPredict. Every distinct score is tried in one sorted pass
 * (O(n log n)); on ties the highest cut wins. At least one row is predicted positive.
 */
export function chooseThreshold(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  metric: ThresholdMetric | ((counts: ConfusionCounts) => number) = 'f1',
  options: ChooseThresholdOptions = {},
): ThresholdChoice {
  const beta = options.beta ?? 1;
  if (!(beta > 0)) throw new ConfigError('INVALID_OPTION', `beta must be > 0, got ${beta}`, { value: beta });
  const f = typeof metric === 'function' ? metric : metricOf(metric, beta);
  const { t, s, w, posLabel } = binaryInputs(yTrue, scores, options);
  const { fps, tps, thresholds } = binaryClfCurve(t, s, posLabel, w);
  const m = thresholds.length;
  if (m === 0) throw new InputError('EMPTY_INPUT', 'every row has zero weight; nothing to choose a threshold from');
  const positives = tps[m - 1];
  const negatives = fps[m - 1];
  let best = -1;
  let bestScore = -Infinity;
  const c: ConfusionCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let j = 0; j < m; j++) {
    c.tp = tps[j];
    c.fp = fps[j];
    c.fn = positives - tps[j];
    c.tn = negatives - fps[j];
    const v = f(c);
    if (v > bestScore) {
      bestScore = v;
      best = j;
    }
  }
  if (best < 0)
    throw new InputError('INVALID_METRIC_VALUE', 'the threshold metric returned NaN at every cut', {
      expected: 'a number',
    });
  const hi = thresholds[best];
  let threshold = hi;
  if (best + 1 < m) {
    const mid = (hi + thresholds[best + 1]) / 2;
    if (mid > thresholds[best + 1] && mid <= hi) threshold = mid;
  }
  return {
    threshold,
    score: bestScore,
    counts: { tp: tps[best], fp: fps[best], fn: positives - tps[best], tn: negatives - fps[best] },
  };
}
