import { InputError, type EstimatorFactory, type Matrix } from '@campaign-ml/core';
import { labelsFromProba } from './predictions';
import { runFolds, type CvRunOptions } from './fold-runner';

/** Out-of-fold predictions: every row predicted by the model that did not see it. */
export type OutOfFold =
  | {
      task: 'classification';
      classes: number;
      /** rows x classes, row-major, in the original row order. */
      proba: Float64Array;
      /** Binary: P(class 1) >= threshold; multiclass: argmax. */
      labels: Int32Array;
      /** The fold that predicted each row. */
      fold: Int32Array;
    }
  | { task: 'regression'; values: Float64Array; fold: Int32Array };

/**
 * Out-of-fold probabilities (classifiers) or values (regressors) for every row, for threshold choice,
 * calibration checks and stacking. The folds must put every row in exactly one test part.
 */
export function crossValPredict(
  factory: EstimatorFactory,
  X: Matrix,
  y: ArrayLike<number>,
  options: CvRunOptions = {},
): OutOfFold {
  const n = X.rows;
  const fold = new Int32Array(n).fill(-1);
  let proba: Float64Array | undefined;
  let values: Float64Array | undefined;
  let classes = 0;
  const { task } = runFolds(factory, X, y, options, undefined, (run) => {
    const p = run.predictions;
    for (let i = 0; i < run.test.length; i++) {
      const r = run.test[i];
      if (fold[r] !== -1) {
        throw new InputError(
          'OVERLAPPING_FOLDS',
          `row ${r} is in the test part of folds ${fold[r]} and ${run.fold}; out-of-fold predictions need a partition`,
          {
            row: r,
          },
        );
      }
      fold[r] = run.fold;
    }
    if (p.task === 'classification') {
      classes = p.classes;
      proba ??= new Float64Array(n * classes);
      for (let i = 0; i < run.test.length; i++)
        proba.set(p.proba.subarray(i * classes, (i + 1) * classes), run.test[i] * classes);
    } else {
      values ??= new Float64Array(n);
      for (let i = 0; i < run.test.length; i++) values[run.test[i]] = p.values[i];
    }
  });
  const missing = fold.indexOf(-1);
  if (missing >= 0) {
    throw new InputError(
      'UNCOVERED_ROWS',
      `row ${missing} is in no test fold; out-of-fold predictions need every row tested once`,
      { row: missing },
    );
  }
  if (task === 'classification' && proba) {
    return { task, classes, proba, labels: labelsFromProba(proba, n, classes, options.threshold ?? 0.5), fold };
  }
  return { task: 'regression', values: values ?? new Float64Array(n), fold };
}
