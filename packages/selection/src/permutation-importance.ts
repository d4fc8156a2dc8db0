import {
  type FittedModel,
  type Matrix,
  createMatrix,
  createRng,
  progressReporter,
  type RunOptions,
} from '@campaign-ml/core';
import { type Scorer, defaultScorer } from './scoring';

export interface PermutationImportanceOptions extends RunOptions {
  /** Shuffles per feature (default 5). */
  nRepeats?: number;
  seed?: number;
  /** Higher-is-better scorer (default accuracy / R²). */
  scorer?: Scorer;
}

export interface PermutationImportance {
  /** Score on the unshuffled data. */
  baseline: number;
  /** Mean drop in score when the feature is shuffled, per feature. */
  importancesMean: Float64Array;
  importancesStd: Float64Array;
  /** Every drop, row-major features x repeats. */
  importances: Float64Array;
  features: readonly string[];
}

/**
 * Permutation importance (as scikit-learn's `permutation_importance`): the drop in score when one
 * feature's column is shuffled, averaged over repeats. Use held-out data to measure what the model
 * relies on for new rows. One working copy of X; each feature is restored after its repeats.
 */
export function permutationImportance(
  model: FittedModel,
  X: Matrix,
  y: ArrayLike<number>,
  opts: PermutationImportanceOptions = {},
): PermutationImportance {
  const nRepeats = opts.nRepeats ?? 5;
  const scorer = opts.scorer ?? defaultScorer;
  const rng = createRng(opts.seed ?? 0);
  const n = X.rows;
  const work = Float64Array.from(X.data);
  const Xw = createMatrix(n, X.cols, work, X.columns);
  const baseline = scorer(model, X, y);
  const importances = new Float64Array(X.cols * nRepeats);
  const mean = new Float64Array(X.cols);
  const std = new Float64Array(X.cols);
  const tick = progressReporter('permutation importance', X.cols, opts);
  for (let c = 0; c < X.cols; c++) {
    const col = work.subarray(c * n, (c + 1) * n);
    for (let r = 0; r < nRepeats; r++) {
      rng.shuffle(col);
      importances[c * nRepeats + r] = baseline - scorer(model, Xw, y);
    }
    col.set(X.data.subarray(c * n, (c + 1) * n));
    let s = 0;
    for (let r = 0; r < nRepeats; r++) s += importances[c * nRepeats + r];
    mean[c] = s / nRepeats;
    let ss = 0;
    for (let r = 0; r < nRepeats; r++) ss += (importances[c * nRepeats + r] - mean[c]) ** 2;
    std[c] = Math.sqrt(ss / nRepeats);
    tick(c + 1);
  }
  return { baseline, importancesMean: mean, importancesStd: std, importances, features: X.columns };
}
