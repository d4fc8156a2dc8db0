import {
  checkPredictColumns,
  checkXy,
  ConfigError,
  createRng,
  decodeArray,
  encodeArray,
  expectKind,
  registerLoader,
  type EncodedArray,
  type Estimator,
  type FitOptions,
  type Matrix,
  type Regressor,
  type Serialized,
} from '@campaign-ml/core';
import { checkNoMissing } from '../linear/check-no-missing';
import { resolveMlpParams, type MlpParams, type ResolvedMlpParams } from './mlp-params';
import { MlpNetwork } from './mlp-network';
import { predictNetwork } from './mlp-wasm';
import { trainMlp } from './train-mlp';

const KIND = 'models/MLPRegressor';
const NAME = 'MLPRegressor';

/**
 * A multi-layer perceptron regressor (squared error, identity output) trained with Adam, after
 * scikit-learn's MLPRegressor. Scale the features (and a large-valued target) first.
 *
 * ```ts
 * const model = new MLPRegressor({ hiddenLayerSizes: [32, 32], activation: 'tanh' }).fit(X, y);
 * ```
 */
export class MLPRegressor implements Estimator<FittedMLPRegressor, MlpParams> {
  readonly params: Readonly<ResolvedMlpParams>;

  constructor(params: MlpParams = {}) {
    this.params = resolveMlpParams(NAME, params);
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedMLPRegressor {
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
    if (opts.validation) checkNoMissing(opts.validation.X, NAME);
    const net = new MlpNetwork([X.cols, ...this.params.hiddenLayerSizes, 1], this.params.activation, 'identity');
    const rng = createRng(this.params.seed);
    net.initialize(rng.fork());
    const result = trainMlp(net, X, yy, yy, this.params, r2, opts, rng);
    return new FittedMLPRegressor(this.params, X.columns, net, result.lossCurve, result.validationScores, result.nIter);
  }
}

function r2(pred: Float64Array, y: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= y.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    ssRes += (y[i] - pred[i]) ** 2;
    ssTot += (y[i] - mean) ** 2;
  }
  return ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
}

export class FittedMLPRegressor implements Regressor {
  readonly params: Readonly<ResolvedMlpParams>;
  readonly columns: readonly string[];
  readonly lossCurve: readonly number[];
  /** Validation R² per epoch (early stopping only). */
  readonly validationScores: readonly number[];
  readonly nIter: number;
  readonly #net: MlpNetwork;

  /** @internal */
  constructor(
    params: Readonly<ResolvedMlpParams>,
    columns: readonly string[],
    net: MlpNetwork,
    lossCurve: readonly number[],
    validationScores: readonly number[],
    nIter: number,
  ) {
    this.params = params;
    this.columns = Object.freeze([...columns]);
    this.#net = net;
    this.lossCurve = Object.freeze([...lossCurve]);
    this.validationScores = Object.freeze([...validationScores]);
    this.nIter = nIter;
    Object.freeze(this);
  }

  predict(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    checkNoMissing(X, NAME);
    return predictNetwork(this.#net, X);
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.params },
      columns: [...this.columns],
      sizes: [...this.#net.sizes],
      weights: encodeArray(this.#net.weights),
      lossCurve: [...this.lossCurve],
      validationScores: [...this.validationScores],
      nIter: this.nIter,
    };
  }

  static fromJSON(json: Serialized): FittedMLPRegressor {
    expectKind(json, KIND, 1);
    const params = resolveMlpParams(NAME, json.params as MlpParams);
    const net = new MlpNetwork(
      json.sizes as number[],
      params.activation,
      'identity',
      decodeArray<Float64Array>(json.weights as EncodedArray, 'weights'),
    );
    return new FittedMLPRegressor(
      params,
      json.columns as string[],
      net,
      json.lossCurve as number[],
      json.validationScores as number[],
      json.nIter as number,
    );
  }
}

registerLoader(KIND, FittedMLPRegressor.fromJSON);
