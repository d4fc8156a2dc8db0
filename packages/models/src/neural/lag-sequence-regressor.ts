import {
  checkPredictColumns,
  checkXy,
  ConfigError,
  expectKind,
  InputError,
  registerLoader,
  type Estimator,
  type FitOptions,
  type Matrix,
  type Regressor,
  type Serialized,
} from '@campaign-ml/core';
import type { RecurrentCell } from './recurrent-network';
import {
  FittedRecurrentRegressor,
  GruRegressor,
  LstmRegressor,
  type RecurrentRegressorParams,
} from './recurrent-regressor';
import { createSequences, type Sequences } from './sequences';

const KIND = 'models/LagSequenceRegressor';
const NAME = 'LagSequenceRegressor';

export interface LagSequenceRegressorParams extends RecurrentRegressorParams {
  /** 'lstm' (default) or 'gru'. */
  cell?: RecurrentCell;
  /**
   * The Matrix columns of each time step, oldest step first, one column per feature in the same
   * feature order every step: e.g. `[['views_lag_2', 'likes_lag_2'], ['views_lag_1', 'likes_lag_1'], ['views', 'likes']]`.
   */
  steps: readonly (readonly string[])[];
  /** Feature names of a step (default: the last step's column names). */
  featureNames?: readonly string[];
  /** Map every input through sign(x)·log1p(|x|) before standardizing (counts spanning decades). Default false. */
  logInputs?: boolean;
}

type Resolved = Readonly<
  Omit<LagSequenceRegressorParams, 'steps' | 'featureNames' | 'cell' | 'logInputs'> & {
    cell: RecurrentCell;
    steps: readonly (readonly string[])[];
    featureNames: readonly string[];
    logInputs: boolean;
  }
>;

function resolve(p: LagSequenceRegressorParams): Resolved {
  const steps = p?.steps;
  if (!Array.isArray(steps) || steps.length === 0 || !Array.isArray(steps[0]) || steps[0].length === 0) {
    throw new ConfigError('INVALID_PARAM', `${NAME}: steps must list the columns of each time step, oldest first`, {
      column: 'steps',
      value: steps,
      expected: "e.g. [['x_lag_1', 'y_lag_1'], ['x', 'y']]",
    });
  }
  const F = steps[0].length;
  steps.forEach((s, t) => {
    if (!Array.isArray(s) || s.length !== F)
      throw new ConfigError('INVALID_PARAM', `${NAME}: step ${t} names ${s?.length} columns, step 0 names ${F}`, {
        column: 'steps',
        value: s,
        expected: `${F} column names`,
      });
  });
  const cell = p.cell ?? 'lstm';
  if (cell !== 'lstm' && cell !== 'gru')
    throw new ConfigError('INVALID_PARAM', `${NAME}: cell must be "lstm" or "gru", got ${JSON.stringify(cell)}`, {
      column: 'cell',
      value: cell,
      expected: 'one of: lstm, gru',
    });
  const featureNames = p.featureNames ?? steps[steps.length - 1];
  if (featureNames.length !== F)
    throw new ConfigError('INVALID_PARAM', `${NAME}: ${featureNames.length} feature names for ${F} features`, {
      column: 'featureNames',
      value: featureNames,
    });
  const { steps: _s, featureNames: _f, cell: _c, logInputs: _l, ...rest } = p;
  return Object.freeze({
    ...rest,
    cell,
    steps: Object.freeze(steps.map((s) => Object.freeze([...s]))),
    featureNames: Object.freeze([...featureNames]),
    logInputs: p.logInputs ?? false,
  });
}

/** How the inputs are scaled: optional signed log1p, then (v − mean) / scale per feature. */
interface InputScaling {
  mean: number[];
  scale: number[];
}

const signedLog1p = (v: number): number => (v < 0 ? -Math.log1p(-v) : Math.log1p(v));

/** Positions of the step columns in X (every one must exist). */
function stepIndex(columns: readonly string[], steps: readonly (readonly string[])[]): number[][] {
  const index = new Map<string, number>();
  columns.forEach((c, i) => {
    if (!index.has(c)) index.set(c, i);
  });
  return steps.map((names, t) =>
    names.map((name) => {
      const c = index.get(name);
      if (c === undefined)
        throw new InputError('UNKNOWN_COLUMN', `${NAME}: column "${name}" (step ${t}) is not in X`, {
          column: name,
          expected: 'the lag columns named in steps',
        });
      return c;
    }),
  );
}

/**
 * Sequences from the lag columns: per row, the steps from its oldest observed one (any feature
 * present) to the newest, left-aligned with that many valid steps (a profile with a short history
 * gives a short sequence, not a zero-padded one); missing values inside them become the feature's
 * mean (0 after scaling). A row with nothing observed is one step of means.
 */
