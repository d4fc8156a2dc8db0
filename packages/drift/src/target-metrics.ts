import type { Task } from '@campaign-ml/core';

/**
 * The model's metrics on labelled new rows, under the names metrics.json and the bundle's
 * `metrics.test` use, so the report can put them beside the test-set values of training.
 * A handful of closed forms (accuracy, precision, recall, F1, ROC AUC with tied scores averaged,
 * log loss with probabilities clipped to [eps, 1 - eps] as scikit-learn does, Brier; RMSE, MAE,
 * R^2). The pipeline may pass the full set from @campaign-ml/models through `options.metrics`
 * instead: drift may not import models (ARCHITECTURE.md), and these are the ones a monitor reads.
 */
export function targetMetrics(
  task: Task,
  y: ArrayLike<number>,
  scores: Float64Array,
  classes: number,
  threshold = 0.5,
): Record<string, number> {
  const n = y.length;
  if (task === 'regression') {
    let se = 0;
    let ae = 0;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y[i];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = scores[i] - y[i];
      se += d * d;
      ae += Math.abs(d);
      ss += (y[i] - mean) ** 2;
    }
    return { rmse: Math.sqrt(se / n), mae: ae / n, r2: ss > 0 ? 1 - se / ss : NaN };
  }
  const k = classes;
  const eps = 2.220446049250313e-16;
  let correct = 0;
  let logLoss = 0;
  for (let i = 0; i < n; i++) {
    let pred: number;
    if (k === 2) pred = scores[i * 2 + 1] >= threshold ? 1 : 0;
    else {
      pred = 0;
      for (let c = 1; c < k; c++) if (scores[i * k + c] > scores[i * k + pred]) pred = c;
    }
    if (pred === y[i]) correct++;
    let rowSum = 0;
    for (let c = 0; c < k; c++) rowSum += Math.min(1 - eps, Math.max(eps, scores[i * k + c]));
    logLoss -= Math.log(Math.min(1 - eps, Math.max(eps, scores[i * k + y[i]])) / rowSum);
  }
  const out: Record<string, number> = { accuracy: correct / n, logLoss: logLoss / n };
  if (k !== 2) return out;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let brier = 0;
  const pos = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    pos[i] = scores[i * 2 + 1];
    const pred = pos[i] >= threshold ? 1 : 0;
    if (pred === 1 && y[i] === 1) tp++;
    else if (pred === 1) fp++;
    else if (y[i] === 1) fn++;
    brier += (pos[i] - y[i]) ** 2;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return {
    ...out,
    precision,
    recall,
    f1Score: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    rocAuc: rocAuc(y, pos),
    brier: brier / n,
  };
}

/** ROC AUC by the rank-sum (Mann-Whitney) identity, ties given their average rank. NaN with one class. */
export function rocAuc(y: ArrayLike<number>, score: Float64Array): number {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++)
      if (y[order[t]] === 1) {
        rankSumPos += avg;
        nPos++;
      }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
