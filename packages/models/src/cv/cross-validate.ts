import { ConfigError, type EstimatorFactory, type FittedModel, type Matrix } from '@campaign-ml/core';
import { runFolds, type CvRunOptions } from './fold-runner';
import { defaultMetrics, resolveScorer, type CustomScorer, type MetricName, type CvScorer } from './scorers';

export interface CrossValidateOptions extends CvRunOptions {
  /** Metric names (see METRIC_NAMES) or custom `{ name, score }`; default depends on the task. */
  metrics?: ReadonlyArray<MetricName | CustomScorer>;
  /** Keep each fold's fitted model in the result. */
  returnEstimators?: boolean;
}

export interface FoldScores {
  fold: number;
  scores: Record<string, number>;
  fitTimeMs: number;
  /** Time to predict the test rows and compute every metric. */
  scoreTimeMs: number;
  trainSize: number;
  testSize: number;
}

export interface CrossValidateResult {
  folds: FoldScores[];
  /** Mean of each metric over folds. */
  mean: Record<string, number>;
  /** Population standard deviation (ddof 0, as numpy's std) of each metric over folds. */
  std: Record<string, number>;
  /** Whether higher is better, per metric (false for losses such as logLoss, rmse). */
  greaterIsBetter: Record<string, boolean>;
  estimators?: FittedModel[];
}

function resolveAll(metrics: ReadonlyArray<MetricName | CustomScorer>): CvScorer[] {
  if (!Array.isArray(metrics) || metrics.length === 0) {
    throw new ConfigError(
      'INVALID_METRIC',
      'metrics must be a non-empty list of metric names or { name, score } objects',
      { value: metrics },
    );
  }
  const scorers = metrics.map(resolveScorer);
  const seen = new Set<string>();
  for (const s of scorers) {
    if (seen.has(s.name))
      throw new ConfigError('DUPLICATE_METRIC', `metric "${s.name}" is listed twice`, { value: s.name });
    seen.add(s.name);
  }
  const tasks = new Set(scorers.map((s) => s.task).filter((t) => t !== 'any'));
  if (tasks.size > 1) {
    throw new ConfigError(
      'INVALID_METRIC',
      'metrics mix classification and regression metrics; choose metrics for one task',
      {
        value: scorers.map((s) => s.name).join(', '),
      },
    );
  }
  return scorers;
}

function checkScorers(scorers: CvScorer[], task: 'classification' | 'regression', classes: number): void {
  for (const s of scorers) {
    if (s.task !== 'any' && s.task !== task) {
      throw new ConfigError(
        'TASK_MISMATCH',
        `metric "${s.name}" needs a ${s.task === 'regression' ? 'regressor' : 'classifier'} but the estimator is a ${task === 'regression' ? 'regressor' : 'classifier'}`,
        {
          value: s.name,
        },
      );
    }
    if (s.binaryOnly && classes > 2) {
      throw new ConfigError(
        'BINARY_METRIC',
        `metric "${s.name}" is for two classes but y has ${classes}; use "${s.name}Macro" or another multiclass metric`,
        {
          value: s.name,
          expected: 'a multiclass metric such as f1Macro, accuracy, logLoss, rocAuc',
        },
      );
    }
  }
}

/**
 * k-fold cross-validation: a fresh estimator from `factory` is fitted on each fold's training rows and
 * scored on its test rows. Folds are stratified for classification by default, grouped with `groups`,
 * shuffled reproducibly by `seed`. Label metrics use binary predictions P(class 1) >= threshold (0.5).
 */
export function crossValidate(
  factory: EstimatorFactory,
  X: Matrix,
  y: ArrayLike<number>,
  options: CrossValidateOptions = {},
): CrossValidateResult {
  let scorers = options.metrics ? resolveAll(options.metrics) : undefined;
  const hintTask = scorers?.find((s) => s.task !== 'any')?.task;
  const folds: FoldScores[] = [];
  const estimators: FittedModel[] = [];
  runFolds(factory, X, y, options, hintTask === undefined ? undefined : hintTask === 'classification', (run, task) => {
    if (!scorers) {
      const classes = run.predictions.task === 'classification' ? run.predictions.classes : 0;
      scorers = defaultMetrics(task === 'regression' ? 'regression' : classes > 2 ? 'multiclass' : 'binary').map(
        resolveScorer,
      );
    }
    if (run.fold === 0)
      checkScorers(scorers, task, run.predictions.task === 'classification' ? run.predictions.classes : 0);
    const t0 = performance.now();
    const scores: Record<string, number> = {};
    for (const s of scorers) scores[s.name] = s.score(run.yTest, run.predictions);
    const t1 = performance.now();
    folds.push({
      fold: run.fold,
      scores,
      fitTimeMs: run.fitTimeMs,
      scoreTimeMs: run.predictTimeMs + (t1 - t0),
      trainSize: run.train.length,
      testSize: run.test.length,
    });
    if (options.returnEstimators) estimators.push(run.model);
  });
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  const greaterIsBetter: Record<string, boolean> = {};
  for (const s of scorers ?? []) {
    const values = folds.map((f) => f.scores[s.name]);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean[s.name] = m;
    std[s.name] = Math.sqrt(values.reduce((a, v) => a + (v - m) * (v - m), 0) / values.length);
    greaterIsBetter[s.name] = s.greaterIsBetter;
  }
  const result: CrossValidateResult = { folds, mean, std, greaterIsBetter };
  if (options.returnEstimators) result.estimators = estimators;
  return result;
}
