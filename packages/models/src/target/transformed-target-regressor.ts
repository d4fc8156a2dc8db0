import {
  checkPredictColumns,
  checkXy,
  ConfigError,
  expectKind,
  InputError,
  load,
  registerLoader,
  type Estimator,
  type FitOptions,
  type Matrix,
  type Regressor,
  type Serialized,
} from '@campaign-ml/core';

export type TargetTransform = 'log1p' | 'identity';

export interface TransformedTargetRegressorParams {
  /** The regressor fitted on the transformed target. */
  estimator: Estimator<Regressor>;
  /** 'log1p' (default; counts >= 0, skewed) or 'identity'. */
  transform?: TargetTransform;
  /**
   * Per-row scaling: the model learns `T(y) - T(offset)`, where offset is the first of these input
   * columns present in the row (e.g. a profile's recent mean or last value); with log1p that is
   * the log ratio to the profile's own level, so one model serves small and large profiles. Rows
   * where every one is missing (or, under log1p, negative) use the training mean of T(y).
   */
  offsetColumns?: readonly string[];
  /**
   * Under log1p, multiply back by Duan's smearing factor (mean of exp(training residuals)) so the
   * prediction estimates the mean, not the median. Default true.
   */
  smearing?: boolean;
}

type Resolved = Readonly<Required<Omit<TransformedTargetRegressorParams, 'estimator'>>>;

const KIND = 'models/TransformedTargetRegressor';
const OWNER = 'TransformedTargetRegressor';

/**
 * A regressor fitted on a transformed, per-row scaled target (scikit-learn's
 * TransformedTargetRegressor plus an offset column): `fit` learns g(X) ≈ T(y) - T(offset(X)),
 * `predict` returns T⁻¹(g(X) + T(offset(X))). For engagement counts: log1p and the profile's
 * rolling mean as offset.
 *
 * ```ts
 * const m = new TransformedTargetRegressor({
 *   estimator: new GradientBoostingRegressor({ nEstimators: 200 }),
 *   transform: 'log1p',
 *   offsetColumns: ['engagement_mean_4', 'engagement_last'],
 * }).fit(X, y);
 * ```
 */
export class TransformedTargetRegressor implements Estimator<FittedTransformedTargetRegressor> {
  readonly params: Readonly<TransformedTargetRegressorParams> & Resolved;

  constructor(params: TransformedTargetRegressorParams) {
    if (!params?.estimator || typeof params.estimator.fit !== 'function') {
      throw new ConfigError('INVALID_PARAM', `${OWNER}: estimator must be an unfitted regressor`, {
        column: 'estimator',
        expected: 'an estimator with fit()',
      });
    }
    this.params = Object.freeze({ ...params, ...resolve(params) });
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedTransformedTargetRegressor {
    const yy = checkXy(X, y);
    const p = this.params;
    if (p.transform === 'log1p') {
      for (let i = 0; i < yy.length; i++) {
        if (!(yy[i] >= 0)) {
          throw new InputError(
            'INVALID_TARGET',
            `${OWNER}: log1p needs a target >= 0, found ${yy[i]} at row ${i + 1}`,
            {
              row: i + 1,
              value: yy[i],
              expected: 'a count >= 0 (or transform: "identity")',
            },
          );
        }
      }
    }
    const index = offsetIndex(X.columns, p.offsetColumns);
    let mean = 0;
    for (let i = 0; i < yy.length; i++) mean += forward(p.transform, yy[i]);
    mean = yy.length ? mean / yy.length : 0;
    const offset = offsets(X, index, p.transform, mean);
    const z = new Float64Array(yy.length);
    for (let i = 0; i < z.length; i++) z[i] = forward(p.transform, yy[i]) - offset[i];
    const validation = opts.validation && {
      X: opts.validation.X,
      y: (() => {
        const vy = checkXy(opts.validation.X, opts.validation.y);
        const vo = offsets(
          opts.validation.X,
          offsetIndex(opts.validation.X.columns, p.offsetColumns),
          p.transform,
          mean,
        );
        return Float64Array.from(vy, (v, i) => forward(p.transform, Math.max(v, 0)) - vo[i]);
      })(),
    };
    const inner = p.estimator.fit(X, z, { ...opts, validation });
    let smear = 1;
    if (p.transform === 'log1p' && p.smearing) {
      const g = inner.predict(X);
      let s = 0;
      for (let i = 0; i < z.length; i++) s += Math.exp(z[i] - g[i]);
      smear = z.length ? s / z.length : 1;
    }
    const { estimator: _e, ...rest } = p;
    return new FittedTransformedTargetRegressor(rest, X.columns, inner, index, mean, smear);
  }
}

export class FittedTransformedTargetRegressor implements Regressor {
  readonly params: Resolved;
  readonly columns: readonly string[];
  readonly inner: Regressor;
  /** Positions of `params.offsetColumns` in `columns`. */
  readonly index: readonly number[];
  /** The offset of rows where no offset column is present: the training mean of T(y). */
  readonly offsetFallback: number;
  /** Duan's smearing factor (1 when off or identity). */
  readonly smear: number;

