import type { ColumnTable } from 'arquero';
import { createRng, isClassifier, take, type FittedModel, type Matrix, type Task } from '@campaign-ml/core';
import { permutationImportance, type ExplainableModel, type PermutationImportanceResult } from '@campaign-ml/explain';
import type { FittedColumnPipeline } from '@campaign-ml/features';
import { permutationImportance as matrixPermutationImportance } from '@campaign-ml/selection';

export interface ImportanceOptions {
  seed: number;
  /** Higher-is-better score for permutation importance (default: accuracy for classifiers, R² for regressors). */
  scorer?: (model: FittedModel, X: Matrix, y: ArrayLike<number>) => number;
  /** How the report names that score (default "score"). */
  scoreName?: string;
  /** Permutation importance on a seeded sample of at most this many rows. */
  maxRows?: number;
}

export interface Importance {
  values: Array<{ feature: string; importance: number }>;
  kind: string;
}

/**
 * The report's top 20 features of a model's own matrix: split-gain importance for tree models,
 * permutation importance (drop in test score when a feature is shuffled) for the others.
 */
export function featureImportance(model: FittedModel, X: Matrix, y: Float64Array, opts: ImportanceOptions): Importance {
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
    values = matrixPermutationImportance(model, Xs, ys, {
      nRepeats: 3,
      seed: opts.seed,
      ...(opts.scorer ? { scorer: opts.scorer } : {}),
    }).importancesMean;
    kind = `permutation (drop in test ${opts.scoreName ?? 'score'})`;
  }
  const list = Array.from(values, (v, i) => ({ feature: X.columns[i], importance: v })).sort(
    (a, b) => b.importance - a.importance,
  );
  return { values: list.slice(0, 20), kind };
}

/**
 * Permutation importance of the input columns a person knows (the table's, before the feature
 * pipeline), by @campaign-ml/explain's `permutationImportance` (dalex's `model_parts`): in each of
 * `nRepeats` rounds (default 3) a fresh sample of at most `maxRows` test rows is drawn, each column
 * is shuffled in it, the rows go through the fitted pipeline and the model again, and the rise of
 * the loss over the unshuffled rows is the column's importance (mean over rounds). The loss is
 * 1 − ROC AUC for a binary task (so the importance is the drop in test ROC AUC), 1 − macro
 * one-vs-rest AUC for multiclass, and RMSE for regression (the rise in test RMSE). Every output
 * feature made from a column (its one-hot indicators, date parts, missing flags, and both recipes'
 * copies in an ensemble) moves together, as the column itself would.
 */
export function inputColumnImportance(
  model: FittedModel,
  pipeline: FittedColumnPipeline,
  table: ColumnTable,
  y: Float64Array,
  opts: { task: Task; seed: number; maxRows?: number; nRepeats?: number },
): Importance & { result: PermutationImportanceResult } {
  const result = permutationImportance(explainable(model, pipeline, opts.task), table, {
    y,
    seed: opts.seed,
    nRepeats: opts.nRepeats ?? 3,
    maxRows: opts.maxRows ?? Infinity,
  });
  const values = result.columns.map((c) => ({ feature: c.name, importance: c.difference }));
  const rounds = `mean of ${result.nRepeats} rounds on ${result.rows} rows`;
  const kind =
    opts.task === 'regression'
      ? `permutation of input columns (rise in test RMSE when the column is shuffled; ${rounds})`
      : `permutation of input columns (drop in test ROC AUC${opts.task === 'multiclass' ? ', macro one-vs-rest' : ''}): the rise in 1 − AUC when the column is shuffled; ${rounds}`;
  return { values: values.slice(0, 20), kind, result };
}

/** A fitted pipeline and model as @campaign-ml/explain takes them (a bundle has the same shape). */
export function explainable(
  model: FittedModel,
  pipeline: FittedColumnPipeline,
  task: Task,
  classes?: readonly string[] | null,
): ExplainableModel {
  const k = isClassifier(model) ? model.classes : 0;
  return {
    task,
    classes: k ? (classes ?? Array.from({ length: k }, (_, i) => String(i))) : null,
    features: pipeline,
    scoreTable: (t) => {
      const X = pipeline.transform(t);
      return isClassifier(model) ? model.predictProba(X) : model.predict(X);
    },
  };
}
