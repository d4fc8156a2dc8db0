import { createMatrix, type Fold, type Matrix, type Task } from '@campaign-ml/core';
import {
  crossValidate,
  type CvPredictions,
  type ForestPart,
  type MetricName,
  type OutOfBagSums,
  type TreeRange,
} from '@campaign-ml/models';
import type { Params } from '@campaign-ml/tuning';
import type { ModelFamily } from '../config';
import { familyOf, type FamilyCatalog } from '../family-catalog';
import { fitForestPart } from './out-of-bag-part';

/**
 * One fold of one model: what a worker needs besides the shared training data. Plain data, so it
 * crosses a thread boundary by structured clone.
 */
export interface FoldJob {
  family: ModelFamily;
  /** Where `family` is defined (default: the table pipeline's families). */
  catalog?: FamilyCatalog;
  task: Task;
  params: Params;
  seed: number;
  fold: Fold;
  /** Metrics to score on the fold's test rows (crossValidate names); may be empty. */
  metrics: MetricName[];
  /** Also return the test rows' predictions (out-of-fold predictions, for ensembles and thresholds). */
  predict: boolean;
  /** Weights of all training rows (fairness reweighing); each fold fits with its rows' weights. */
  sampleWeight?: Float64Array;
  /**
   * Out-of-bag part (random forests): grow trees [start, end) of the forest on the fold's training
   * rows and return their out-of-bag sums instead of scoring test rows (out-of-bag-part.ts).
   */
  part?: TreeRange;
  /** With `part`: send the part's trees back too (a kept model, joined by fromParts; thread pool only). */
  keepTrees?: boolean;
}

export interface FoldOutcome {
  scores: Record<string, number>;
  predictions?: CvPredictions;
  /** A `part` job's out-of-bag sums over the fold's training rows. */
  outOfBag?: OutOfBagSums;
  /** A `part` job with `keepTrees`: the whole part, trees and sums. */
  forestPart?: ForestPart;
}

/**
 * Fit one fold, score its test rows and, when asked, keep their predictions. The one code path for
 * both the main thread and the workers: crossValidate on that single fold, with an estimator
 * rebuilt from the family's params, so a fold gives the same numbers wherever it runs.
 */
export function runFoldJob(job: FoldJob, X: Matrix, y: Float64Array): FoldOutcome {
  if (job.part) {
    const part = fitForestPart({ ...job, part: job.part }, job.fold.train, X, y);
    return job.keepTrees ? { scores: {}, forestPart: part } : { scores: {}, outOfBag: part.oob! };
  }
  const fam = familyOf(job.catalog ?? 'table', job.family);
  let predictions: CvPredictions | undefined;
  // A custom metric sees the fold's predictions exactly as crossValPredict builds them.
  const keep = {
    name: PREDICTIONS,
    score: (_y: ArrayLike<number>, p: CvPredictions) => {
      predictions = p;
      return 0;
    },
  };
  const cv = crossValidate(() => fam.create(job.task, job.params, job.seed), X, y, {
    folds: [job.fold],
    sampleWeight: job.sampleWeight,
    metrics: job.predict ? [...job.metrics, keep] : job.metrics,
  });
  const { [PREDICTIONS]: _kept, ...scores } = cv.folds[0].scores;
  return predictions ? { scores, predictions } : { scores };
}

const PREDICTIONS = '__predictions';

/** Training data placed in shared memory once, for every worker of a pool to read. */
export interface SharedData {
  rows: number;
  cols: number;
  columns: readonly string[];
  x: SharedArrayBuffer;
  y: SharedArrayBuffer;
}

export function toShared(X: Matrix, y: ArrayLike<number>): SharedData {
  const x = new SharedArrayBuffer(X.data.length * 8);
  new Float64Array(x).set(X.data);
  const ys = new SharedArrayBuffer(y.length * 8);
  new Float64Array(ys).set(Float64Array.from(y));
  return { rows: X.rows, cols: X.cols, columns: X.columns, x, y: ys };
}

export function fromShared(d: SharedData): { X: Matrix; y: Float64Array } {
  return { X: createMatrix(d.rows, d.cols, new Float64Array(d.x), d.columns), y: new Float64Array(d.y) };
}
