import { ConfigError, InputError } from '@campaign-ml/core';
import { checkPair, checkWeights, encodeLabels, uniqueSorted } from './metric-inputs';

/**
 * 'binary': the score of `posLabel` only (default, y must hold at most two labels);
 * 'macro': unweighted mean over labels; 'weighted': mean weighted by each label's support;
 * 'micro': computed from the counts pooled over labels.
 */
export type Average = 'binary' | 'macro' | 'weighted' | 'micro';

export interface LabelMetricOptions {
  average?: Average;
  /** The positive label for average 'binary' (default 1). */
  posLabel?: number;
  /** Labels to score (and average over); default every label seen in yTrue or yPred. */
  labels?: readonly number[];
  sampleWeight?: ArrayLike<number>;
}

export interface FbetaOptions extends LabelMetricOptions {
  beta?: number;
}

/** Per-label scores, as scikit-learn's `precision_recall_fscore_support(average=None)`. */
export interface PerLabelScores {
  labels: number[];
  precision: Float64Array;
  recall: Float64Array;
  fbeta: Float64Array;
  /** Weighted count of true rows of each label. */
  support: Float64Array;
}

/** Per-label counts: true positives, predicted and true totals, over the given rows. */
export interface LabelCounts {
  labels: number[];
  tp: Float64Array;
  predSum: Float64Array;
  trueSum: Float64Array;
  /** Total (weighted) number of rows. */
  total: number;
}

const AVERAGES: readonly Average[] = ['binary', 'macro', 'weighted', 'micro'];

export function checkAverage(average: unknown, allowed: readonly string[] = AVERAGES): void {
  if (!allowed.includes(average as string)) {
    throw new ConfigError(
      'INVALID_OPTION',
      `average must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${String(average)}`,
      {
        value: average,
        expected: allowed.join(' | '),
      },
    );
  }
}

/** The labels to score, following scikit-learn's `_check_set_wise_labels`. */
function setWiseLabels(
  t: Float64Array,
  p: Float64Array,
  average: Average,
  posLabel: number,
  labels: readonly number[] | undefined,
): number[] {
  const present = uniqueSorted(t, p);
  if (average === 'binary') {
    if (present.length > 2) {
      throw new InputError(
        'MULTICLASS_TARGET',
        `found ${present.length} labels (${present.slice(0, 6).join(', ')}) but average is 'binary'; pass average 'macro', 'weighted' or 'micro'`,
        { value: present.length, expected: 'at most two labels' },
      );
    }
    if (!present.includes(posLabel) && present.length >= 2) {
      throw new InputError(
        'INVALID_POS_LABEL',
        `posLabel ${posLabel} is not one of the labels found (${present.join(', ')})`,
        {
          value: posLabel,
          expected: `one of ${present.join(', ')}`,
        },
      );
    }
    return [posLabel];
  }
  return labels ? [...labels] : present;
}

/** Count tp, predicted and true totals for each label (scikit-learn's multilabel confusion matrix). */
export function labelCounts(
  t: Float64Array,
  p: Float64Array,
  labels: readonly number[],
  w: Float64Array | undefined,
): LabelCounts {
  const k = labels.length;
  const ti = encodeLabels(t, labels);
  const pi = encodeLabels(p, labels);
  const tp = new Float64Array(k);
  const predSum = new Float64Array(k);
  const trueSum = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < t.length; i++) {
    const wi = w ? w[i] : 1;
    total += wi;
    if (ti[i] >= 0) trueSum[ti[i]] += wi;
    if (pi[i] >= 0) predSum[pi[i]] += wi;
    if (ti[i] >= 0 && t[i] === p[i]) tp[ti[i]] += wi;
  }
  return { labels: [...labels], tp, predSum, trueSum, total };
}

function divide(num: Float64Array, den: Float64Array): Float64Array {
  const out = new Float64Array(num.length);
  for (let i = 0; i < num.length; i++) out[i] = den[i] === 0 ? 0 : num[i] / den[i];
  return out;
}

function fFrom(precision: Float64Array, recall: Float64Array, beta: number): Float64Array {
  const beta2 = beta * beta;
  const out = new Float64Array(precision.length);
  for (let i = 0; i < out.length; i++) {
    if (beta === Infinity) {
      out[i] = recall[i];
      continue;
    }
    let denom = beta2 * precision[i] + recall[i];
    if (denom === 0) denom = 1;
    out[i] = ((1 + beta2) * precision[i] * recall[i]) / denom;
  }
  return out;
}

function mean(v: Float64Array, weights?: Float64Array): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < v.length; i++) {
    const wi = weights ? weights[i] : 1;
    s += v[i] * wi;
    sw += wi;
  }
  return s / sw;
}