  /** @internal */
  constructor(
    params: Resolved,
    columns: readonly string[],
    inner: Regressor,
    index: number[],
    offsetFallback: number,
    smear: number,
  ) {
    this.params = Object.freeze({ ...params, offsetColumns: Object.freeze([...params.offsetColumns]) });
    this.columns = Object.freeze([...columns]);
    this.inner = inner;
    this.index = Object.freeze([...index]);
    this.offsetFallback = offsetFallback;
    this.smear = smear;
    Object.freeze(this);
  }

  predict(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    const g = this.inner.predict(X);
    const o = offsets(X, this.index, this.params.transform, this.offsetFallback);
    const out = new Float64Array(X.rows);
    if (this.params.transform === 'log1p') {
      for (let r = 0; r < out.length; r++) out[r] = Math.exp(g[r] + o[r]) * this.smear - 1;
    } else for (let r = 0; r < out.length; r++) out[r] = g[r] + o[r];
    return out;
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.params, offsetColumns: [...this.params.offsetColumns] },
      columns: [...this.columns],
      inner: this.inner.toJSON(),
      offsetFallback: this.offsetFallback,
      smear: this.smear,
    };
  }

  static fromJSON(json: Serialized): FittedTransformedTargetRegressor {
    expectKind(json, KIND, 1);
    const params = resolve(json.params as TransformedTargetRegressorParams);
    const columns = json.columns as string[];
    return new FittedTransformedTargetRegressor(
      params,
      columns,
      load<Regressor>(json.inner as Serialized),
      offsetIndex(columns, params.offsetColumns),
      json.offsetFallback as number,
      json.smear as number,
    );
  }
}

function resolve(p: Omit<TransformedTargetRegressorParams, 'estimator'>): Resolved {
  const transform = p.transform ?? 'log1p';
  if (transform !== 'log1p' && transform !== 'identity') {
    throw new ConfigError(
      'INVALID_PARAM',
      `${OWNER}: transform must be "log1p" or "identity", got ${String(transform)}`,
      {
        column: 'transform',
        value: transform,
        expected: '"log1p" or "identity"',
      },
    );
  }
  const offsetColumns = p.offsetColumns ?? [];
  if (!Array.isArray(offsetColumns) || offsetColumns.some((c) => typeof c !== 'string' || c === '')) {
    throw new ConfigError('INVALID_PARAM', `${OWNER}: offsetColumns must be a list of column names`, {
      column: 'offsetColumns',
      value: offsetColumns,
    });
  }
  return { transform, offsetColumns: [...offsetColumns], smearing: p.smearing ?? true };
}

function offsetIndex(columns: readonly string[], names: readonly string[]): number[] {
  return names.map((c) => {
    const j = columns.indexOf(c);
    if (j < 0) {
      throw new InputError('MISSING_COLUMN', `${OWNER}: X has no offset column "${c}"`, {
        column: c,
        expected: 'an input column of X',
      });
    }
    return j;
  });
}

function forward(t: TargetTransform, v: number): number {
  return t === 'log1p' ? Math.log1p(v) : v;
}

/** T(offset) per row: the first present (and, under log1p, non-negative) offset column, else `fallback`. */
function offsets(X: Matrix, index: readonly number[], t: TargetTransform, fallback: number): Float64Array {
  const n = X.rows;
  const out = new Float64Array(n).fill(NaN);
  const d = X.data;
  for (const j of index) {
    const base = j * n;
    for (let r = 0; r < n; r++) {
      if (out[r] === out[r]) continue;
      const v = d[base + r];
      if (v === v && (t === 'identity' || v >= 0)) out[r] = forward(t, v);
    }
  }
  for (let r = 0; r < n; r++) if (out[r] !== out[r]) out[r] = fallback;
  return out;
}

registerLoader(KIND, FittedTransformedTargetRegressor.fromJSON);
