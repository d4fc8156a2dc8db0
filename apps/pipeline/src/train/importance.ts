import type { ColumnTable } from 'arquero';
import { createRng, take, type Classifier, type FittedModel, type Matrix, type Task } from '@campaign-ml/core';
import { rocAucScore } from '@campaign-ml/models';
import type { FittedColumnPipeline } from '@campaign-ml/features';
import { takeRows } from '@campaign-ml/ingest';
import { defaultScorer, permutationImportance } from '@campaign-ml/selection';
import { positiveColumn } from '../metrics';

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
    values = permutationImportance(model, Xs, ys, {
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
 * pipeline): each column is shuffled in the test rows, the rows go through the fitted pipeline and
 * the model again, and the drop in test score is its importance (mean of `nRepeats` shuffles).
 * Every output feature made from a column (its one-hot indicators, date parts, missing flags, and
 * both recipes' copies in an ensemble) moves together, as the column itself would. The score is
 * ROC AUC for a binary task, accuracy for multiclass and R² for regression.
 */
export function inputColumnImportance(
  model: FittedModel,
  pipeline: FittedColumnPipeline,
  table: ColumnTable,
  y: Float64Array,
  opts: { task: Task; seed: number; maxRows?: number; nRepeats?: number },
): Importance {
  const binary = opts.task === 'binary';
  const scorer = binary
    ? (m: FittedModel, X: Matrix, ys: ArrayLike<number>) =>
        rocAucScore(ys, positiveColumn((m as Classifier).predictProba(X)))
    : defaultScorer;
  const rng = createRng(opts.seed);
  let rows = table;
  let ys = y;
  if (opts.maxRows !== undefined && table.numRows() > opts.maxRows) {
    const idx = rng.sampleIndices(table.numRows(), opts.maxRows);
    rows = takeRows(table, idx);
    ys = Float64Array.from(idx, (i) => y[i]);
  }
  const nRepeats = opts.nRepeats ?? 3;
  const baseline = scorer(model, pipeline.transform(rows), ys);
  const values = pipeline.inputColumns.map((column) => {
    const original = Array.from(rows.array(column) as ArrayLike<unknown>);
    let drop = 0;
    for (let r = 0; r < nRepeats; r++) {
      const order = rng.permutation(original.length);
      const shuffled = Array.from(order, (i) => original[i]);
      drop += baseline - scorer(model, pipeline.transform(rows.assign({ [column]: shuffled })), ys);
    }
    return { feature: column, importance: drop / nRepeats };
  });
  return {
    values: values.sort((a, b) => b.importance - a.importance).slice(0, 20),
    kind: `permutation of input columns (drop in test ${binary ? 'ROC AUC' : opts.task === 'multiclass' ? 'accuracy' : 'R²'})`,
  };
}