function toSequences(X: Matrix, idx: number[][], s: InputScaling, log: boolean, names: readonly string[]): Sequences {
  const n = X.rows;
  const T = idx.length;
  const F = idx[0].length;
  const data = new Float64Array(n * T * F);
  const lengths = new Int32Array(n);
  const value = (r: number, t: number, f: number): number => {
    const v = X.data[idx[t][f] * n + r];
    return log ? signedLog1p(v) : v;
  };
  for (let r = 0; r < n; r++) {
    let first = T - 1;
    for (let t = 0; t < T; t++) {
      let any = false;
      for (let f = 0; f < F && !any; f++) any = !Number.isNaN(X.data[idx[t][f] * n + r]);
      if (any) {
        first = t;
        break;
      }
    }
    lengths[r] = T - first;
    for (let t = first; t < T; t++) {
      const o = (r * T + (t - first)) * F;
      for (let f = 0; f < F; f++) {
        const v = value(r, t, f);
        if (Number.isNaN(v)) continue;
        if (!Number.isFinite(v)) {
          throw new InputError(
            'MISSING_VALUE',
            `${NAME}: column "${X.columns[idx[t][f]]}" is ${v} at row ${r}; inputs must be finite (or missing)`,
            { row: r, column: X.columns[idx[t][f]], value: v, expected: 'a finite number or NaN' },
          );
        }
        data[o + f] = (v - s.mean[f]) / s.scale[f];
      }
    }
  }
  return createSequences(n, T, F, data, { lengths, featureNames: names });
}

/**
 * An LSTM or GRU regressor on the lag columns of an ordinary feature Matrix: `steps` says which
 * columns form each time step (e.g. a forecast's weekly lags 4..1 and the current week), so it is
 * an Estimator like any other (fit/predict on Matrix, servable in a bundle, wrappable in a
 * TransformedTargetRegressor). Inputs are scaled per feature (after an optional signed log1p);
 * missing lags before a row's history starts shorten its sequence (masking), other gaps take the
 * feature's mean.
 *
 * ```ts
 * const steps = [4, 3, 2, 1].map((k) => [`views_lag_${k}`, `likes_lag_${k}`]).concat([['views', 'likes']]);
 * const model = new LagSequenceRegressor({ cell: 'gru', steps, logInputs: true, seed: 1 }).fit(X, y);
 * ```
 */
export class LagSequenceRegressor implements Estimator<FittedLagSequenceRegressor, LagSequenceRegressorParams> {
  readonly params: Resolved;

  constructor(params: LagSequenceRegressorParams) {
    this.params = resolve(params);
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedLagSequenceRegressor {
    const yy = checkXy(X, y);
    if (opts.sampleWeight)
      throw new ConfigError('UNSUPPORTED_OPTION', `${NAME} does not support sampleWeight; resample the rows instead`, {
        column: 'sampleWeight',
      });
    const p = this.params;
    const idx = stepIndex(X.columns, p.steps);
    const F = idx[0].length;
    const mean = new Array<number>(F).fill(0);
    const scale = new Array<number>(F).fill(1);
    for (let f = 0; f < F; f++) {
      let s = 0;
      let ss = 0;
      let c = 0;
      for (const step of idx) {
        const off = step[f] * X.rows;
        for (let r = 0; r < X.rows; r++) {
          const raw = X.data[off + r];
          if (!Number.isFinite(raw)) continue;
          const v = p.logInputs ? signedLog1p(raw) : raw;
          s += v;
          ss += v * v;
          c++;
        }
      }
      if (c > 0) {
        mean[f] = s / c;
        const sd = Math.sqrt(Math.max(0, ss / c - mean[f] * mean[f]));
        scale[f] = sd > 1e-12 ? sd : 1;
      }
    }
    const scaling = { mean, scale };
    const seq = toSequences(X, idx, scaling, p.logInputs, p.featureNames);
    const { cell, steps: _s, featureNames: _f, logInputs: _l, ...rnn } = p;
    const Model = cell === 'gru' ? GruRegressor : LstmRegressor;
    const validation = opts.validation && {
      X: toSequences(
        opts.validation.X,
        stepIndex(opts.validation.X.columns, p.steps),
        scaling,
        p.logInputs,
        p.featureNames,
      ),
      y: opts.validation.y,
    };
    const inner = new Model(rnn).fit(seq, yy, { onProgress: opts.onProgress, signal: opts.signal, validation });
    return new FittedLagSequenceRegressor(p, X.columns, scaling, inner);
  }
}

export class FittedLagSequenceRegressor implements Regressor {
  readonly params: Resolved;
  readonly columns: readonly string[];
  /** Per feature: mean and scale of the (log1p'd) inputs. */
  readonly inputScaling: Readonly<InputScaling>;
  readonly inner: FittedRecurrentRegressor;
  readonly #index: number[][];

  /** @internal */
  constructor(params: Resolved, columns: readonly string[], scaling: InputScaling, inner: FittedRecurrentRegressor) {
    this.params = params;
    this.columns = Object.freeze([...columns]);
    this.inputScaling = Object.freeze({ mean: [...scaling.mean], scale: [...scaling.scale] });
    this.inner = inner;
    this.#index = stepIndex(columns, params.steps);
    Object.freeze(this);
  }

  predict(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    const seq = toSequences(X, this.#index, this.inputScaling, this.params.logInputs, this.params.featureNames);
    return this.inner.predict(seq);
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      params: {
        ...this.params,
        steps: this.params.steps.map((s) => [...s]),
        featureNames: [...this.params.featureNames],
      },
      columns: [...this.columns],
      inputScaling: { mean: [...this.inputScaling.mean], scale: [...this.inputScaling.scale] },
      inner: this.inner.toJSON(),
    };
  }

  static fromJSON(json: Serialized): FittedLagSequenceRegressor {
    expectKind(json, KIND, 1);
    return new FittedLagSequenceRegressor(
      resolve(json.params as LagSequenceRegressorParams),
      json.columns as string[],
      json.inputScaling as InputScaling,
      FittedRecurrentRegressor.fromJSON(json.inner as Serialized),
    );
  }
}

registerLoader(KIND, FittedLagSequenceRegressor.fromJSON);
