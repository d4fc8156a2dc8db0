import {
  checkPredictColumns,
  checkXy,
  ConfigError,
  createMatrix,
  expectKind,
  isClassifier,
  load,
  registerLoader,
  type Classifier,
  type Estimator,
  type FitOptions,
  type FittedModel,
  type Matrix,
  type Regressor,
  type Serialized,
  type Task,
} from '@campaign-ml/core';
import { EntityEmbeddingClassifier } from './entity-embedding-classifier';
import type { EntityEmbeddingParams } from './entity-embedding-network';
import { EntityEmbeddingRegressor } from './entity-embedding-regressor';
import { MLPClassifier } from './mlp-classifier';
import { MLPRegressor } from './mlp-regressor';

const KIND = 'models/EntityEmbeddingAuto';
const NAME = 'EntityEmbeddingAuto';

export interface EntityEmbeddingAutoParams extends Omit<EntityEmbeddingParams, 'categorical'> {
  task: Task;
  /** The code columns: names, or `{ prefix }` (e.g. the recipe's `code:`); cardinality = largest code at fit + 1. */
  categorical: readonly string[] | { prefix: string };
}

/**
 * EntityEmbeddingClassifier/Regressor for a pipeline that cannot know the categories in advance:
 * the code columns are found by name or prefix and their cardinalities read off the training rows
 * at `fit`; at predict, codes above the fitted range (a category the fit never saw) read as
 * unknown (-1) instead of an error. Without any code column it fits a plain MLP with the same
 * options. The pipeline's opt-in `embeddingMlp` family.
 */
export class EntityEmbeddingAuto implements Estimator<FittedEntityEmbeddingAuto, EntityEmbeddingAutoParams> {
  readonly params: Readonly<EntityEmbeddingAutoParams>;

  constructor(params: EntityEmbeddingAutoParams) {
    if (!params || !['binary', 'multiclass', 'regression'].includes(params.task))
      throw new ConfigError('INVALID_PARAM', `${NAME}: task must be 'binary', 'multiclass' or 'regression'`, {
        column: 'task',
        value: params?.task,
        expected: "'binary', 'multiclass' or 'regression'",
      });
    this.params = Object.freeze({ ...params });
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedEntityEmbeddingAuto {
    checkXy(X, y);
    const { task, categorical, ...mlp } = this.params;
    const names = Array.isArray(categorical)
      ? [...categorical]
      : X.columns.filter((c) => c.startsWith((categorical as { prefix: string }).prefix));
    const cards = names.map((name) => {
      const c = X.columns.indexOf(name);
      if (c < 0)
        throw new ConfigError('MISSING_COLUMN', `${NAME}: categorical column "${name}" is not a column of X`, {
          column: name,
        });
      let max = -1;
      for (let r = 0; r < X.rows; r++) {
        const v = X.data[c * X.rows + r];
        if (v > max) max = v;
      }
      return { column: name, cardinality: Math.floor(max) + 1 };
    });
    const used = cards.filter((c) => c.cardinality > 0);
    const classification = task !== 'regression';
    const fitOpts = opts.validation
      ? { ...opts, validation: { X: clampCodes(opts.validation.X, used), y: opts.validation.y } }
      : opts;
    const inner: FittedModel =
      used.length === 0
        ? (classification ? new MLPClassifier(mlp) : new MLPRegressor(mlp)).fit(X, y, fitOpts)
        : (classification
            ? new EntityEmbeddingClassifier({ ...mlp, categorical: used })
            : new EntityEmbeddingRegressor({ ...mlp, categorical: used })
          ).fit(X, y, fitOpts);
    return isClassifier(inner)
      ? new FittedEntityEmbeddingAutoClassifier(this.params, X.columns, used, inner)
      : new FittedEntityEmbeddingAutoRegressor(this.params, X.columns, used, inner as Regressor);
  }
}

/** X with codes at or above each column's fitted cardinality set to -1 (unknown). */
function clampCodes(X: Matrix, cards: readonly { column: string; cardinality: number }[]): Matrix {
  if (cards.length === 0) return X;
  const data = X.data.slice();
  for (const { column, cardinality } of cards) {
    const c = X.columns.indexOf(column);
    if (c < 0) continue;
    for (let r = 0; r < X.rows; r++) if (data[c * X.rows + r] >= cardinality) data[c * X.rows + r] = -1;
  }
  return createMatrix(X.rows, X.cols, data, X.columns);
}

abstract class FittedAutoBase<M extends FittedModel> {
  readonly params: Readonly<EntityEmbeddingAutoParams>;
  readonly columns: readonly string[];
  /** The embedded code columns and their cardinality at fit (empty: a plain MLP was fitted). */
  readonly embedded: readonly { column: string; cardinality: number }[];
  /** The fitted EntityEmbeddingClassifier/Regressor (or MLP). */
  readonly model: M;

  constructor(
    params: Readonly<EntityEmbeddingAutoParams>,
    columns: readonly string[],
    embedded: readonly { column: string; cardinality: number }[],
    model: M,
  ) {
    this.params = params;
    this.columns = Object.freeze([...columns]);
    this.embedded = Object.freeze(embedded.map((e) => Object.freeze({ ...e })));
    this.model = model;
  }

  protected input(X: Matrix): Matrix {
    checkPredictColumns(X, this.columns);
    return clampCodes(X, this.embedded);
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.params } as unknown as Record<string, unknown>,
      columns: [...this.columns],
      embedded: this.embedded.map((e) => ({ ...e })),
      model: this.model.toJSON(),
    };
  }
}

export class FittedEntityEmbeddingAutoClassifier extends FittedAutoBase<Classifier> implements Classifier {
  readonly classes: number;

  /** @internal */
  constructor(...args: ConstructorParameters<typeof FittedAutoBase<Classifier>>) {
    super(...args);
    this.classes = this.model.classes;
    Object.freeze(this);
  }

  predictProba(X: Matrix): Float64Array {
    return this.model.predictProba(this.input(X));
  }

  predict(X: Matrix): Int32Array {
    return this.model.predict(this.input(X));
  }
}

export class FittedEntityEmbeddingAutoRegressor extends FittedAutoBase<Regressor> implements Regressor {
  /** @internal */
  constructor(...args: ConstructorParameters<typeof FittedAutoBase<Regressor>>) {
    super(...args);
    Object.freeze(this);
  }

  predict(X: Matrix): Float64Array {
    return this.model.predict(this.input(X));
  }
}

export type FittedEntityEmbeddingAuto = FittedEntityEmbeddingAutoClassifier | FittedEntityEmbeddingAutoRegressor;

registerLoader(KIND, (json: Serialized): FittedEntityEmbeddingAuto => {
  expectKind(json, KIND, 1);
  const params = json.params as unknown as EntityEmbeddingAutoParams;
  const columns = json.columns as string[];
  const embedded = json.embedded as { column: string; cardinality: number }[];
  const model = load<FittedModel>(json.model as Serialized);
  return isClassifier(model)
    ? new FittedEntityEmbeddingAutoClassifier(params, columns, embedded, model)
    : new FittedEntityEmbeddingAutoRegressor(params, columns, embedded, model as Regressor);
});
