import {
  ConfigError,
  InputError,
  checkClassLabels,
  checkSampleWeight,
  checkXy,
  isClassifier,
  progressReporter,
  take,
  throwIfAborted,
  type EstimatorFactory,
  type FittedModel,
  type Fold,
  type Matrix,
  type RunOptions,
  type Task,
} from '@campaign-ml/core';
import { makeFolds, type FoldOptions } from './cv-folds';
import { predictRows, type CvPredictions } from './predictions';

export interface CvRunOptions extends FoldOptions, RunOptions {
  /** The task, when known; otherwise classification is assumed when every label is a non-negative integer. */
  task?: Task;
  /** Per-row weights passed to fit (the training rows of each fold). */
  sampleWeight?: ArrayLike<number>;
  /** Binary cut on P(class 1) for label predictions (default 0.5; a row is positive when P >= threshold). */
  threshold?: number;
}

export interface FoldRun {
  fold: number;
  train: Uint32Array;
  test: Uint32Array;
  model: FittedModel;
  yTest: Float64Array;
  predictions: CvPredictions;
  fitTimeMs: number;
  predictTimeMs: number;
}

function looksLikeClasses(y: Float64Array): boolean {
  for (let i = 0; i < y.length; i++) if (!(Number.isInteger(y[i]) && y[i] >= 0)) return false;
  return true;
}

function gather(y: Float64Array, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = y[rows[i]];
  return out;
}

/**
 * Fit a fresh estimator on each fold's training rows and predict its test rows; `each` sees every fold
 * in order. `classificationHint` (from the requested metrics) settles stratification when no task is given.
 */
export function runFolds(
  factory: EstimatorFactory,
  X: Matrix,
  y: ArrayLike<number>,
  options: CvRunOptions,
  classificationHint: boolean | undefined,
  each: (run: FoldRun, task: 'classification' | 'regression') => void,
): { folds: Fold[]; task: 'classification' | 'regression'; classes: number } {
  if (typeof factory !== 'function') {
    throw new ConfigError(
      'INVALID_FACTORY',
      'pass a factory function that returns a new estimator, e.g. () => new MyModel(params)',
      {
        expected: '() => Estimator',
      },
    );
  }
  const yy = checkXy(X, y);
  const threshold = options.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new ConfigError('INVALID_OPTION', `threshold must be in [0, 1], got ${threshold}`, {
      value: threshold,
      expected: 'a number in [0, 1]',
    });
  }
  const task = options.task;
  const classification = task !== undefined ? task !== 'regression' : (classificationHint ?? looksLikeClasses(yy));
  const folds = makeFolds(yy, options, classification);
  const weights = checkSampleWeight(options.sampleWeight, yy.length);
  let classes = 0;
  let modelTask: 'classification' | 'regression' | undefined;
  const report = progressReporter('cross-validation', folds.length, options);
  report(0);
  folds.forEach((fold, f) => {
    throwIfAborted(options.signal);
    const Xtrain = take(X, fold.train);
    const yTrain = gather(yy, fold.train);
    const t0 = performance.now();
    const model = factory().fit(Xtrain, yTrain, {
      sampleWeight: weights ? gather(weights, fold.train) : undefined,
      signal: options.signal,
    });
    const t1 = performance.now();
    if (modelTask === undefined) {
      modelTask = isClassifier(model) ? 'classification' : 'regression';
      if (modelTask === 'classification') classes = checkClassLabels(yy).classes;
      if (task !== undefined && (task === 'regression') !== (modelTask === 'regression')) {
        throw new ConfigError(
          'TASK_MISMATCH',
          `task is '${task}' but the estimator fitted a ${modelTask === 'regression' ? 'regressor' : 'classifier'}`,
          {
            value: task,
          },
        );
      }
    }
    const yTest = gather(yy, fold.test);
    const predictions = predictRows(model, take(X, fold.test), classes, threshold);
    const t2 = performance.now();
    try {
      each(
        {
          fold: f,
          train: fold.train,
          test: fold.test,
          model,
          yTest,
          predictions,
          fitTimeMs: t1 - t0,
          predictTimeMs: t2 - t1,
        },
        modelTask,
      );
    } catch (e) {
      if (e instanceof InputError) {
        throw new InputError(e.code, `fold ${f}: ${e.message}`, {
          row: e.row,
          column: e.column,
          value: e.value,
          expected: e.expected,
        });
      }
      throw e;
    }
    report(f + 1);
  });
  return { folds, task: modelTask ?? (classification ? 'classification' : 'regression'), classes };
}
