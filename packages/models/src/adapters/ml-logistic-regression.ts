import {
  checkClassLabels,
  checkPredictColumns,
  checkXy,
  expectKind,
  registerLoader,
  type Classifier,
  type Estimator,
  type FitOptions,
  type Matrix,
  type Serialized,
} from '@campaign-ml/core';
import MlLogReg from 'ml-logistic-regression';
import { Matrix as MlMatrix } from 'ml-matrix';
import { checkNoMissing } from '../linear/check-no-missing';
import { checkInteger, checkNumber } from '../linear/param-checks';
import { toRowArrays } from './to-rows';

export interface MlLogisticRegressionParams {
  /** Gradient-ascent steps per one-vs-rest classifier. Default 50000 (the package's default). */
  numSteps?: number;
  /** Step size. Default 5e-4. */
  learningRate?: number;
}

const KIND = 'models/MlLogisticRegression';
const NAME = 'MlLogisticRegression';

/**
 * The npm package ml-logistic-regression (one-vs-rest, plain gradient ascent, no regularization)
 * behind campaign-ml's Classifier contract: the JavaScript reference point in benchmarks. A
 * column of ones is appended so that it has an intercept (the package has none).
 */
export class MlLogisticRegression implements Estimator<FittedMlLogisticRegression, MlLogisticRegressionParams> {
  readonly params: Readonly<Required<MlLogisticRegressionParams>>;

  constructor(params: MlLogisticRegressionParams = {}) {
    this.params = Object.freeze({
      numSteps: checkInteger(NAME, 'numSteps', params.numSteps ?? 50000, 1),
      learningRate: checkNumber(NAME, 'learningRate', params.learningRate ?? 5e-4, 0, Infinity, false),
    });
  }

  fit(X: Matrix, y: ArrayLike<number>, _opts: FitOptions = {}): FittedMlLogisticRegression {
    const { labels, classes } = checkClassLabels(checkXy(X, y));
    checkNoMissing(X, NAME);
    const model = new MlLogReg(this.params);
    model.train(withBias(X), MlMatrix.columnVector(Array.from(labels)));
    return new FittedMlLogisticRegression(this.params, X.columns, classes, model);
  }
}

function withBias(X: Matrix): MlMatrix {
  const rows = toRowArrays(X);
  for (const r of rows) r.push(1);
  return new MlMatrix(rows);
}

/**
 * What this adapter uses of a trained ml-logistic-regression model. The package ships no types
 * (vendor-ml-logistic-regression.d.ts types it for this build only), so the published
 * declarations must not name it: a consumer's compiler would find no types for it.
 */
interface TrainedLogReg {
  readonly classifiers: readonly { testScores(features: MlMatrix): number[] }[];
}

export class FittedMlLogisticRegression implements Classifier {
  readonly params: Readonly<Required<MlLogisticRegressionParams>>;
  readonly columns: readonly string[];
  readonly classes: number;
  readonly #model: TrainedLogReg;

  /** @internal */
  constructor(
    params: Readonly<Required<MlLogisticRegressionParams>>,
    columns: readonly string[],
    classes: number,
    model: TrainedLogReg,
  ) {
    this.params = params;
    this.columns = Object.freeze([...columns]);
    this.classes = classes;
    this.#model = model;
    Object.freeze(this);
  }

  /** One-vs-rest scores normalized to sum to one. */
  predictProba(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    checkNoMissing(X, NAME);
    const Xb = withBias(X);
    const K = this.classes;
    const out = new Float64Array(X.rows * K);
    const m = this.#model;
    for (let k = 0; k < Math.min(K, m.classifiers.length); k++) {
      // The package trains class k as 0 and the rest as 1: P(class k) = 1 - score.
      const s = m.classifiers[k].testScores(Xb);
      for (let r = 0; r < X.rows; r++) out[r * K + k] = 1 - s[r];
    }
    for (let r = 0; r < X.rows; r++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += out[r * K + k];
      for (let k = 0; k < K; k++) out[r * K + k] = sum > 0 ? out[r * K + k] / sum : 1 / K;
    }
    return out;
  }

  predict(X: Matrix): Int32Array {
    const p = this.predictProba(X);
    const K = this.classes;
    const out = new Int32Array(X.rows);
    for (let r = 0; r < X.rows; r++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (p[r * K + k] > p[r * K + best]) best = k;
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
      model: JSON.parse(JSON.stringify(this.#model)),
    };
  }

  static fromJSON(json: Serialized): FittedMlLogisticRegression {
    expectKind(json, KIND, 1);
    const params = new MlLogisticRegression(json.params as MlLogisticRegressionParams).params;
    return new FittedMlLogisticRegression(
      params,
      json.columns as string[],
      json.classes as number,
      MlLogReg.load(json.model as Record<string, unknown>),
    );
  }
}

registerLoader(KIND, FittedMlLogisticRegression.fromJSON);
