import {
  ConfigError,
  createRng,
  decodeArray,
  encodeArray,
  expectKind,
  InputError,
  registerLoader,
  type EncodedArray,
  type Matrix,
  type RunOptions,
  type Serializable,
  type Serialized,
} from '@campaign-ml/core';
import { checkInteger, checkNumber } from '../linear/param-checks';
import { predictSequences, RecurrentNetwork, type RecurrentCell } from './recurrent-network';
import { checkSequenceFeatures, checkSequenceValues, type Sequences } from './sequences';
import { trainRecurrent } from './train-recurrent';

export interface RecurrentRegressorParams {
  /** Units per recurrent layer, bottom to top. Default [32]. */
  hiddenSizes?: readonly number[];
  /** Dropout rate on every recurrent layer's output (between layers and before the head), 0..0.9. Default 0. */
  dropout?: number;
  /** Sequences per mini-batch. Default 32. */
  batchSize?: number;
  /** Adam step size. Default 5e-3. */
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Maximum epochs. Default 100. */
  maxEpochs?: number;
  /** Improvement below tol counts as none. Default 1e-4. */
  tol?: number;
  /** Hold out validationFraction of the rows (or use fit's `validation`), stop when its loss stalls and keep the best epoch's weights. Default true. */
  earlyStopping?: boolean;
  validationFraction?: number;
  /** Epochs without improvement before stopping. Default 10. */
  nIterNoChange?: number;
  /** Rescale the gradient to this L2 norm when it is larger (exploding gradients through time); 0 = off. Default 5. */
  clipNorm?: number;
  /** Standardize every output for training and map predictions back. Default true. */
  scaleTarget?: boolean;
  /** Seed for initialization, shuffling, dropout and the validation split. Default 0. */
  seed?: number;
}

type Resolved = Required<Omit<RecurrentRegressorParams, 'hiddenSizes'>> & { hiddenSizes: readonly number[] };

/** fit's options: progress and abort, and held-out sequences for early stopping. */
export interface SequenceFitOptions extends RunOptions {
  validation?: { X: Sequences; y: ArrayLike<number> | Matrix };
}

/**
 * The estimator contract of core (parameters only; fit returns a new immutable fitted model), for
 * sequence input: X is Sequences (rows x steps x features, ragged by lengths), y one value per row
 * (ArrayLike) or one per row and output (a Matrix: rows x outputs, e.g. one column per horizon).
 */
export interface SequenceEstimator<F, P extends object = object> {
  readonly params: Readonly<P>;
  fit(X: Sequences, y: ArrayLike<number> | Matrix, opts?: SequenceFitOptions): F;
}

function resolve(owner: string, p: RecurrentRegressorParams): Readonly<Resolved> {
  const hidden = p.hiddenSizes ?? [32];
  if (!Array.isArray(hidden) || hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1)) {
    throw new ConfigError(
      'INVALID_PARAM',
      `${owner}: hiddenSizes must be a non-empty list of positive integers, got ${JSON.stringify(hidden)}`,
      { column: 'hiddenSizes', value: hidden, expected: 'e.g. [32] or [64, 32]' },
    );
  }
  for (const name of ['earlyStopping', 'scaleTarget'] as const) {
    const v = p[name];
    if (v !== undefined && typeof v !== 'boolean')
      throw new ConfigError('INVALID_PARAM', `${owner}: ${name} must be true or false`, {
        column: name,
        value: v,
        expected: 'a boolean',
      });
  }
  return Object.freeze({
    hiddenSizes: Object.freeze([...hidden]),
    dropout: checkNumber(owner, 'dropout', p.dropout ?? 0, 0, 0.9),
    batchSize: checkInteger(owner, 'batchSize', p.batchSize ?? 32, 1),
    learningRate: checkNumber(owner, 'learningRate', p.learningRate ?? 5e-3, 0, Infinity, false),
    beta1: checkNumber(owner, 'beta1', p.beta1 ?? 0.9, 0, 0.999999),
    beta2: checkNumber(owner, 'beta2', p.beta2 ?? 0.999, 0, 0.999999),
    epsilon: checkNumber(owner, 'epsilon', p.epsilon ?? 1e-8, 0, Infinity, false),
    maxEpochs: checkInteger(owner, 'maxEpochs', p.maxEpochs ?? 100, 1),
    tol: checkNumber(owner, 'tol', p.tol ?? 1e-4, 0, Infinity),
    earlyStopping: p.earlyStopping ?? true,
    validationFraction: checkNumber(owner, 'validationFraction', p.validationFraction ?? 0.1, 0, 0.9, false),
    nIterNoChange: checkInteger(owner, 'nIterNoChange', p.nIterNoChange ?? 10, 1),
    clipNorm: checkNumber(owner, 'clipNorm', p.clipNorm ?? 5, 0, Infinity),
    scaleTarget: p.scaleTarget ?? true,
    seed: checkInteger(owner, 'seed', p.seed ?? 0, 0),
  });
}

