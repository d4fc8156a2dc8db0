import { createRng, take, type FittedModel, type Matrix } from '@campaign-ml/core';
import { permutationImportance } from '@campaign-ml/selection';

export interface ImportanceOptions {
  seed: number;
  /** Higher-is-better score for permutation importance (default: accuracy for classifiers, R² for regressors). */
  scorer?: (model: FittedModel, X: Matrix, y: ArrayLike<number>) => number;
  /** How the report names that score (default "score"). */
  scoreName?: string;
  /** Permutation importance on a seeded sample of at most this many rows. */
  maxRows?: number;
}

/**
 * The report's top 20 features: split-gain importance for tree models, permutation importance
 * (drop in test score when a feature is shuffled) for the others.
 */
export function featureImportance(model: FittedModel, X: Matrix, y: Float64Array, opts: ImportanceOptions): { values: Array<{ feature: string; importance: number }>; kind: string } {
  const withGain = model as FittedModel & { featureImportances?: (t?: string) => Float64Array };
  let values: Float64Array;
  let kind: string;
  if (typeof withGain.featureImportances === 'function') {
    values = withGain.featureImportances('gain');
    kind = 'gain (share of total split gain)';
  } else {
    let Xs = X;
    let ys = y;
    if (opts.maxRows !== undefined) {
      const idx = createRng(opts.seed).sampleIndices(X.rows, Math.min(X.rows, opts.maxRows));
      Xs = take(X, idx);
      ys = Float64Array.from(idx, (i) => y[i]);
    }
    values = permutationImportance(model, Xs, ys, { nRepeats: 3, seed: opts.seed, ...(opts.scorer ? { scorer: opts.scorer } : {}) }).importancesMean;
    kind = `permutation (drop in test ${opts.scoreName ?? 'score'})`;
  }
  const list = Array.from(values, (v, i) => ({ feature: X.columns[i], importance: v })).sort((a, b) => b.importance - a.importance);
  return { values: list.slice(0, 20), kind };
}
