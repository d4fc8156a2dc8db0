import {
  checkPredictColumns,
  checkXy,
  ConfigError,
  createMatrix,
  expectKind,
  load,
  registerLoader,
  type Classifier,
  type Estimator,
  type FitOptions,
  type Matrix,
  type Regressor,
  type Serialized,
  type Task,
} from '@campaign-ml/core';
import {
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  type GradientBoostingParams,
} from '../trees/gradient-boosting';
import type { FittedTreeClassifier, FittedTreeRegressor } from '../trees/fitted-tree-model';
import { EntityEmbeddingClassifier, type FittedEntityEmbeddingClassifier } from './entity-embedding-classifier';
import { EntityEmbeddingRegressor, type FittedEntityEmbeddingRegressor } from './entity-embedding-regressor';
import type { EntityEmbeddingParams } from './entity-embedding-network';

const KIND = 'models/EmbeddingGbdt';
const NAME = 'EmbeddingGbdt';

export interface EmbeddingGbdtParams {
  /** 'binary' or 'multiclass' (a classifier) or 'regression'. */
  task: Task;
  /**
   * The code columns to embed: names, or `{ prefix }` = every column whose name starts with it
   * (a ColumnPipeline group's prefix). Codes are integers 0..k-1 (an OrdinalEncoder's); -1, NaN and
   * codes above the largest one seen at fit are unknown.
   */
  categorical: readonly string[] | { prefix: string };
  /** The embedding MLP's options (its `categorical` is derived: cardinality = largest code at fit + 1). Default: hidden [32], lr 0.01, early stopping. */
  embedding?: Omit<EntityEmbeddingParams, 'categorical'>;
  /** The gradient boosting's options. */
  gbdt?: Partial<GradientBoostingParams>;
}

type FittedEmbedding = FittedEntityEmbeddingClassifier | FittedEntityEmbeddingRegressor;
type FittedTrees = FittedTreeClassifier | FittedTreeRegressor;

/**
 * Entity embeddings learned inside `fit`, then gradient boosting on them (the McGill study's
 * recipe as one estimator): an EntityEmbeddingClassifier/Regressor is fitted on the code columns
 * alone, each code column of X is replaced by its `<col>_emb_k` columns (other columns kept, NaN
 * and all), and a GradientBoostingClassifier/Regressor is fitted on that. Because both steps are
 * one `fit`, cross-validation refits the embeddings in every fold: their benefit is measured
 * without the training rows' targets leaking into the held-out folds.
 *
 * ```ts
 * const m = new EmbeddingGbdt({ task: 'binary', categorical: { prefix: 'code:' }, gbdt: { nEstimators: 200 } }).fit(X, y);
 * m.predictProba(Xtest);
 * ```
 */
export class EmbeddingGbdt implements Estimator<FittedEmbeddingGbdt, EmbeddingGbdtParams> {
  readonly params: Readonly<EmbeddingGbdtParams>;

