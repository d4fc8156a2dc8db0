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
import { RandomForestClassifier as MlRF } from 'ml-random-forest';
import { checkNoMissing } from '../linear/check-no-missing';
import { checkInteger, checkNumber } from '../linear/param-checks';
import { toRowArrays } from './to-rows';

export interface MlRandomForestClassifierParams {
  /** Trees. Default 50. */
  nEstimators?: number;
  /** Features per tree: a fraction in (0, 1] or a count. Default 1.0. */
  maxFeatures?: number;
  /** 32-bit seed for the package's own generator. Default 42. */
  seed?: number;
  /** Options passed to ml-cart (e.g. { maxDepth: 10 }). */
  treeOptions?: Readonly<Record<string, unknown>>;
}

const KIND = 'models/MlRandomForestClassifier';
const NAME = 'MlRandomForestClassifier';

/**
 * The npm package ml-random-forest behind campaign-ml's Classifier contract: the JavaScript
 * reference point in benchmarks. Probabilities are the share of trees voting for each class.
 */
export class MlRandomForestClassifier implements Estimator<
  FittedMlRandomForestClassifier,
  MlRandomForestClassifierParams
> {
  readonly params: Readonly<
    MlRandomForestClassifierParams & { nEstimators: number; maxFeatures: number; seed: number }
  >;

  constructor(params: MlRandomForestClassifierParams = {}) {
    this.params = Object.freeze({
      ...params,
      nEstimators: checkInteger(NAME, 'nEstimators', params.nEstimators ?? 50, 1),
      maxFeatures: checkNumber(NAME, 'maxFeatures', params.maxFeatures ?? 1.0, 0, Infinity, false),
      seed: checkInteger(NAME, 'seed', params.seed ?? 42, 0),
    });
  }

  fit(X: Matrix, y: ArrayLike<number>, _opts: FitOptions = {}): FittedMlRandomForestClassifier {
    const { labels, classes } = checkClassLabels(checkXy(X, y));
    checkNoMissing(X, NAME);
    const rf = new MlRF({
      nEstimators: this.params.nEstimators,
      maxFeatures: this.params.maxFeatures,
      seed: this.params.seed,
      treeOptions: this.params.treeOptions ?? {},
      noOOB: true,
    });
    rf.train(toRowArrays(X), Array.from(labels));
    return new FittedMlRandomForestClassifier(this.params, X.columns, classes, rf);
  }
}

/**
 * What this adapter uses of a trained ml-random-forest model. Typed here rather than with the
 * package's own types, which would then be imported by the published declarations, where they do
 * not compile for a strict consumer (skipLibCheck: false).
 */
interface TrainedForest {
  predictionValues(rows: number[][]): { readonly columns: number; get(row: number, column: number): number };
  toJSON(): object;
}

export class FittedMlRandomForestClassifier implements Classifier {
  readonly params: MlRandomForestClassifier['params'];
  readonly columns: readonly string[];
  readonly classes: number;
  readonly #rf: TrainedForest;

  /** @internal */
  constructor(
    params: MlRandomForestClassifier['params'],
    columns: readonly string[],
    classes: number,
    rf: TrainedForest,
  ) {
    this.params = params;
    this.columns = Object.freeze([...columns]);
    this.classes = classes;
    this.#rf = rf;
    Object.freeze(this);
  }

  predictProba(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    checkNoMissing(X, NAME);
    const votes = this.#rf.predictionValues(toRowArrays(X));
    const K = this.classes;
    const T = votes.columns;
    const out = new Float64Array(X.rows * K);
    for (let r = 0; r < X.rows; r++) {
      for (let t = 0; t < T; t++) {
        const k = Math.round(votes.get(r, t));
        if (k >= 0 && k < K) out[r * K + k] += 1 / T;
      }
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
      model: JSON.parse(JSON.stringify(this.#rf.toJSON())),
    };
  }

  static fromJSON(json: Serialized): FittedMlRandomForestClassifier {
    expectKind(json, KIND, 1);
    const params = new MlRandomForestClassifier(json.params as MlRandomForestClassifierParams).params;
    const rf = MlRF.load(json.model as ReturnType<MlRF['toJSON']>);
    return new FittedMlRandomForestClassifier(params, json.columns as string[], json.classes as number, rf);
  }
}

registerLoader(KIND, FittedMlRandomForestClassifier.fromJSON);
