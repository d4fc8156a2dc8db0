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
import { MlpNetwork, layersOf, type MlpLayers } from './mlp-network';
import { predictNetwork } from './mlp-wasm';
import { trainMlp } from './train-mlp';

const KIND = 'models/MLPRegressor';
const NAME = 'MLPRegressor';

export interface MlpRegressorParams extends MlpParams {
  /**
   * Standardize the target before training (subtract its mean, divide by its standard deviation)
   * and undo it on predict, so the initial weights, the learning rate and alpha suit any target
   * scale (charges in the tens of thousands as well as rates). Default true.
   */
  scaleTarget?: boolean;
}

type ResolvedRegressorParams = ResolvedMlpParams & { scaleTarget: boolean };

function resolveRegressorParams(p: MlpRegressorParams): Readonly<ResolvedRegressorParams> {
  const scaleTarget = p.scaleTarget ?? true;
  if (typeof scaleTarget !== 'boolean')
    throw new ConfigError('INVALID_PARAM', `${NAME}: scaleTarget must be true or false`, {
      column: 'scaleTarget',
      value: scaleTarget,
      expected: 'a boolean',
    });
  return Object.freeze({ ...resolveMlpParams(NAME, p), scaleTarget });
}

/**
 * A multi-layer perceptron regressor (squared error, identity output) trained with Adam, after
 * scikit-learn's MLPRegressor. The target is standardized for training and predictions are
 * mapped back (`scaleTarget`, as scikit-learn users do with TransformedTargetRegressor); scale the
 * features first.
 *
 * ```ts
 * const model = new MLPRegressor({ hiddenLayerSizes: [32, 32], activation: 'tanh' }).fit(X, y);
 * ```
 */
export class MLPRegressor implements Estimator<FittedMLPRegressor, MlpRegressorParams> {
  readonly params: Readonly<ResolvedRegressorParams>;

  constructor(params: MlpRegressorParams = {}) {
    this.params = resolveRegressorParams(params);
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
    const { mean, scale } = this.params.scaleTarget ? targetScaling(yy) : { mean: 0, scale: 1 };
    const z = scale === 1 && mean === 0 ? yy : yy.map((v) => (v - mean) / scale);
    const fitOpts: FitOptions = opts.validation
      ? {
          ...opts,
          validation: {
            X: opts.validation.X,
            y: Float64Array.from(opts.validation.y, (v) => (v - mean) / scale),
          },
        }
      : opts;
    // R² is unchanged by the affine map, so early stopping scores the same on either scale.
    const result = trainMlp(net, X, z, z, this.params, r2, fitOpts, rng);
    return new FittedMLPRegressor(
      this.params,
      X.columns,
      net,
      result.lossCurve,
      result.validationScores,
      result.nIter,
      {
        mean,
        scale,
      },
    );
  }
}

/** The target's mean and standard deviation (1 when it is constant). */
function targetScaling(y: Float64Array): { mean: number; scale: number } {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= y.length;
  let ss = 0;
  for (let i = 0; i < y.length; i++) ss += (y[i] - mean) ** 2;
  const sd = Math.sqrt(ss / y.length);
  return { mean, scale: sd > 0 && Number.isFinite(sd) ? sd : 1 };
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
  readonly params: Readonly<ResolvedRegressorParams>;
  readonly columns: readonly string[];
  /** How the target was standardized for training (mean 0, scale 1: it was not); predict maps back. */
  readonly target: Readonly<{ mean: number; scale: number }>;
  /** Training loss per epoch, on the standardized target when `scaleTarget`. */
  readonly lossCurve: readonly number[];
  /** Validation R² per epoch (early stopping only). */
  readonly validationScores: readonly number[];
  readonly nIter: number;
  readonly #net: MlpNetwork;

  /** @internal */
  constructor(
    params: Readonly<ResolvedRegressorParams>,
    columns: readonly string[],
    net: MlpNetwork,
    lossCurve: readonly number[],
    validationScores: readonly number[],
    nIter: number,
    target: { mean: number; scale: number },
  ) {
    this.params = params;
    this.target = Object.freeze({ ...target });
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
    const out = predictNetwork(this.#net, X);
    const { mean, scale } = this.target;
    if (mean !== 0 || scale !== 1) for (let i = 0; i < out.length; i++) out[i] = out[i] * scale + mean;
    return out;
  }

  /** The network's layers (a copy); outputScale/outputShift undo the target's standardization. */
  layers(): MlpLayers {
    return layersOf(this.#net, this.target.scale, this.target.mean);
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 2,
      params: { ...this.params },
      columns: [...this.columns],
      sizes: [...this.#net.sizes],
      weights: encodeArray(this.#net.weights),
      lossCurve: [...this.lossCurve],
      validationScores: [...this.validationScores],
      nIter: this.nIter,
      target: { ...this.target },
    };
  }

  static fromJSON(json: Serialized): FittedMLPRegressor {
    expectKind(json, KIND, 2);
    // Version 1 predates target scaling: its network predicts the target itself.
    const target = json.version >= 2 ? (json.target as { mean: number; scale: number }) : { mean: 0, scale: 1 };
    const params = resolveRegressorParams({
      ...(json.params as MlpRegressorParams),
      scaleTarget: json.version >= 2 ? (json.params as MlpRegressorParams).scaleTarget : false,
    });
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
      target,
    );
  }
}

registerLoader(KIND, FittedMLPRegressor.fromJSON);
