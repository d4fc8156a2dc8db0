import {
  checkPredictColumns,
  checkSampleWeight,
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

export interface NaiveRegressorParams {
  /**
   * The input columns whose value is the forecast, in order of preference: a row takes the first
   * that is not missing (e.g. `['engagement_last']` for the naive last value, `['engagement_lag_3',
   * 'engagement_last']` for a seasonal naive that falls back to the last value).
   */
  columns: readonly string[];
}

const KIND = 'models/NaiveRegressor';

/**
 * The naive forecast as a servable model: it predicts the value of an input column (the last
 * observed value, the value a season ago from a lag feature, a rolling mean), the first of
 * `columns` that is present in the row; where every one is missing, the (weighted) training mean.
 * It learns only that mean, so it is the baseline every forecaster must beat, and a bundle can
 * serve it where no model beats it.
 *
 * ```ts
 * const naive = new NaiveRegressor({ columns: ['engagement_last'] }).fit(X, y);
 * naive.predict(Xtest); // = Xtest's engagement_last, the training mean where it is missing
 * ```
 */
export class NaiveRegressor implements Estimator<FittedNaiveRegressor, NaiveRegressorParams> {
  readonly params: Readonly<NaiveRegressorParams>;

  constructor(params: NaiveRegressorParams) {
    const cols = params?.columns;
    if (!Array.isArray(cols) || cols.length === 0 || cols.some((c) => typeof c !== 'string' || c === '')) {
      throw new ConfigError('INVALID_PARAM', 'NaiveRegressor: columns must be a non-empty list of column names', {
        column: 'columns',
        value: cols,
        expected: 'e.g. ["engagement_last"]',
      });
    }
    this.params = Object.freeze({ columns: Object.freeze([...cols]) });
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedNaiveRegressor {
    const yy = checkXy(X, y);
    const w = checkSampleWeight(opts.sampleWeight, X.rows);
    const index = this.params.columns.map((c) => {
      const j = X.columns.indexOf(c);
      if (j < 0) {
        throw new InputError('MISSING_COLUMN', `NaiveRegressor: X has no column "${c}" to forecast from`, {
          column: c,
          expected: `one of ${X.columns.slice(0, 8).join(', ')}${X.cols > 8 ? ', ...' : ''}`,
        });
      }
      return j;
    });
    let s = 0;
    let t = 0;
    for (let i = 0; i < yy.length; i++) {
      const wi = w ? w[i] : 1;
      s += wi * yy[i];
      t += wi;
    }
    return new FittedNaiveRegressor(this.params, X.columns, index, t > 0 ? s / t : 0);
  }
}

export class FittedNaiveRegressor implements Regressor {
  readonly params: Readonly<NaiveRegressorParams>;
  readonly columns: readonly string[];
  /** Positions of `params.columns` in `columns`. */
  readonly index: readonly number[];
  /** The training mean, predicted where every source column is missing. */
  readonly fallback: number;

  /** @internal */
  constructor(params: Readonly<NaiveRegressorParams>, columns: readonly string[], index: number[], fallback: number) {
    this.params = params;
    this.columns = Object.freeze([...columns]);
    this.index = Object.freeze([...index]);
    this.fallback = fallback;
    Object.freeze(this);
  }

  predict(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    const n = X.rows;
    const out = new Float64Array(n).fill(NaN);
    const d = X.data;
    for (const j of this.index) {
      const base = j * n;
      for (let r = 0; r < n; r++) if (out[r] !== out[r]) out[r] = d[base + r];
    }
    for (let r = 0; r < n; r++) if (out[r] !== out[r]) out[r] = this.fallback;
    return out;
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      params: { columns: [...this.params.columns] },
      columns: [...this.columns],
      fallback: this.fallback,
    };
  }

  static fromJSON(json: Serialized): FittedNaiveRegressor {
    expectKind(json, KIND, 1);
    const params = new NaiveRegressor(json.params as NaiveRegressorParams).params;
    const columns = json.columns as string[];
    const index = params.columns.map((c) => columns.indexOf(c));
    if (index.some((j) => j < 0)) {
      throw new InputError('MISSING_COLUMN', 'NaiveRegressor: a source column is not among the fitted columns', {
        column: params.columns[index.findIndex((j) => j < 0)],
      });
    }
    return new FittedNaiveRegressor(params, columns, index, json.fallback as number);
  }
}

registerLoader(KIND, FittedNaiveRegressor.fromJSON);