function checkBeta(beta: number): void {
  if (!(beta >= 0)) {
    throw new ConfigError('INVALID_OPTION', `beta must be a number >= 0, got ${beta}`, {
      value: beta,
      expected: 'a number >= 0',
    });
  }
}

/** Per-label precision, recall, F-beta and support (no averaging). */
export function precisionRecallFscoreSupport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: FbetaOptions = {},
): PerLabelScores {
  const [t, p] = checkPair(yTrue, yPred);
  const w = checkWeights(options.sampleWeight, t.length);
  const beta = options.beta ?? 1;
  checkBeta(beta);
  const c = labelCounts(t, p, options.labels ?? uniqueSorted(t, p), w);
  const precision = divide(c.tp, c.predSum);
  const recall = divide(c.tp, c.trueSum);
  return { labels: c.labels, precision, recall, fbeta: fFrom(precision, recall, beta), support: c.trueSum };
}

/** Averaged precision, recall and F-beta, as scikit-learn's `precision_recall_fscore_support(average=...)`. */
export function averagedPrf(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: FbetaOptions,
): { precision: number; recall: number; fbeta: number } {
  const average = options.average ?? 'binary';
  checkAverage(average);
  const beta = options.beta ?? 1;
  checkBeta(beta);
  const [t, p] = checkPair(yTrue, yPred);
  const w = checkWeights(options.sampleWeight, t.length);
  const labels = setWiseLabels(t, p, average, options.posLabel ?? 1, options.labels);
  const c = labelCounts(t, p, labels, w);
  let { tp, predSum, trueSum } = c;
  if (average === 'micro') {
    tp = Float64Array.of(tp.reduce((a, b) => a + b, 0));
    predSum = Float64Array.of(predSum.reduce((a, b) => a + b, 0));
    trueSum = Float64Array.of(trueSum.reduce((a, b) => a + b, 0));
  }
  const precision = divide(tp, predSum);
  const recall = divide(tp, trueSum);
  const f = fFrom(precision, recall, beta);
  let weights: Float64Array | undefined;
  if (average === 'weighted') {
    weights = trueSum;
    if (trueSum.reduce((a, b) => a + b, 0) === 0) {
      // No true rows for any scored label: scikit-learn's zero-division value (0).
      return { precision: 0, recall: 0, fbeta: 0 };
    }
  }
  return { precision: mean(precision, weights), recall: mean(recall, weights), fbeta: mean(f, weights) };
}

/** Precision tp / (tp + fp); 0 when nothing is predicted positive. */
export function precisionScore(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: LabelMetricOptions = {},
): number {
  return averagedPrf(yTrue, yPred, options).precision;
}

/** Recall (sensitivity, true positive rate) tp / (tp + fn); 0 when there are no positives. */
export function recallScore(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: LabelMetricOptions = {},
): number {
  return averagedPrf(yTrue, yPred, options).recall;
}

/** Sensitivity is recall. */
export const sensitivityScore = recallScore;

/** F-beta: (1 + beta^2) P R / (beta^2 P + R); 0 when P and R are both 0. */
export function fbetaScore(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: FbetaOptions & { beta: number },
): number {
  return averagedPrf(yTrue, yPred, options).fbeta;
}

/** F1: the harmonic mean of precision and recall. */
export function f1Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: LabelMetricOptions = {}): number {
  return averagedPrf(yTrue, yPred, { ...options, beta: 1 }).fbeta;
}

/**
 * Specificity (true negative rate) tn / (tn + fp) of each label taken as positive; 0 when a label has
 * no negatives. Averages as recall does ('weighted' by the label's support, 'micro' from pooled counts).
 */
export function specificityScore(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: LabelMetricOptions = {},
): number {
  const average = options.average ?? 'binary';
  checkAverage(average);
  const [t, p] = checkPair(yTrue, yPred);
  const w = checkWeights(options.sampleWeight, t.length);
  const labels = setWiseLabels(t, p, average, options.posLabel ?? 1, options.labels);
  const c = labelCounts(t, p, labels, w);
  const k = labels.length;
  const tn = new Float64Array(k);
  const negatives = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const fp = c.predSum[j] - c.tp[j];
    const fn = c.trueSum[j] - c.tp[j];
    tn[j] = c.total - c.tp[j] - fp - fn;
    negatives[j] = tn[j] + fp;
  }
  if (average === 'micro') {
    const a = tn.reduce((x, y) => x + y, 0);
    const b = negatives.reduce((x, y) => x + y, 0);
    return b === 0 ? 0 : a / b;
  }
  const spec = divide(tn, negatives);
  if (average === 'weighted') {
    if (c.trueSum.reduce((x, y) => x + y, 0) === 0) return 0;
    return mean(spec, c.trueSum);
  }
  return mean(spec);
}
