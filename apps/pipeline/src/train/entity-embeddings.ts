import type { ColumnTable } from 'arquero';
import { createMatrix, InputError, type Task } from '@campaign-ml/core';
import { EmbeddingEncoder, OrdinalEncoder, type FittedOrdinalEncoder } from '@campaign-ml/features';
import {
  EntityEmbeddingClassifier,
  EntityEmbeddingRegressor,
  type CategoryEmbedding,
  type EmbeddingFitHistory,
} from '@campaign-ml/models';

export interface LearnEmbeddingsOptions {
  /** The categorical columns to embed. */
  columns: readonly string[];
  task: Task;
  /** Hidden layers of the embedding MLP. Default [32]. */
  hiddenLayerSizes?: readonly number[];
  /** Cap of the size rule min(cap, ceil(cardinality / 2)). Default 50. */
  maxEmbeddingDim?: number;
  /** Default 200 epochs, stopped early on a 10% validation split. */
  maxIter?: number;
  learningRateInit?: number;
  seed?: number;
}

export interface LearnedEmbeddings {
  /** The table step for the tree recipe: `<col>_emb_k` columns (unfitted; `fit` only checks the columns). */
  encoder: EmbeddingEncoder;
  /** The codes the MLP read. */
  ordinal: FittedOrdinalEncoder;
  embeddings: CategoryEmbedding[];
  history: EmbeddingFitHistory;
}

/**
 * Entity embeddings for the tree families, as the McGill Kickstarter study did: each column's
 * categories coded 0..k-1 (OrdinalEncoder, most frequent first; missing -> the reserved unknown
 * row), an EntityEmbeddingClassifier/Regressor fitted on the codes alone on the training rows,
 * and its tables handed to an EmbeddingEncoder. Fit it on training rows only: like target
 * encoding, the vectors carry the target.
 */
export function learnEmbeddings(
  train: ColumnTable,
  y: ArrayLike<number>,
  options: LearnEmbeddingsOptions,
): LearnedEmbeddings {
  const { columns, task } = options;
  if (columns.length === 0)
    throw new InputError('NO_COLUMNS', 'entity embeddings need at least one categorical column', {
      column: 'features.embeddings.columns',
    });
  const ordinal = new OrdinalEncoder().fit(train.select(...columns));
  const coded = ordinal.transform(train);
  const n = train.numRows();
  const data = new Float64Array(n * columns.length);
  columns.forEach((c, j) => data.set(coded.array(c) as Float64Array, j * n));
  const X = createMatrix(n, columns.length, data, columns);
  const categorical = columns.map((column) => ({
    column,
    cardinality: Math.max(1, ordinal.categories(column).length),
  }));
  const params = {
    categorical,
    hiddenLayerSizes: options.hiddenLayerSizes ?? [32],
    maxEmbeddingDim: options.maxEmbeddingDim ?? 50,
    maxIter: options.maxIter ?? 200,
    learningRateInit: options.learningRateInit ?? 0.01,
    earlyStopping: true,
    seed: options.seed ?? 0,
  };
  const model =
    task === 'regression'
      ? new EntityEmbeddingRegressor(params).fit(X, y)
      : new EntityEmbeddingClassifier(params).fit(X, y);
  const embeddings = model.embeddings();
  // A column with no category at all (every value missing) has a 1-row table nobody names: drop the row.
  const names = Object.fromEntries(columns.map((c) => [c, ordinal.categories(c)]));
  const usable = embeddings.map((e) =>
    names[e.column].length === e.cardinality ? e : { ...e, cardinality: 0, vectors: new Float64Array(0) },
  );
  return { encoder: EmbeddingEncoder.fromEmbeddings(usable, names), ordinal, embeddings, history: model.history };
}
