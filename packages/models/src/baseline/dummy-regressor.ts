import {
  checkPredictColumns,
  checkSampleWeight,
  checkXy,
  ConfigError,
  expectKind,
  registerLoader,
  type Estimator,
  type FitOptions,
  type Matrix,
  type Regressor,
  type Serialized,
} from '@campaign-ml/core';
import { checkNumber, checkOneOf } from '../linear/param-checks';

export type DummyRegressorStrategy = 'mean' | 'median' | 'quantile' | 'constant';

export interface DummyRegressorParams {
  /** 'mean' (default), 'median', 'quantile' (of `quantile`) or 'constant' (of `constant`). */
  strategy?: DummyRegressorStrategy;
  /** Quantile in [0, 1] for strategy 'quantile'. */
  quantile?: number;
  /** Value predicted by strategy 'constant'. */
  constant?: number;
}

const KIND = 'models/DummyRegressor';
const STRATEGIES: readonly DummyRegressorStrategy[] = ['mean', 'median', 'quantile', 'constant'];

/**
 * A baseline regressor that predicts one number learned from y alone.
 *
 * ```ts
 * const base = new DummyRegressor({ strategy: 'median' }).fit(X, y);
 * ```
 */
export class DummyRegressor implements Estimator<FittedDummyRegressor, DummyRegressorParams> {
  readonly params: Readonly<DummyRegressorParams & { strategy: DummyRegressorStrategy }>;

  constructor(params: DummyRegressorParams = {}) {
    const strategy = checkOneOf('DummyRegressor', 'strategy', params.strategy ?? 'mean', STRATEGIES);
    if (strategy === 'quantile' && params.quantile === undefined) {
      throw new ConfigError(
        'MISSING_PARAM',
        'DummyRegressor: strategy "quantile" needs quantile (a number in [0, 1])',
        {
          column: 'quantile',
          expected: 'a number in [0, 1]',
        },
      );
    }
    if (strategy === 'constant' && params.constant === undefined) {
      throw new ConfigError(
        'MISSING_PARAM',
        'DummyRegressor: strategy "constant" needs constant (the value to predict)',
        {
          column: 'constant',
          expected: 'a finite number',
        },
      );
    }
    if (params.quantile !== undefined) checkNumber('DummyRegressor', 'quantile', params.quantile, 0, 1);
    if (params.constant !== undefined) checkNumber('DummyRegressor', 'constant', params.constant, -Infinity, Infinity);
    this.params = Object.freeze({ ...params, strategy });
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedDummyRegressor {
    const yy = checkXy(X, y);
    const w = checkSampleWeight(opts.sampleWeight, X.rows);
    const { strategy } = this.params;
    let value: number;
    if (strategy === 'constant') value = this.params.constant!;
    else if (strategy === 'mean') {
      let s = 0;
      let t = 0;
      for (let i = 0; i < yy.length; i++) {
        const wi = w ? w[i] : 1;
        s += wi * yy[i];
        t += wi;
      }
      value = s / t;
    } else value = quantileOf(yy, w, strategy === 'median' ? 0.5 : this.params.quantile!);
    return new FittedDummyRegressor(this.params, X.columns, value);
  }
}

/** Unweighted: linear interpolation (numpy's default). Weighted: the lower weighted percentile. */
function quantileOf(y: Float64Array, w: Float64Array | undefined, q: number): number {
  const order = Array.from(y.keys()).sort((a, b) => y[a] - y[b]);
  if (!w) {
    const pos = q * (y.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, y.length - 1);
    return y[order[lo]] + (pos - lo) * (y[order[hi]] - y[order[lo]]);
  }
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i];
  let cum = 0;
  for (const i of order) {
    cum += w[i];
    if (cum >= q * total) return y[i];
  }
  return y[order[order.length - 1]];
}

export class FittedDummyRegressor implements Regressor {
  readonly params: Readonly<DummyRegressorParams & { strategy: DummyRegressorStrategy }>;
  readonly columns: readonly string[];
  /** The value every prediction takes. */
  readonly value: number;

  /** @internal */
  constructor(params: FittedDummyRegressor['params'], columns: readonly string[], value: number) {
    this.params = params;
    this.columns = Object.freeze([...columns]);
    this.value = value;
    Object.freeze(this);
  }

  predict(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    return new Float64Array(X.rows).fill(this.value);
  }

  toJSON(): Serialized {
    return { kind: KIND, version: 1, params: { ...this.params }, columns: [...this.columns], value: this.value };
  }

  static fromJSON(json: Serialized): FittedDummyRegressor {
    expectKind(json, KIND, 1);
    const params = new DummyRegressor(json.params as DummyRegressorParams).params;
    return new FittedDummyRegressor(params, json.columns as string[], json.value as number);
  }
}

registerLoader(KIND, FittedDummyRegressor.fromJSON);
