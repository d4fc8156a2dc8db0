import type { ColumnTable } from 'arquero';
import type {
  FittedMatrixTransformer,
  FittedTableTransformer,
  MatrixTransformer,
  RunOptions,
  TableTransformer,
} from '@campaign-ml/core';

/** The table type every features step reads and writes: an arquero ColumnTable (ingest's value conventions). */
export type Table = ColumnTable;

/**
 * A table-to-table step (encoders, imputers, date and numeric features). `fit` learns from the
 * columns of the table it is given and returns an immutable fitted step; the fitted step's
 * `transform(table)` reads those same columns by name and returns a table holding only the
 * columns it produces (`featureNamesOut`).
 *
 * `input: 'table'` tells the ColumnPipeline to run the step before the table becomes a Matrix;
 * anything without it is treated as a core MatrixTransformer (scalers, KNN imputer, PCA, selectors).
 */
export interface TableStep<F extends FittedTableStep = FittedTableStep> extends TableTransformer<Table, F> {
  readonly input: 'table';
  readonly params: object;
  fit(table: Table, y?: ArrayLike<number>, opts?: RunOptions): F;
  /**
   * Fit and return the output for the training rows in one go. Steps whose training output must
   * differ from `fit(t).transform(t)` (the out-of-fold target encoder) implement it; the pipeline
   * uses it when present.
   */
  fitTransform?(table: Table, y?: ArrayLike<number>, opts?: RunOptions): { fitted: F; output: Table };
}

export interface FittedTableStep extends FittedTableTransformer<Table, Table> {
  readonly input: 'table';
  /** Columns this step reads (it fails with an InputError naming any that are absent). */
  readonly featureNamesIn: readonly string[];
}

/** A step of a ColumnPipeline group: a table step, or a Matrix step once the group is numeric. */
export type PipelineStep = TableStep | MatrixTransformer;
export type FittedPipelineStep = FittedTableStep | FittedMatrixTransformer;

export function isTableStep(step: PipelineStep): step is TableStep {
  return (step as TableStep).input === 'table';
}

export function isFittedTableStep(step: FittedPipelineStep): step is FittedTableStep {
  return (step as FittedTableStep).input === 'table';
}