const NAMES: Record<RecurrentCell, string> = { lstm: 'LstmRegressor', gru: 'GruRegressor' };
const KINDS: Record<RecurrentCell, string> = { lstm: 'models/LstmRegressor', gru: 'models/GruRegressor' };

function isMatrix(y: ArrayLike<number> | Matrix): y is Matrix {
  return typeof (y as Matrix).cols === 'number' && (y as Matrix).data instanceof Float64Array;
}

/** Targets as rows x outputs row-major, with output names; every value finite. */
function checkTargets(
  y: ArrayLike<number> | Matrix,
  rows: number,
  owner: string,
): { t: Float64Array; names: string[] } {
  const m = isMatrix(y);
  const n = m ? y.rows : y.length;
  const K = m ? y.cols : 1;
  const names = m ? [...y.columns] : ['y'];
  if (n !== rows) {
    throw new InputError('LENGTH_MISMATCH', `${owner}: X has ${rows} sequences but y has ${n} rows; they must match`, {
      value: n,
      expected: `${rows} rows`,
    });
  }
  if (K < 1) throw new InputError('EMPTY_INPUT', `${owner}: y has no output columns`);
  const t = new Float64Array(n * K);
  for (let j = 0; j < K; j++) {
    for (let r = 0; r < n; r++) {
      const v = m ? y.data[j * n + r] : (y as ArrayLike<number>)[r];
      if (!Number.isFinite(v)) {
        throw new InputError(
          'INVALID_LABEL',
          `${owner}: target "${names[j]}" at row ${r} is ${v}; targets must be finite numbers (drop that row)`,
          { row: r, column: names[j], value: v, expected: 'a finite number' },
        );
      }
      t[r * K + j] = v;
    }
  }
  return { t, names };
}

function checkSequences(X: Sequences, owner: string, fitting = true): void {
  if (!X || !(X.data instanceof Float64Array) || X.data.length !== X.rows * X.steps * X.features) {
    throw new InputError(
      'SEQUENCE_SHAPE',
      `${owner} expects Sequences (rows x steps x features, row-major; build them with createSequences), got data of ${X?.data?.length} values for ${X?.rows} x ${X?.steps} x ${X?.features}`,
      { expected: 'Sequences from createSequences / sequencesFromArrays / sequencesFromMatrix' },
    );
  }
  if (fitting && X.rows === 0) throw new InputError('EMPTY_INPUT', `${owner}: cannot fit on zero sequences`);
  checkSequenceValues(X, owner);
}

/** Per output: mean and standard deviation (1 when constant or when scaling is off). */
function targetScaling(t: Float64Array, K: number, on: boolean): { mean: number[]; scale: number[] } {
  const n = t.length / K;
  const mean = new Array<number>(K).fill(0);
  const scale = new Array<number>(K).fill(1);
  if (!on) return { mean, scale };
  for (let j = 0; j < K; j++) {
    let s = 0;
    for (let r = 0; r < n; r++) s += t[r * K + j];
    const m = s / n;
    let ss = 0;
    for (let r = 0; r < n; r++) ss += (t[r * K + j] - m) ** 2;
    const sd = Math.sqrt(ss / n);
    mean[j] = m;
    scale[j] = sd > 0 && Number.isFinite(sd) ? sd : 1;
  }
  return { mean, scale };
}

function scaled(t: Float64Array, K: number, s: { mean: number[]; scale: number[] }): Float64Array {
  return t.map((v, i) => (v - s.mean[i % K]) / s.scale[i % K]);
}

/** LstmRegressor and GruRegressor: the same estimator around a different cell. */
abstract class RecurrentRegressor implements SequenceEstimator<FittedRecurrentRegressor, RecurrentRegressorParams> {
  readonly params: Readonly<Resolved>;
  abstract readonly cell: RecurrentCell;

  constructor(params: RecurrentRegressorParams, cell: RecurrentCell) {
    this.params = resolve(NAMES[cell], params);
  }

  fit(X: Sequences, y: ArrayLike<number> | Matrix, opts: SequenceFitOptions = {}): FittedRecurrentRegressor {
    const owner = NAMES[this.cell];
    checkSequences(X, owner);
    const { t, names } = checkTargets(y, X.rows, owner);
    const K = names.length;
    let validation: { X: Sequences; target: Float64Array } | undefined;
    const s = targetScaling(t, K, this.params.scaleTarget);
    if (opts.validation) {
      checkSequences(opts.validation.X, owner);
      checkSequenceFeatures(opts.validation.X, X.featureNames, owner);
      const v = checkTargets(opts.validation.y, opts.validation.X.rows, owner);
      if (v.names.length !== K) {
        throw new InputError('COLUMN_MISMATCH', `${owner}: validation y has ${v.names.length} outputs, y has ${K}`, {
          value: v.names.length,
          expected: `${K} outputs`,
        });
      }
      validation = { X: opts.validation.X, target: scaled(v.t, K, s) };
    }
    const rng = createRng(this.params.seed);
    const net = new RecurrentNetwork(this.cell, [X.features, ...this.params.hiddenSizes], K);
    net.initialize(rng.fork());
    const result = trainRecurrent(net, X, scaled(t, K, s), this.params, rng.fork(), validation, opts);
    return new FittedRecurrentRegressor(this.params, net, X.featureNames, names, s, result);
  }
}

