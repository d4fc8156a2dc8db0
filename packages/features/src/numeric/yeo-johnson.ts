import type { Serialized } from '@campaign-ml/core';
import { numericColumn } from '../pipeline/table-columns';
import type { Table, TableStep } from '../pipeline/table-step';
import { brentMinimize } from './brent';
import { FittedColumnwise, num, registerColumnwise, unnum } from './numeric-step';

export interface YeoJohnsonOptions {
  /** Standardize the transformed values to mean 0, std 1 (scikit-learn's default). Default true. */
  standardize?: boolean;
}

interface YjState {
  lambda: number;
  mean: number | string;
  std: number | string;
}

const EPS = 2.220446049250313e-16;

/** Yeo-Johnson transform of one value with a given lambda. */
export function yeoJohnson(x: number, lambda: number): number {
  if (x >= 0) return Math.abs(lambda) < EPS ? Math.log1p(x) : (Math.pow(x + 1, lambda) - 1) / lambda;
  return Math.abs(lambda - 2) > EPS ? -(Math.pow(-x + 1, 2 - lambda) - 1) / (2 - lambda) : -Math.log1p(-x);
}

/** The maximum-likelihood lambda (scikit-learn PowerTransformer's, via Brent from the bracket (-2, 2)). */
export function fitYeoJohnsonLambda(values: ArrayLike<number | null>): number {
  const x: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number' && v === v) x.push(v);
  }
  const n = x.length;
  if (n === 0) return 1;
  let logTerm = 0;
  for (const v of x) logTerm += Math.sign(v) * Math.log1p(Math.abs(v));
  const t = new Float64Array(n);
  const negLogLik = (lambda: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += t[i] = yeoJohnson(x[i], lambda);
    const mean = s / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (t[i] - mean) * (t[i] - mean);
    const variance = ss / n;
    if (variance < 2.2250738585072014e-308) return Infinity;
    return -(-(n / 2) * Math.log(variance) + (lambda - 1) * logTerm);
  };
  return brentMinimize(negLogLik, -2, 2);
}

/**
 * Yeo-Johnson power transform with a fitted lambda per column, as scikit-learn's
 * PowerTransformer(method='yeo-johnson'): makes skewed columns (negative values allowed) closer
 * to normal. Names are kept; missing stays missing.
 */
export class YeoJohnsonTransformer implements TableStep<FittedYeoJohnson> {
  readonly input = 'table';
  readonly params: Readonly<Required<YeoJohnsonOptions>>;

  constructor(options: YeoJohnsonOptions = {}) {
    this.params = Object.freeze({ standardize: options.standardize ?? true });
  }

  fit(table: Table): FittedYeoJohnson {
    const cols = table.columnNames();
    const state = cols.map((c): YjState => {
      const x = numericColumn(table, c);
      const lambda = fitYeoJohnsonLambda(x);
      if (!this.params.standardize) return { lambda, mean: 0, std: 1 };
      let n = 0;
      let s = 0;
      for (let i = 0; i < x.length; i++) {
        if (x[i] === x[i]) {
          n++;
          s += yeoJohnson(x[i], lambda);
        }
      }
      const mean = n > 0 ? s / n : 0;
      let ss = 0;
      for (let i = 0; i < x.length; i++) if (x[i] === x[i]) ss += (yeoJohnson(x[i], lambda) - mean) ** 2;
      const std = n > 0 ? Math.sqrt(ss / n) : 1;
      return { lambda, mean, std: std > 0 ? std : 1 };
    });
    return new FittedYeoJohnson(cols, state);
  }
}

const KIND = 'features/YeoJohnsonTransformer';

export class FittedYeoJohnson extends FittedColumnwise<YjState> {
  constructor(columns: readonly string[], state: readonly YjState[]) {
    super(columns, state, columns);
    Object.freeze(this);
  }

  /** Fitted lambda per input column. */
  get lambdas(): number[] {
    return this.state.map((s) => s.lambda);
  }

  protected apply(x: Float64Array, s: YjState, out: Float64Array): void {
    const mean = unnum(s.mean);
    const std = unnum(s.std);
    for (let i = 0; i < x.length; i++) out[i] = (yeoJohnson(x[i], s.lambda) - mean) / std;
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      columns: [...this.featureNamesIn],
      state: this.state.map((s) => ({ lambda: s.lambda, mean: num(unnum(s.mean)), std: num(unnum(s.std)) })),
    };
  }
}

registerColumnwise(KIND, (c, s: YjState[]) => new FittedYeoJohnson(c, s));
