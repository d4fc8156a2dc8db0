import {
  checkPredictColumns,
  decodeArray,
  encodeArray,
  expectKind,
  type EncodedArray,
  type Matrix,
  type Regressor,
  type Serialized,
} from '@campaign-ml/core';
import { checkNoMissing } from './check-no-missing';

/** A fitted linear regressor (LinearRegression or Ridge): prediction = X·coef + intercept. */
export class FittedLinearRegressor implements Regressor {
  readonly kind: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly columns: readonly string[];
  readonly intercept: number;
  readonly #coef: Float64Array;

  /** @internal use LinearRegression/Ridge.fit or load(). */
  constructor(
    kind: string,
    params: Readonly<Record<string, unknown>>,
    columns: readonly string[],
    coef: Float64Array,
    intercept: number,
  ) {
    this.kind = kind;
    this.params = Object.freeze({ ...params });
    this.columns = Object.freeze([...columns]);
    this.#coef = coef;
    this.intercept = intercept;
    Object.freeze(this);
  }

  /** One coefficient per feature; a copy. */
  get coef(): Float64Array {
    return this.#coef.slice();
  }

  predict(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    checkNoMissing(X, this.kind.replace('models/', ''));
    const n = X.rows;
    const out = new Float64Array(n).fill(this.intercept);
    const data = X.data;
    for (let c = 0; c < X.cols; c++) {
      const w = this.#coef[c];
      const off = c * n;
      for (let r = 0; r < n; r++) out[r] += w * data[off + r];
    }
    return out;
  }

  toJSON(): Serialized {
    return {
      kind: this.kind,
      version: 1,
      params: { ...this.params },
      columns: [...this.columns],
      coef: encodeArray(this.#coef),
      intercept: this.intercept,
    };
  }

  static loader(kind: string): (json: Serialized) => FittedLinearRegressor {
    return (json) => {
      expectKind(json, kind, 1);
      return new FittedLinearRegressor(
        kind,
        json.params as Record<string, unknown>,
        json.columns as string[],
        decodeArray(json.coef as EncodedArray, 'coef'),
        json.intercept as number,
      );
    };
  }
}