/**
 * A regressor on sequences with LSTM layers: backpropagation through time, Adam, dropout between
 * layers, gradient clipping, early stopping on a validation split, ragged sequences by length.
 * One output per column of y (e.g. per forecast horizon), from the top layer's last valid state.
 * Scale the features first (the target is standardized here; LagSequenceRegressor scales both).
 *
 * ```ts
 * const X = createSequences(rows, 12, 3, weeklyFeatures, { lengths, featureNames: ['views', 'likes', 'posts'] });
 * const model = new LstmRegressor({ hiddenSizes: [32], dropout: 0.1, seed: 1 }).fit(X, Y); // Y: rows x horizons
 * model.predict(Xnew); // rows x horizons, row-major
 * ```
 */
export class LstmRegressor extends RecurrentRegressor {
  readonly cell = 'lstm' as const;
  constructor(params: RecurrentRegressorParams = {}) {
    super(params, 'lstm');
  }
}

/** As LstmRegressor, with GRU layers (three gates instead of four: fewer weights, often as good). */
export class GruRegressor extends RecurrentRegressor {
  readonly cell = 'gru' as const;
  constructor(params: RecurrentRegressorParams = {}) {
    super(params, 'gru');
  }
}

export class FittedRecurrentRegressor implements Serializable {
  readonly cell: RecurrentCell;
  readonly params: Readonly<Resolved>;
  /** Features per step the model reads, by name. */
  readonly featureNames: readonly string[];
  /** Output names (y's columns; ['y'] for a single vector). */
  readonly outputs: readonly string[];
  /** Per output: how the target was standardized for training; predict maps back. */
  readonly target: Readonly<{ mean: readonly number[]; scale: readonly number[] }>;
  /** Training loss per epoch (standardized targets, with dropout). */
  readonly lossCurve: readonly number[];
  /** Validation loss per epoch (early stopping only). */
  readonly validationLoss: readonly number[];
  readonly nIter: number;
  readonly #net: RecurrentNetwork;

  /** @internal */
  constructor(
    params: Readonly<Resolved>,
    net: RecurrentNetwork,
    featureNames: readonly string[],
    outputs: readonly string[],
    target: { mean: number[]; scale: number[] },
    result: { lossCurve: readonly number[]; validationLoss: readonly number[]; nIter: number },
  ) {
    this.cell = net.cell;
    this.params = params;
    this.#net = net;
    this.featureNames = Object.freeze([...featureNames]);
    this.outputs = Object.freeze([...outputs]);
    this.target = Object.freeze({ mean: Object.freeze([...target.mean]), scale: Object.freeze([...target.scale]) });
    this.lossCurve = Object.freeze([...result.lossCurve]);
    this.validationLoss = Object.freeze([...result.validationLoss]);
    this.nIter = result.nIter;
    Object.freeze(this);
  }

  /** Predictions, rows x outputs row-major (one value per row when y was a vector). Any number of steps. */
  predict(X: Sequences): Float64Array {
    const owner = NAMES[this.cell];
    checkSequences(X, owner, false);
    checkSequenceFeatures(X, this.featureNames, owner);
    const out = predictSequences(this.#net, X);
    const K = this.outputs.length;
    const { mean, scale } = this.target;
    for (let i = 0; i < out.length; i++) out[i] = out[i] * scale[i % K] + mean[i % K];
    return out;
  }

  toJSON(): Serialized {
    return {
      kind: KINDS[this.cell],
      version: 1,
      params: { ...this.params, hiddenSizes: [...this.params.hiddenSizes] },
      featureNames: [...this.featureNames],
      outputs: [...this.outputs],
      sizes: [...this.#net.sizes],
      weights: encodeArray(this.#net.weights),
      target: { mean: [...this.target.mean], scale: [...this.target.scale] },
      lossCurve: [...this.lossCurve],
      validationLoss: [...this.validationLoss],
      nIter: this.nIter,
    };
  }

  static fromJSON(json: Serialized): FittedRecurrentRegressor {
    const cell: RecurrentCell = json.kind === KINDS.gru ? 'gru' : 'lstm';
    expectKind(json, KINDS[cell], 1);
    const params = resolve(NAMES[cell], json.params as RecurrentRegressorParams);
    const outputs = json.outputs as string[];
    const net = new RecurrentNetwork(
      cell,
      json.sizes as number[],
      outputs.length,
      decodeArray<Float64Array>(json.weights as EncodedArray, 'weights'),
    );
    return new FittedRecurrentRegressor(
      params,
      net,
      json.featureNames as string[],
      outputs,
      json.target as { mean: number[]; scale: number[] },
      {
        lossCurve: json.lossCurve as number[],
        validationLoss: json.validationLoss as number[],
        nIter: json.nIter as number,
      },
    );
  }
}

registerLoader(KINDS.lstm, FittedRecurrentRegressor.fromJSON);
registerLoader(KINDS.gru, FittedRecurrentRegressor.fromJSON);
