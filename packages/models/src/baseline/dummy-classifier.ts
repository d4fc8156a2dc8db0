import {
  checkClassLabels,
  checkPredictColumns,
  checkSampleWeight,
  checkXy,
  createRng,
  expectKind,
  registerLoader,
  type Classifier,
  type Estimator,
  type FitOptions,
  type Matrix,
  type Serialized,
} from '@campaign-ml/core';
import { checkInteger, checkOneOf } from '../linear/param-checks';

export type DummyClassifierStrategy = 'prior' | 'most_frequent' | 'stratified' | 'uniform';

export interface DummyClassifierParams {
  /**
   * 'prior' (default): probabilities = class frequencies, predict = most frequent class.
   * 'most_frequent': one-hot probabilities of the most frequent class.
   * 'stratified': random one-hot draws from the class frequencies.
   * 'uniform': probabilities 1/k, random predictions.
   */
  strategy?: DummyClassifierStrategy;
  /** Seed for 'stratified' and 'uniform' (each predict call restarts from it). Default 0. */
  seed?: number;
}

const KIND = 'models/DummyClassifier';
const STRATEGIES: readonly DummyClassifierStrategy[] = ['prior', 'most_frequent', 'stratified', 'uniform'];

/**
 * A baseline that ignores the features: every real model must beat it.
 *
 * ```ts
 * const base = new DummyClassifier({ strategy: 'prior' }).fit(X, y);
 * rocAucScore(y, base.predictProba(X)); // 0.5
 * ```
 */
export class DummyClassifier implements Estimator<FittedDummyClassifier, DummyClassifierParams> {
  readonly params: Readonly<Required<DummyClassifierParams>>;

  constructor(params: DummyClassifierParams = {}) {
    this.params = Object.freeze({
      strategy: checkOneOf('DummyClassifier', 'strategy', params.strategy ?? 'prior', STRATEGIES),
      seed: checkInteger('DummyClassifier', 'seed', params.seed ?? 0, 0),
    });
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedDummyClassifier {
    const { labels, classes } = checkClassLabels(checkXy(X, y));
    const w = checkSampleWeight(opts.sampleWeight, X.rows);
    const prior = new Float64Array(classes);
    let total = 0;
    for (let i = 0; i < labels.length; i++) {
      const wi = w ? w[i] : 1;
      prior[labels[i]] += wi;
      total += wi;
    }
    for (let k = 0; k < classes; k++) prior[k] /= total;
    return new FittedDummyClassifier(this.params, X.columns, prior);
  }
}

export class FittedDummyClassifier implements Classifier {
  readonly params: Readonly<Required<DummyClassifierParams>>;
  readonly columns: readonly string[];
  readonly classes: number;
  /** Class frequencies seen in fit (weighted). */
  readonly prior: readonly number[];
  /** The most frequent class (lowest index on ties). */
  readonly mostFrequent: number;

  /** @internal */
  constructor(params: Readonly<Required<DummyClassifierParams>>, columns: readonly string[], prior: ArrayLike<number>) {
    this.params = params;
    this.columns = Object.freeze([...columns]);
    this.prior = Object.freeze(Array.from(prior));
    this.classes = prior.length;
    let best = 0;
    for (let k = 1; k < prior.length; k++) if (prior[k] > prior[best]) best = k;
    this.mostFrequent = best;
    Object.freeze(this);
  }

  predictProba(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    const n = X.rows;
    const K = this.classes;
    const out = new Float64Array(n * K);
    const strategy = this.params.strategy;
    if (strategy === 'prior') {
      for (let r = 0; r < n; r++) for (let k = 0; k < K; k++) out[r * K + k] = this.prior[k];
    } else if (strategy === 'uniform') {
      out.fill(1 / K);
    } else if (strategy === 'most_frequent') {
      for (let r = 0; r < n; r++) out[r * K + this.mostFrequent] = 1;
    } else {
      const draws = this.draw(n);
      for (let r = 0; r < n; r++) out[r * K + draws[r]] = 1;
    }
    return out;
  }

  predict(X: Matrix): Int32Array {
    checkPredictColumns(X, this.columns);
    const strategy = this.params.strategy;
    if (strategy === 'prior' || strategy === 'most_frequent') return new Int32Array(X.rows).fill(this.mostFrequent);
    if (strategy === 'stratified') return this.draw(X.rows);
    const rng = createRng(this.params.seed);
    const out = new Int32Array(X.rows);
    for (let r = 0; r < X.rows; r++) out[r] = rng.int(this.classes);
    return out;
  }

  /** Classes drawn from the prior, reproducible for the seed. */
  private draw(n: number): Int32Array {
    const rng = createRng(this.params.seed);
    const out = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      let u = rng.random();
      let k = 0;
      while (k < this.classes - 1 && u >= this.prior[k]) u -= this.prior[k++];
      out[r] = k;
    }
    return out;
  }

  toJSON(): Serialized {
    return { kind: KIND, version: 1, params: { ...this.params }, columns: [...this.columns], prior: [...this.prior] };
  }

  static fromJSON(json: Serialized): FittedDummyClassifier {
    expectKind(json, KIND, 1);
    const params = new DummyClassifier(json.params as DummyClassifierParams).params;
    return new FittedDummyClassifier(params, json.columns as string[], json.prior as number[]);
  }
}

registerLoader(KIND, FittedDummyClassifier.fromJSON);