  constructor(params: EmbeddingGbdtParams) {
    if (!params || !['binary', 'multiclass', 'regression'].includes(params.task))
      throw new ConfigError('INVALID_PARAM', `${NAME}: task must be 'binary', 'multiclass' or 'regression'`, {
        column: 'task',
        value: params?.task,
        expected: "'binary', 'multiclass' or 'regression'",
      });
    this.params = Object.freeze({ ...params });
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedEmbeddingGbdt {
    const yy = checkXy(X, y);
    const names = codeColumns(X.columns, this.params.categorical);
    const codes = codeMatrix(X, names, undefined);
    const categorical = names.map((column, j) => {
      let max = -1;
      for (let r = 0; r < X.rows; r++) {
        const v = codes.data[j * X.rows + r];
        if (v > max) max = v;
      }
      return { column, cardinality: max + 1 };
    });
    const usable = categorical.filter((c) => c.cardinality > 0);
    const embParams: EntityEmbeddingParams = {
      hiddenLayerSizes: [32],
      learningRateInit: 0.01,
      earlyStopping: true,
      ...this.params.embedding,
      categorical: usable,
    };
    const classification = this.params.task !== 'regression';
    const codesIn = codeMatrix(
      X,
      usable.map((c) => c.column),
      usable,
    );
    const embedding: FittedEmbedding | undefined =
      usable.length === 0
        ? undefined
        : classification
          ? new EntityEmbeddingClassifier(embParams).fit(codesIn, yy, { signal: opts.signal })
          : new EntityEmbeddingRegressor(embParams).fit(codesIn, yy, { signal: opts.signal });
    const Xe = embedInto(X, names, usable, embedding);
    const gbdt = this.params.gbdt ?? {};
    // The trees' validation rows (early stopping) go through the same embedding.
    const treeOpts: FitOptions = opts.validation
      ? { ...opts, validation: { X: embedInto(opts.validation.X, names, usable, embedding), y: opts.validation.y } }
      : opts;
    const trees = classification
      ? new GradientBoostingClassifier(gbdt).fit(Xe, yy, treeOpts)
      : new GradientBoostingRegressor(gbdt).fit(Xe, yy, treeOpts);
    const base: ConstructorParameters<typeof FittedEmbeddingGbdtBase> = [
      this.params,
      X.columns,
      names,
      usable,
      embedding,
    ];
    return classification
      ? new FittedEmbeddingGbdtClassifier(base, trees as FittedTreeClassifier)
      : new FittedEmbeddingGbdtRegressor(base, trees as FittedTreeRegressor);
  }
}

/** The code columns named by `categorical` (an InputError for a named column X lacks). */
function codeColumns(columns: readonly string[], categorical: EmbeddingGbdtParams['categorical']): string[] {
  if (Array.isArray(categorical)) {
    for (const c of categorical)
      if (!columns.includes(c))
        throw new ConfigError('MISSING_COLUMN', `${NAME}: categorical column "${c}" is not a column of X`, {
          column: c,
        });
    return [...categorical];
  }
  const prefix = (categorical as { prefix: string }).prefix;
  return columns.filter((c) => c.startsWith(prefix));
}

/**
 * The code columns of X as a Matrix; with `fitted`, codes at or above a column's cardinality (a
 * category the fit never saw) become -1 (unknown).
 */
function codeMatrix(
  X: Matrix,
  names: readonly string[],
  fitted: readonly { column: string; cardinality: number }[] | undefined,
): Matrix {
  const n = X.rows;
  const data = new Float64Array(n * names.length);
  names.forEach((name, j) => {
    const c = X.columns.indexOf(name);
    const col = X.data.subarray(c * n, (c + 1) * n);
    if (!fitted) data.set(col, j * n);
    else {
      const k = fitted[j].cardinality;
      for (let r = 0; r < n; r++) data[j * n + r] = col[r] >= k ? -1 : col[r];
    }
  });
  return createMatrix(n, names.length, data, names);
}

/** X with the embedded code columns replaced by their embedding columns; unusable code columns (no category at fit) dropped. */
function embedInto(
  X: Matrix,
  names: readonly string[],
  usable: readonly { column: string; cardinality: number }[],
  embedding: FittedEmbedding | undefined,
): Matrix {
  const n = X.rows;
  const E = embedding
    ? embedding.embed(
        codeMatrix(
          X,
          usable.map((c) => c.column),
          usable,
        ),
      )
    : undefined;
  const coded = new Set(names);
  const outNames: string[] = [];
  const parts: Float64Array[] = [];
  X.columns.forEach((name, c) => {
    if (coded.has(name)) return;
    outNames.push(name);
    parts.push(X.data.subarray(c * n, (c + 1) * n));
  });
  if (E) {
    outNames.push(...E.columns);
    for (let c = 0; c < E.cols; c++) parts.push(E.data.subarray(c * n, (c + 1) * n));
  }
  const data = new Float64Array(n * outNames.length);
  parts.forEach((p, i) => data.set(p, i * n));
  return createMatrix(n, outNames.length, data, outNames);
}

/** What both fitted forms hold: the code columns, the embedding model and the trees on its output. */
abstract class FittedEmbeddingGbdtBase {
  readonly params: Readonly<EmbeddingGbdtParams>;
  readonly columns: readonly string[];
  /** The code columns, and those that had categories at fit (with their cardinality). */
  readonly codeColumns: readonly string[];
  readonly embedded: readonly { column: string; cardinality: number }[];
  /** The embedding model (undefined when no code column had a category). */
  readonly embedding: FittedEmbedding | undefined;

