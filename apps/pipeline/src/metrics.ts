import type { Task } from '@campaign-ml/core';
import {
  accuracyScore,
  averagePrecisionScore,
  balancedAccuracyScore,
  classificationReport,
  brierScoreLoss,
  calibrationCurve,
  confusionMatrix,
  f1Score,
  logLoss,
  matthewsCorrcoef,
  meanAbsoluteError,
  precisionRecallCurve,
  precisionScore,
  r2Score,
  recallScore,
  rocAucScore,
  rocCurve,
  rootMeanSquaredError,
  specificityScore,
} from '@campaign-ml/models';

/** Test-set metrics in the names metrics.json uses. */
export type Metrics = Record<string, number>;

/** The CV metrics each task reports; the first is the default tuning metric. */
export function cvMetricsFor(
  task: Task,
): Array<'rocAuc' | 'f1' | 'accuracy' | 'averagePrecision' | 'logLoss' | 'balancedAccuracy' | 'rmse' | 'mae' | 'r2'> {
  if (task === 'binary') return ['rocAuc', 'averagePrecision', 'f1', 'accuracy', 'logLoss'];
  if (task === 'multiclass') return ['rocAuc', 'accuracy', 'balancedAccuracy', 'logLoss'];
  return ['rmse', 'mae', 'r2'];
}

/** Label per row from probabilities (rows x k, row-major); binary uses the threshold on P(class 1). */
export function labelsFrom(proba: Float64Array, k: number, threshold = 0.5): Int32Array {
  const n = proba.length / k;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    if (k === 2) out[r] = proba[r * 2 + 1] >= threshold ? 1 : 0;
    else {
      let best = 0;
      for (let c = 1; c < k; c++) if (proba[r * k + c] > proba[r * k + best]) best = c;
      out[r] = best;
    }
  }
  return out;
}

export function positiveColumn(proba: Float64Array): Float64Array {
  const out = new Float64Array(proba.length / 2);
  for (let r = 0; r < out.length; r++) out[r] = proba[r * 2 + 1];
  return out;
}

/** Every classification metric the report shows, on one set of predictions. */
export function classificationMetrics(y: ArrayLike<number>, proba: Float64Array, k: number, threshold = 0.5): Metrics {
  const labels = labelsFrom(proba, k, threshold);
  if (k === 2) {
    const pos = positiveColumn(proba);
    return {
      accuracy: accuracyScore(y, labels),
      balancedAccuracy: balancedAccuracyScore(y, labels),
      precision: precisionScore(y, labels),
      recall: recallScore(y, labels),
      specificity: specificityScore(y, labels),
      f1Score: f1Score(y, labels),
      mcc: matthewsCorrcoef(y, labels),
      rocAuc: rocAucScore(y, pos),
      averagePrecision: averagePrecisionScore(y, pos),
      logLoss: logLoss(y, proba, { classes: 2 }),
      brier: brierScoreLoss(y, pos),
      threshold,
    };
  }
  return {
    accuracy: accuracyScore(y, labels),
    balancedAccuracy: balancedAccuracyScore(y, labels),
    precision: precisionScore(y, labels, { average: 'macro' }),
    recall: recallScore(y, labels, { average: 'macro' }),
    f1Score: f1Score(y, labels, { average: 'macro' }),
    precisionWeighted: precisionScore(y, labels, { average: 'weighted' }),
    recallWeighted: recallScore(y, labels, { average: 'weighted' }),
    f1Weighted: f1Score(y, labels, { average: 'weighted' }),
    mcc: matthewsCorrcoef(y, labels),
    rocAuc: rocAucScore(y, proba, { classes: k }),
    logLoss: logLoss(y, proba, { classes: k }),
  };
}

/** Per-class precision, recall, F1 and support of one set of predictions (multiclass reporting). */
export function perClassMetrics(
  y: ArrayLike<number>,
  proba: Float64Array,
  classes: readonly string[],
  threshold = 0.5,
): { class: string; precision: number; recall: number; f1: number; support: number }[] {
  const k = classes.length;
  const report = classificationReport(y, labelsFrom(proba, k, threshold), {
    labels: Array.from({ length: k }, (_, i) => i),
  });
  return report.perLabel.map((r) => ({
    class: classes[r.label],
    precision: r.precision,
    recall: r.recall,
    f1: r.f1,
    support: r.support,
  }));
}

/**
 * The majority-class baseline: the accuracy of always predicting the commonest class of the
 * training part, measured on the test part. A headline accuracy below it is worth saying.
 */
export function majorityBaseline(
  yTrain: ArrayLike<number>,
  yTest: ArrayLike<number>,
  classes: readonly string[],
): { class: string; accuracy: number } {
  const counts = new Float64Array(classes.length);
  for (let i = 0; i < yTrain.length; i++) counts[yTrain[i]]++;
  let top = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c] > counts[top]) top = c;
  let hit = 0;
  for (let i = 0; i < yTest.length; i++) if (yTest[i] === top) hit++;
  return { class: classes[top], accuracy: yTest.length ? hit / yTest.length : NaN };
}

export function regressionMetrics(y: ArrayLike<number>, pred: ArrayLike<number>): Metrics {
  return { rmse: rootMeanSquaredError(y, pred), mae: meanAbsoluteError(y, pred), r2: r2Score(y, pred) };
}

/** Curves for the report (binary: of the positive class; multiclass: class 1 vs rest is skipped). */
export function classificationCurves(y: ArrayLike<number>, proba: Float64Array, k: number, threshold: number) {
  const labels = labelsFrom(proba, k, threshold);
  const cm = confusionMatrix(y, labels, { labels: Array.from({ length: k }, (_, i) => i) });
  if (k !== 2) return { confusion: cm.matrix };
  const pos = positiveColumn(proba);
  const roc = rocCurve(y, pos);
  const pr = precisionRecallCurve(y, pos);
  const cal = calibrationCurve(y, pos, { nBins: 10, strategy: 'quantile' });
  return {
    confusion: cm.matrix,
    roc: { fpr: Array.from(roc.fpr), tpr: Array.from(roc.tpr) },
    pr: { precision: Array.from(pr.precision), recall: Array.from(pr.recall) },
    calibration: { predicted: Array.from(cal.probPred), observed: Array.from(cal.probTrue) },
  };
}

/** Keep at most `max` points of a curve (evenly by index, ends kept): smaller SVGs, same shape. */
export function thin<T>(points: T[], max = 200): T[] {
  if (points.length <= max) return points;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))]);
  return out;
}
