import type { FittedModel, Fold, Matrix, Task } from '@campaign-ml/core';
import {
  labelsFromProba,
  outOfBagPrediction,
  resolveScorer,
  type CvPredictions,
  type MetricName,
  type OutOfBagSums,
} from '@campaign-ml/models';
import type { Params } from '@campaign-ml/tuning';
import type { Family } from '../families';
import type { FamilyCatalog } from '../family-catalog';
import { outOfBagEstimator } from '../parallel/out-of-bag-part';
import type { ModelSpec, ParallelCv, ParallelCvResult, ParallelOutOfFold } from '../parallel/parallel-cv';

/**
 * Out-of-bag scoring of random forests: each bootstrapped tree leaves about 37% of the training
 * rows out, so one forest fitted on the whole training part predicts every row with the trees that
 * never saw it (scikit-learn's oob_score). A tuning trial then costs one forest fit (grown as two
 * halves on the two workers) instead of k fold fits, and the out-of-bag predictions stand in for the
 * out-of-fold ones the ensemble weights and the threshold are chosen on.
 */

/** How a family's CV figures were made: k fold fits, or one forest's out-of-bag predictions. */
export type CvMethod = 'k-fold' | 'out-of-bag';

/**
 * Whether the compare stage scores `fam` out of bag: `tuning.outOfBag` is on, the family is a
 * bootstrapped random forest, and the folds are the table pipeline's shuffled ones (a forecast's
 * time-ordered folds must not be replaced by bootstraps that mix past and future).
 */
export function scoredOutOfBag(fam: Family, catalog: FamilyCatalog, task: Task, outOfBag: boolean): boolean {
  return outOfBag && catalog === 'table' && outOfBagEstimator(fam, task, fam.defaults, 0) !== undefined;
}

/** The single "fold" tuning sees for an out-of-bag family: its score is the forest's out-of-bag score. */
export function outOfBagFold(rows: number): Fold {
  const all = Uint32Array.from({ length: rows }, (_, i) => i);
  return { train: all, test: all };
}

export interface OutOfBagEvaluation {
  /** Each metric on the rows that have an out-of-bag prediction. */
  scores: Record<string, number>;
  /** Every row's out-of-bag prediction; rows no tree left out get the training prior. */
  oof: ParallelOutOfFold;
  /** Rows no tree left out of its bootstrap (likely only with a few trees): not scored. */
  missing: number;
}

/**
 * Score out-of-bag predictions (rows x classes probabilities, or one value per row; NaN where no
 * tree left the row out) with crossValidate's scorers, unweighted as CV scores are, on the rows
 * that have one. Those without one are left out of the scores and get the training prior (class
 * shares, or the mean) in the out-of-fold predictions, so the ensemble and threshold never see NaN.
 */
export function evaluateOutOfBag(
  prediction: Float64Array,
  y: Float64Array,
  task: Task,
  metrics: readonly MetricName[],
): OutOfBagEvaluation {
  const n = y.length;
  const width = prediction.length / n;
  const has = new Uint8Array(n);
  let m = 0;
  for (let r = 0; r < n; r++) {
    if (Number.isNaN(prediction[r * width])) continue;
    has[r] = 1;
    m++;
  }
  const fold = Int32Array.from(has, (h) => (h ? 0 : -1));
  const ySub = new Float64Array(m);
  const sub = new Float64Array(m * width);
  for (let r = 0, i = 0; r < n; r++) {
    if (!has[r]) continue;
    ySub[i] = y[r];
    sub.set(prediction.subarray(r * width, (r + 1) * width), i * width);
    i++;
  }
  const regression = task === 'regression';
  const preds: CvPredictions = regression
    ? { task: 'regression', values: sub }
    : { task: 'classification', classes: width, proba: sub, labels: labelsFromProba(sub, m, width, 0.5) };
  const scores: Record<string, number> = {};
  for (const name of metrics) scores[name] = m > 0 ? resolveScorer(name).score(ySub, preds) : NaN;
  const filled = Float64Array.from(prediction);
  if (m < n) {
    const prior = new Float64Array(width);
    for (let r = 0; r < n; r++) {
      if (regression) prior[0] += y[r] / n;
      else prior[y[r]] += 1 / n;
    }
    for (let r = 0; r < n; r++) if (!has[r]) filled.set(prior, r * width);
  }
  const oof: ParallelOutOfFold = regression
    ? { task: 'regression', values: filled, fold }
    : { task: 'classification', classes: width, proba: filled, fold };
  return { scores, oof, missing: n - m };
}

/** Merged out-of-bag sums as predictions: binary forests keep one output (P(class 1)), multiclass one per class. */
export function predictionOfSums(sums: OutOfBagSums, task: Task): Float64Array {
  return outOfBagPrediction(sums, task === 'regression' ? 0 : sums.outputs === 1 ? 2 : sums.outputs);
}

/**
 * The family's baseline scored out of bag: one forest with its defaults on the training part,
 * grown in two halves (ParallelCv.fitForest), keeping the out-of-bag sums. The forest is the kept
 * baseline model too, so the baseline costs one forest instead of k fold fits and a refit.
 */
export async function outOfBagBaseline(
  cv: ParallelCv,
  fam: Family,
  spec: Omit<ModelSpec, 'params'>,
  X: Matrix,
  y: Float64Array,
  metrics: readonly MetricName[],
  signal?: AbortSignal,
): Promise<{ model: FittedModel; cv: ParallelCvResult; missing: number }> {
  const model = await cv.fitForest(X, y, { ...spec, params: fam.defaults }, signal);
  const e = evaluateOutOfBag(model.oobPrediction()!, y, spec.task, metrics);
  const std = Object.fromEntries(Object.keys(e.scores).map((k) => [k, 0]));
  return { model, cv: { folds: [{ fold: 0, scores: e.scores }], mean: e.scores, std, oof: e.oof }, missing: e.missing };
}

/**
 * tuneEstimator's `evaluateTrial` for an out-of-bag family (its folds: [outOfBagFold]): a trial's
 * forest is grown as two halves on the workers or the queue (ParallelCv.outOfBagEvaluator) and
 * scored by `metric` on its out-of-bag predictions; `onTrial` receives them as the trial's
 * out-of-fold predictions, with the rows left unscored.
 */
export function outOfBagTrials(
  cv: ParallelCv,
  X: Matrix,
  y: Float64Array,
  spec: Omit<ModelSpec, 'params'>,
  metric: MetricName,
  signal: AbortSignal | undefined,
  onTrial: (params: Params, e: OutOfBagEvaluation) => void,
) {
  const evaluate = cv.outOfBagEvaluator(X, y, spec, signal);
  return (params: Params, _folds: readonly Fold[], trial: number): Array<Promise<number>> => [
    evaluate(params, trial).then((sums) => {
      const e = evaluateOutOfBag(predictionOfSums(sums, spec.task), y, spec.task, [metric]);
      onTrial(params, e);
      return e.scores[metric];
    }),
  ];
}