  constructor(
    params: Readonly<EmbeddingGbdtParams>,
    columns: readonly string[],
    codeColumns: readonly string[],
    embedded: readonly { column: string; cardinality: number }[],
    embedding: FittedEmbedding | undefined,
  ) {
    this.params = params;
    this.columns = Object.freeze([...columns]);
    this.codeColumns = Object.freeze([...codeColumns]);
    this.embedded = Object.freeze(embedded.map((e) => Object.freeze({ ...e })));
    this.embedding = embedding;
  }

  /** The Matrix the trees read: code columns replaced by `<col>_emb_k`. */
  transform(X: Matrix): Matrix {
    checkPredictColumns(X, this.columns);
    return embedInto(X, this.codeColumns, this.embedded, this.embedding);
  }

  protected serialize(trees: FittedTrees): Serialized {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.params } as unknown as Record<string, unknown>,
      columns: [...this.columns],
      codeColumns: [...this.codeColumns],
      embedded: this.embedded.map((e) => ({ ...e })),
      embedding: this.embedding?.toJSON() ?? null,
      trees: trees.toJSON(),
    };
  }
}

export class FittedEmbeddingGbdtClassifier extends FittedEmbeddingGbdtBase implements Classifier {
  readonly trees: FittedTreeClassifier;
  readonly classes: number;

  /** @internal */
  constructor(base: ConstructorParameters<typeof FittedEmbeddingGbdtBase>, trees: FittedTreeClassifier) {
    super(...base);
    this.trees = trees;
    this.classes = trees.classes;
    Object.freeze(this);
  }

  predictProba(X: Matrix): Float64Array {
    return this.trees.predictProba(this.transform(X));
  }

  predict(X: Matrix): Int32Array {
    return this.trees.predict(this.transform(X));
  }

  toJSON(): Serialized {
    return this.serialize(this.trees);
  }
}

export class FittedEmbeddingGbdtRegressor extends FittedEmbeddingGbdtBase implements Regressor {
  readonly trees: FittedTreeRegressor;

  /** @internal */
  constructor(base: ConstructorParameters<typeof FittedEmbeddingGbdtBase>, trees: FittedTreeRegressor) {
    super(...base);
    this.trees = trees;
    Object.freeze(this);
  }

  predict(X: Matrix): Float64Array {
    return this.trees.predict(this.transform(X));
  }

  toJSON(): Serialized {
    return this.serialize(this.trees);
  }
}

export type FittedEmbeddingGbdt = FittedEmbeddingGbdtClassifier | FittedEmbeddingGbdtRegressor;

function fromJSON(json: Serialized): FittedEmbeddingGbdt {
  expectKind(json, KIND, 1);
  const base: ConstructorParameters<typeof FittedEmbeddingGbdtBase> = [
    json.params as unknown as EmbeddingGbdtParams,
    json.columns as string[],
    json.codeColumns as string[],
    json.embedded as { column: string; cardinality: number }[],
    json.embedding ? load<FittedEmbedding>(json.embedding as Serialized) : undefined,
  ];
  const trees = load<FittedTrees>(json.trees as Serialized);
  return 'classes' in trees
    ? new FittedEmbeddingGbdtClassifier(base, trees as FittedTreeClassifier)
    : new FittedEmbeddingGbdtRegressor(base, trees as FittedTreeRegressor);
}

registerLoader(KIND, fromJSON);
