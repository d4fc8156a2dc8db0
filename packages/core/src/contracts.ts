import type { Matrix } from './matrix';
import type { RunOptions } from './progress';

/** What a fitted thing serializes to: a `kind` for the loader registry and a format `version`. */
export interface Serialized {
  kind: string;
  version: number;
  [key: string]: unknown;
}

export interface Serializable {
  toJSON(): Serialized;
}

export interface FitOptions extends RunOptions {
  /** Per-row weights (non-negative, finite), same length as y. */
  sampleWeight?: ArrayLike<number>;
  /** Held-out data for early stopping and monitoring. */
  validation?: { X: Matrix; y: ArrayLike<number> };
}

/** An estimator holds only its parameters; fit returns a new, fitted, immutable object. */
export interface Estimator<F, P extends object = object> {
  readonly params: Readonly<P>;
  fit(X: Matrix, y: ArrayLike<number>, opts?: FitOptions): F;
}

/** A fitted classifier. Labels are class indices 0..classes-1. */
export interface Classifier extends Serializable {
  readonly classes: number;
  /** rows x classes, row-major: probability of class k for row r at `r * classes + k`. */
  predictProba(X: Matrix): Float64Array;
  predict(X: Matrix): Int32Array;
}

/** A fitted regressor. */
export interface Regressor extends Serializable {
  predict(X: Matrix): Float64Array;
}

export type FittedModel = Classifier | Regressor;

export function isClassifier(model: FittedModel): model is Classifier {
  return typeof (model as Classifier).predictProba === 'function';
}

/** Builds a fresh estimator (used by cross-validation, tuning and RFECV). */
export type EstimatorFactory<F = FittedModel> = () => Estimator<F>;

/**
 * Table transformers follow the same pattern: `fit(table, y?)` returns a fitted transformer.
 * `T` is the table type (arquero tables in ingest/features), kept generic so core stays free of it.
 */
export interface TableTransformer<T, F extends FittedTableTransformer<T>> {
  fit(table: T, y?: ArrayLike<number>, opts?: RunOptions): F;
}

export interface FittedTableTransformer<T, Out = T> extends Serializable {
  /** Names of the columns (or features) this transformer produces. */
  readonly featureNamesOut: readonly string[];
  transform(table: T): Out;
}

/**
 * Matrix-to-matrix steps (scalers, PCA, feature selectors) that run after a table has been turned
 * into a Matrix. `fit` returns the fitted step; `featureNamesOut` names the output columns.
 */
export interface MatrixTransformer<F extends FittedMatrixTransformer = FittedMatrixTransformer> {
  readonly params: object;
  fit(X: Matrix, y?: ArrayLike<number>, opts?: RunOptions): F;
}

export interface FittedMatrixTransformer extends Serializable {
  readonly featureNamesOut: readonly string[];
  transform(X: Matrix): Matrix;
}
