import {
  checkClassLabels,
  checkPredictColumns,
  checkXy,
  ConfigError,
  createRng,
  expectKind,
  registerLoader,
  type Classifier,
  type Estimator,
  type FitOptions,
  type Matrix,
  type Serialized,
} from '@campaign-ml/core';
import {
  checkNumericInputs,
  deserializeEmbeddingModel,
  serializeEmbeddingModel,
  type EmbeddingFitHistory,
  embeddingsOf,
  embedMatrix,
  EmbeddingModel,
  predictEmbedding,
  readCodes,
  resolveEntityEmbeddingParams,
  trainEmbedding,
  type CategoryEmbedding,
  type EntityEmbeddingParams,
  type ResolvedEntityEmbeddingParams,
} from './entity-embedding-network';

const KIND = 'models/EntityEmbeddingClassifier';
const NAME = 'EntityEmbeddingClassifier';

/**
 * An MLP with an embedding layer per high-cardinality categorical column (entity embeddings, Guo &
 * Berkhahn 2016), trained end to end with Adam: each code column of X (integers 0..cardinality-1;
 * -1 or NaN = unknown/missing) looks up a learned vector of size min(50, ceil(cardinality / 2)),
 * the vectors are concatenated after the numeric columns and fed to the hidden layers. Logistic
 * output for two classes, softmax for more. `embeddings()` exports the learned tables (for
 * @campaign-ml/features' EmbeddingEncoder, so tree models can use them); `embed(X)` does the same
 * on a Matrix.
 *
 * ```ts
 * const model = new EntityEmbeddingClassifier({ categorical: [{ column: 'category', cardinality: 150 }],
 *   hiddenLayerSizes: [32], earlyStopping: true, seed: 1 }).fit(X, y);
 * model.embeddings()[0].vectors; // 150 x 50, row-major
 * ```
 */
export class EntityEmbeddingClassifier implements Estimator<FittedEntityEmbeddingClassifier, EntityEmbeddingParams> {
  readonly params: Readonly<ResolvedEntityEmbeddingParams>;

  constructor(params: EntityEmbeddingParams) {
    this.params = resolveEntityEmbeddingParams(NAME, params);
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedEntityEmbeddingClassifier {
    const yy = checkXy(X, y);
    if (opts.sampleWeight)
      throw new ConfigError('UNSUPPORTED_OPTION', `${NAME} does not support sampleWeight; resample the rows instead`, {
        column: 'sampleWeight',
      });
    const { labels, classes } = checkClassLabels(yy);
    const outDim = classes === 2 ? 1 : classes;
    const p = this.params;
    const model = new EmbeddingModel(
      X.columns,
      p.categorical,
      p.hiddenLayerSizes,
      p.activation,
      classes === 2 ? 'logistic' : 'softmax',
      outDim,
      NAME,
    );
    const codes = readCodes(model, X, NAME);
    checkNumericInputs(model, X, NAME);
    const rng = createRng(p.seed);
    model.initialize(rng.fork());
    const target = oneHot(labels, outDim);
    let validation;
    if (opts.validation) {
      checkPredictColumns(opts.validation.X, X.columns);
      const vl = checkClassLabels(opts.validation.y, classes).labels;
      validation = {
        X: opts.validation.X,
        codes: readCodes(model, opts.validation.X, NAME),
        target: oneHot(vl, outDim),
      };
      checkNumericInputs(model, opts.validation.X, NAME);
    }
    const result = trainEmbedding(model, X, codes, target, p, opts, rng, validation);
    return new FittedEntityEmbeddingClassifier(p, X.columns, classes, model, result.counts, {
      lossCurve: result.lossCurve,
      validationLoss: result.validationLoss,
      nIter: result.nIter,
    });
  }
}

function oneHot(labels: Int32Array, outDim: number): Float64Array {
  const target = new Float64Array(labels.length * outDim);
  for (let r = 0; r < labels.length; r++) {
    if (outDim === 1) target[r] = labels[r];
    else target[r * outDim + labels[r]] = 1;
  }
  return target;
}

export class FittedEntityEmbeddingClassifier implements Classifier {
  readonly params: Readonly<ResolvedEntityEmbeddingParams>;
  readonly columns: readonly string[];
  readonly classes: number;
  readonly history: EmbeddingFitHistory;
  readonly #model: EmbeddingModel;
  readonly #counts: readonly Float64Array[];

  /** @internal */
  constructor(
    params: Readonly<ResolvedEntityEmbeddingParams>,
    columns: readonly string[],
    classes: number,
    model: EmbeddingModel,
    counts: readonly Float64Array[],
    history: EmbeddingFitHistory,
  ) {
    this.params = params;
    this.columns = Object.freeze([...columns]);
    this.classes = classes;
    this.#model = model;
    this.#counts = counts;
    this.history = Object.freeze({
      lossCurve: Object.freeze([...history.lossCurve]),
      validationLoss: Object.freeze([...history.validationLoss]),
      nIter: history.nIter,
    });
    Object.freeze(this);
  }

  predictProba(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    const codes = readCodes(this.#model, X, NAME);
    checkNumericInputs(this.#model, X, NAME);
    const out = predictEmbedding(this.#model, X, codes);
    if (this.classes > 2) return out;
    const proba = new Float64Array(X.rows * 2);
    for (let r = 0; r < X.rows; r++) {
      proba[2 * r] = 1 - out[r];
      proba[2 * r + 1] = out[r];
    }
    return proba;
  }

  predict(X: Matrix): Int32Array {
    const proba = this.predictProba(X);
    const K = this.classes;
    const out = new Int32Array(X.rows);
    for (let r = 0; r < X.rows; r++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (proba[r * K + k] > proba[r * K + best]) best = k;
      out[r] = best;
    }
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
      classes: this.classes,
    };
  }

  static fromJSON(json: Serialized): FittedEntityEmbeddingClassifier {
    expectKind(json, KIND, 1);
    const classes = json.classes as number;
    const { params, model, counts, history } = deserializeEmbeddingModel(
      json,
      NAME,
      classes === 2 ? 'logistic' : 'softmax',
      classes === 2 ? 1 : classes,
    );
    return new FittedEntityEmbeddingClassifier(params, json.columns as string[], classes, model, counts, history);
  }
}

registerLoader(KIND, FittedEntityEmbeddingClassifier.fromJSON);
