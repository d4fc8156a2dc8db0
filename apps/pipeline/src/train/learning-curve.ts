import {
  createRng,
  isClassifier,
  take,
  throwIfAborted,
  type Estimator,
  type FittedModel,
  type Matrix,
} from '@campaign-ml/core';
import type { MetricName } from '@campaign-ml/models';
import { classificationMetrics, regressionMetrics } from '../metrics';

export type LearningCurve = Array<{ fraction: number; rows: number; train: number; test: number }>;

/** Shares of the training rows the curve refits on (the last, all rows, is the kept model: no refit). */
export const CURVE_FRACTIONS: readonly number[] = [0.1, 0.25, 0.5, 1];
/** The train score is measured on at most this many of a point's rows (a seeded sample). */
const MAX_TRAIN_SCORE_ROWS = 5000;

/**
 * Train and test score of the model refitted on growing shares of the training rows; the last point
 * (all rows) is the kept model itself, so it matches the rest of the report. The refits cost 0.85
 * of one full fit (10% + 25% + 50%; a 75% point added little to the curve's shape for 0.75 of a
 * fit), and train scores are measured on at most 5,000 of each point's rows.
 */
export function computeLearningCurve(
  create: () => Estimator<FittedModel>,
  kept: FittedModel,
  X: Matrix,
  y: Float64Array,
  Xtest: Matrix,
  yTest: Float64Array,
  metric: MetricName,
  seed: number,
  classification: boolean,
  signal?: AbortSignal,
): LearningCurve {
  const out: LearningCurve = [];
  const order = createRng(seed + 1).permutation(X.rows);
  for (const fraction of CURVE_FRACTIONS) {
    throwIfAborted(signal);
    const rows = Math.max(20, Math.round(X.rows * fraction));
    const idx = order.subarray(0, Math.min(rows, X.rows));
    const all = idx.length === X.rows;
    const ys = all ? y : Float64Array.from(idx, (i) => y[i]);
    if (classification && new Set(ys).size < new Set(y).size) continue;
    const Xs = all ? X : take(X, idx);
    const model = all ? kept : create().fit(Xs, ys, { signal });
    // The first rows of a random order are a random sample of the point's rows.
    const scored = idx.length > MAX_TRAIN_SCORE_ROWS ? idx.subarray(0, MAX_TRAIN_SCORE_ROWS) : undefined;
    const train = scored
      ? scoreOf(
          model,
          take(X, scored),
          Float64Array.from(scored, (i) => y[i]),
          metric,
        )
      : scoreOf(model, Xs, ys, metric);
    out.push({ fraction, rows: idx.length, train, test: scoreOf(model, Xtest, yTest, metric) });
  }
  return out;
}

function scoreOf(model: FittedModel, X: Matrix, y: Float64Array, metric: MetricName): number {
  if (isClassifier(model)) {
    const m = classificationMetrics(y, model.predictProba(X), model.classes);
    return m[metric === 'f1' ? 'f1Score' : metric] ?? m.rocAuc;
  }
  const m = regressionMetrics(y, model.predict(X));
  return m[metric] ?? m.rmse;
}
