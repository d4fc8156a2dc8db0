import {
  checkClassLabels,
  checkPredictColumns,
  checkXy,
  ConfigError,
  createRng,
  decodeArray,
  encodeArray,
  expectKind,
  registerLoader,
  type Classifier,
  type EncodedArray,
  type Estimator,
  type FitOptions,
  type Matrix,
  type Serialized,
} from '@campaign-ml/core';
import { checkNoMissing } from '../linear/check-no-missing';
import { resolveMlpParams, type MlpParams, type ResolvedMlpParams } from './mlp-params';
import { MlpNetwork, layersOf, type MlpLayers } from './mlp-network';
import { predictNetwork } from './mlp-wasm';
import { trainMlp } from './train-mlp';

const KIND = 'models/MLPClassifier';
const NAME = 'MLPClassifier';

/**
 * A multi-layer perceptron classifier trained with Adam, after scikit-learn's MLPClassifier:
 * logistic output for two classes, softmax for more, Glorot-uniform initialization from the seed.
 * Scale the features first (standardize): like every neural network it needs it.
 *
 * ```ts
 * const model = new MLPClassifier({ hiddenLayerSizes: [32], seed: 1 }).fit(X, y);
 * model.predictProba(Xtest);
 * ```
 */
export class MLPClassifier implements Estimator<FittedMLPClassifier, MlpParams> {
  readonly params: Readonly<ResolvedMlpParams>;

  constructor(params: MlpParams = {}) {
    this.params = resolveMlpParams(NAME, params);
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedMLPClassifier {
    const yy = checkXy(X, y);
    checkNoMissing(X, NAME);
    if (opts.sampleWeight) {
      throw new ConfigError(
        'UNSUPPORTED_OPTION',
        `${NAME} does not support sampleWeight (neither does scikit-learn's); resample the rows instead`,
        {
          column: 'sampleWeight',
        },
      );
    }
    const { labels, classes } = checkClassLabels(yy);
    const outDim = classes === 2 ? 1 : classes;
    const net = new MlpNetwork(
      [X.cols, ...this.params.hiddenLayerSizes, outDim],
      this.params.activation,
      classes === 2 ? 'logistic' : 'softmax',
    );
    const rng = createRng(this.params.seed);
    net.initialize(rng.fork());
    const target = new Float64Array(X.rows * outDim);
    for (let r = 0; r < X.rows; r++) {
      if (outDim === 1) target[r] = labels[r];
      else target[r * outDim + labels[r]] = 1;
    }
    if (opts.validation) checkNoMissing(opts.validation.X, NAME);
    const result = trainMlp(net, X, target, yy, this.params, (out, yv) => accuracy(out, yv, outDim), opts, rng);
    return new FittedMLPClassifier(
      this.params,
      X.columns,
      classes,
      net,
      result.lossCurve,
      result.validationScores,
      result.nIter,
    );
  }
}

function accuracy(out: Float64Array, y: Float64Array, outDim: number): number {
  let correct = 0;
  for (let r = 0; r < y.length; r++) {
    let pred = 0;
    if (outDim === 1) pred = out[r] > 0.5 ? 1 : 0;
    else for (let k = 1; k < outDim; k++) if (out[r * outDim + k] > out[r * outDim + pred]) pred = k;
    if (pred === y[r]) correct++;
  }
  return correct / y.length;
}

export class FittedMLPClassifier implements Classifier {
  readonly params: Readonly<ResolvedMlpParams>;
  readonly columns: readonly string[];
  readonly classes: number;
  /** Mean training loss per epoch. */
  readonly lossCurve: readonly number[];
  /** Validation accuracy per epoch (early stopping only). */
  readonly validationScores: readonly number[];
  /** Epochs run. */
  readonly nIter: number;
  readonly #net: MlpNetwork;

  /** @internal */
  constructor(
    params: Readonly<ResolvedMlpParams>,
    columns: readonly string[],
    classes: number,
    net: MlpNetwork,
    lossCurve: readonly number[],
    validationScores: readonly number[],
    nIter: number,
  ) {
    this.params = params;
    this.columns = Object.freeze([...columns]);
    this.classes = classes;
    this.#net = net;
    this.lossCurve = Object.freeze([...lossCurve]);
    this.validationScores = Object.freeze([...validationScores]);
    this.nIter = nIter;
    Object.freeze(this);
  }

  predictProba(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    checkNoMissing(X, NAME);
    const out = predictNetwork(this.#net, X);
    if (this.classes > 2) return out;
    const proba = new Float64Array(X.rows * 2);
    for (let r = 0; r < X.rows; r++) {
      proba[2 * r] = 1 - out[r];
      proba[2 * r + 1] = out[r];
    }
    return proba;
  }

  /** The network's layers (a copy): sizes, activation, output unit(s), weights and biases. */
  layers(): MlpLayers {
    return layersOf(this.#net);
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

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.params },
      columns: [...this.columns],
      classes: this.classes,
      sizes: [...this.#net.sizes],
      weights: encodeArray(this.#net.weights),
      lossCurve: [...this.lossCurve],
      validationScores: [...this.validationScores],
      nIter: this.nIter,
    };
  }

  static fromJSON(json: Serialized): FittedMLPClassifier {
    expectKind(json, KIND, 1);
    const params = resolveMlpParams(NAME, json.params as MlpParams);
    const classes = json.classes as number;
    const net = new MlpNetwork(
      json.sizes as number[],
      params.activation,
      classes === 2 ? 'logistic' : 'softmax',
      decodeArray<Float64Array>(json.weights as EncodedArray, 'weights'),
    );
    return new FittedMLPClassifier(
      params,
      json.columns as string[],
      classes,
      net,
      json.lossCurve as number[],
      json.validationScores as number[],
      json.nIter as number,
    );
  }
}

registerLoader(KIND, FittedMLPClassifier.fromJSON);
