import {
  checkPredictColumns,
  checkXy,
  ConfigError,
  createRng,
  expectKind,
  registerLoader,
  type Estimator,
  type FitOptions,
  type Matrix,
  type Regressor,
  type Serialized,
} from '@campaign-ml/core';
import {
  checkNumericInputs,
  deserializeEmbeddingModel,
  embeddingsOf,
  embedMatrix,
  EmbeddingModel,
  predictEmbedding,
  readCodes,
  resolveEntityEmbeddingParams,
  serializeEmbeddingModel,
  trainEmbedding,
  type CategoryEmbedding,
  type EmbeddingFitHistory,
  type EntityEmbeddingParams,
  type ResolvedEntityEmbeddingParams,
} from './entity-embedding-network';

const KIND = 'models/EntityEmbeddingRegressor';
const NAME = 'EntityEmbeddingRegressor';

type ResolvedRegressorParams = ResolvedEntityEmbeddingParams & { scaleTarget: boolean };

export interface EntityEmbeddingRegressorParams extends EntityEmbeddingParams {
  /** Standardize the target for training and map predictions back (as MLPRegressor). Default true. */
  scaleTarget?: boolean;
}

function resolve(p: EntityEmbeddingRegressorParams): Readonly<ResolvedRegressorParams> {
  const scaleTarget = p.scaleTarget ?? true;
  if (typeof scaleTarget !== 'boolean')
    throw new ConfigError('INVALID_PARAM', `${NAME}: scaleTarget must be true or false`, {
      column: 'scaleTarget',
      value: scaleTarget,
      expected: 'a boolean',
    });
  return Object.freeze({ ...resolveEntityEmbeddingParams(NAME, p), scaleTarget });
}

/**
 * The regression twin of EntityEmbeddingClassifier: embeddings per categorical code column,
 * concatenated with the numeric columns, an MLP with identity output and squared error, trained
 * end to end with Adam; the target is standardized for training (`scaleTarget`).
 *
 * ```ts
 * const model = new EntityEmbeddingRegressor({ categorical: [{ column: 'store', cardinality: 1115 }] }).fit(X, y);
 * model.embeddings()[0].dim; // 50
 * ```
 */
export class EntityEmbeddingRegressor implements Estimator<
  FittedEntityEmbeddingRegressor,
  EntityEmbeddingRegressorParams
> {
  readonly params: Readonly<ResolvedRegressorParams>;

  constructor(params: EntityEmbeddingRegressorParams) {
    this.params = resolve(params);
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedEntityEmbeddingRegressor {
    const yy = checkXy(X, y);
    if (opts.sampleWeight)
      throw new ConfigError('UNSUPPORTED_OPTION', `${NAME} does not support sampleWeight; resample the rows instead`, {
        column: 'sampleWeight',
      });
    const p = this.params;
    const model = new EmbeddingModel(X.columns, p.categorical, p.hiddenLayerSizes, p.activation, 'identity', 1, NAME);
    const codes = readCodes(model, X, NAME);
    checkNumericInputs(model, X, NAME);
    const rng = createRng(p.seed);
    model.initialize(rng.fork());
    const { mean, scale } = p.scaleTarget ? targetScaling(yy) : { mean: 0, scale: 1 };
    const z = yy.map((v) => (v - mean) / scale);
    let validation;
    if (opts.validation) {
      checkPredictColumns(opts.validation.X, X.columns);
      validation = {
        X: opts.validation.X,
        codes: readCodes(model, opts.validation.X, NAME),
        target: Float64Array.from(opts.validation.y, (v) => (v - mean) / scale),
      };
      checkNumericInputs(model, opts.validation.X, NAME);
    }
    const result = trainEmbedding(model, X, codes, z, p, opts, rng, validation);
    return new FittedEntityEmbeddingRegressor(
      p,
      X.columns,
      model,
      result.counts,
      { lossCurve: result.lossCurve, validationLoss: result.validationLoss, nIter: result.nIter },
      { mean, scale },
    );
  }
}

function targetScaling(y: Float64Array): { mean: number; scale: number } {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= y.length;
  let ss = 0;
  for (let i = 0; i < y.length; i++) ss += (y[i] - mean) ** 2;
  const sd = Math.sqrt(ss / y.length);
  return { mean, scale: sd > 0 && Number.isFinite(sd) ? sd : 1 };
}

export class FittedEntityEmbeddingRegressor implements Regressor {
  readonly params: Readonly<ResolvedRegressorParams>;
  readonly columns: readonly string[];
  /** How the target was standardized for training; predict maps back. */
  readonly target: Readonly<{ mean: number; scale: number }>;
  /** Loss per epoch on the standardized target (training; validation with early stopping). */
  readonly history: EmbeddingFitHistory;
  readonly #model: EmbeddingModel;
  readonly #counts: readonly Float64Array[];

  /** @internal */
  constructor(
    params: Readonly<ResolvedRegressorParams>,
    columns: readonly string[],
    model: EmbeddingModel,
    counts: readonly Float64Array[],
    history: EmbeddingFitHistory,
    target: { mean: number; scale: number },
  ) {
    this.params = params;
    this.columns = Object.freeze([...columns]);
    this.#model = model;
    this.#counts = counts;
    this.target = Object.freeze({ ...target });
    this.history = Object.freeze({
      lossCurve: Object.freeze([...history.lossCurve]),
      validationLoss: Object.freeze([...history.validationLoss]),
      nIter: history.nIter,
    });
    Object.freeze(this);
  }

  predict(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    const codes = readCodes(this.#model, X, NAME);
    checkNumericInputs(this.#model, X, NAME);
    const out = predictEmbedding(this.#model, X, codes);
    const { mean, scale } = this.target;
    for (let i = 0; i < out.length; i++) out[i] = out[i] * scale + mean;
    return out;
  }

  /** The learned table of each categorical column (copies), in `params.categorical` order. */
  embeddings(): CategoryEmbedding[] {
    return embeddingsOf(this.#model, this.#counts);
  }

  /** X with each code column replaced by `<col>_emb_0..dim-1` (unknown/missing codes: the unknown vector). */
  embed(X: Matrix): Matrix {
    checkPredictColumns(X, this.columns);
    return embedMatrix(this.#model, X, readCodes(this.#model, X, NAME));
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      ...serializeEmbeddingModel(this.params, this.columns, this.#model, this.#counts, this.history),
      target: { ...this.target },
    };
  }

  static fromJSON(json: Serialized): FittedEntityEmbeddingRegressor {
    expectKind(json, KIND, 1);
    const { model, counts, history } = deserializeEmbeddingModel(json, NAME, 'identity', 1);
    const params = resolve(json.params as EntityEmbeddingRegressorParams);
    return new FittedEntityEmbeddingRegressor(
      params,
      json.columns as string[],
      model,
      counts,
      history,
      json.target as { mean: number; scale: number },
    );
  }
}

registerLoader(KIND, FittedEntityEmbeddingRegressor.fromJSON);
