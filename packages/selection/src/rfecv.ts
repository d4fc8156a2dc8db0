import {
  type EstimatorFactory,
  type Fold,
  type Matrix,
  type MatrixTransformer,
  type RunOptions,
  InputError,
  createRng,
  kFold,
  progressReporter,
  selectColumns,
  stratifiedKFold,
  take,
} from '@campaign-ml/core';
import { FittedSelector, supportOf } from './fitted-selector';
import { type Scorer, defaultScorer, modelImportances } from './scoring';
import { requireY } from './select-k-best';

export interface RFECVParams {
  /** Builds a fresh estimator for every fit. Its fitted model must expose featureImportances() or coef. */
  factory: EstimatorFactory;
  /** Features removed per round (default 1). */
  step?: number;
  /** Smallest feature count tried (default 1). */
  minFeaturesToSelect?: number;
  /** Folds (default 5). Stratified when y looks like class labels (integers, at most 20 distinct). */
  folds?: number;
  /** Higher-is-better scorer on each test fold (default accuracy / R²). */
  scorer?: Scorer;
  seed?: number;
}

/** The fitted RFECV selector: a FittedSelector plus the cross-validated score per feature count. */
export interface RFECVResult {
  selector: FittedSelector;
  /** Feature counts tried, descending, and their mean / std test score over folds. */
  nFeatures: Int32Array;
  meanScore: Float64Array;
  stdScore: Float64Array;
}

/**
 * Recursive feature elimination with cross-validation (scikit-learn's RFECV): in each fold, fit
 * on all features, drop the `step` least important, refit, ... scoring the test fold at every
 * count; the count with the best mean score wins (ties: fewer features), and a final elimination
 * on all rows picks which features. Scores of the returned selector are elimination ranks
 * (higher = kept longer; kept features share the top rank).
 */
export class RFECV implements MatrixTransformer<FittedSelector> {
  readonly params: Readonly<RFECVParams>;

  constructor(params: RFECVParams) {
    if (typeof params?.factory !== 'function') {
      throw new InputError('INVALID_OPTION', 'RFECV needs a factory: () => new SomeEstimator(...)', {
        expected: 'a function returning an estimator',
      });
    }
    const step = params.step ?? 1;
    if (!(Number.isInteger(step) && step >= 1))
      throw new InputError('INVALID_OPTION', `step must be an integer >= 1, got ${step}`, { value: step });
    this.params = Object.freeze({ ...params });
  }

  fit(X: Matrix, y?: ArrayLike<number>, opts: RunOptions = {}): FittedSelector {
    return this.fitWithScores(X, y, opts).selector;
  }

  /** Fit and also return the cross-validated score curve. */
  fitWithScores(X: Matrix, y?: ArrayLike<number>, opts: RunOptions = {}): RFECVResult {
    const labels = requireY(y, 'RFECV');
    const step = this.params.step ?? 1;
    const minF = Math.max(1, Math.min(this.params.minFeaturesToSelect ?? 1, X.cols));
    const scorer = this.params.scorer ?? defaultScorer;
    const rng = createRng(this.params.seed ?? 0);
    const folds: Fold[] = looksLikeClasses(labels)
      ? stratifiedKFold(Array.from(labels), this.params.folds ?? 5, rng)
      : kFold(X.rows, this.params.folds ?? 5, rng);
    const counts = featureCounts(X.cols, step, minF);
    const perFold = folds.map(() => new Float64Array(counts.length));
    const tick = progressReporter('RFECV', folds.length + 1, opts);
    folds.forEach((fold, f) => {
      const Xtr = take(X, fold.train);
      const Xte = take(X, fold.test);
      const ytr = pick(labels, fold.train);
      const yte = pick(labels, fold.test);
      this.eliminate(Xtr, ytr, minF, (active, model) => {
        perFold[f][counts.indexOf(active.length)] = scorer(model, selectColumns(Xte, active), yte);
      });
      tick(f + 1);
    });
    const mean = new Float64Array(counts.length);
    const std = new Float64Array(counts.length);
    for (let i = 0; i < counts.length; i++) {
      let s = 0;
      for (const p of perFold) s += p[i];
      mean[i] = s / folds.length;
      let ss = 0;
      for (const p of perFold) ss += (p[i] - mean[i]) ** 2;
      std[i] = Math.sqrt(ss / folds.length);
    }
    let best = 0;
    for (let i = 1; i < counts.length; i++) if (mean[i] >= mean[best]) best = i; // ties -> fewer features
    const target = counts[best];
    const rank = new Float64Array(X.cols);
    let round = 0;
    const final = this.eliminate(X, Float64Array.from(labels), target, (active) => {
      round++;
      for (const c of active) rank[c] = round;
    });
    const mask = new Uint8Array(X.cols);
    for (const c of final) mask[c] = 1;
    tick(folds.length + 1);
    const selector = new FittedSelector(`RFECV(step=${step}, nFeatures=${target})`, X.columns, supportOf(mask), rank);
    return { selector, nFeatures: Int32Array.from(counts), meanScore: mean, stdScore: std };
  }

  /** Fit, report, drop the least important `step` features, until `stopAt` features remain. Returns the last active set. */
  private eliminate(
    X: Matrix,
    y: Float64Array,
    stopAt: number,
    onRound: (active: number[], model: ReturnType<ReturnType<EstimatorFactory>['fit']>) => void,
  ): number[] {
    const step = this.params.step ?? 1;
    let active = Array.from({ length: X.cols }, (_, i) => i);
    for (;;) {
      const Xa = selectColumns(X, active);
      const model = this.params.factory().fit(Xa, y);
      onRound(active, model);
      if (active.length <= stopAt) return active;
      const imp = modelImportances(model, active.length);
      const drop = Math.min(step, active.length - stopAt);
      const order = active.map((c, i) => ({ c, v: imp[i], i })).sort((a, b) => a.v - b.v || b.i - a.i);
      const gone = new Set(order.slice(0, drop).map((o) => o.c));
      active = active.filter((c) => !gone.has(c));
    }
  }
}

/** Feature counts visited by elimination from `cols` down to `minF`, descending. */
function featureCounts(cols: number, step: number, minF: number): number[] {
  const out: number[] = [];
  let n = cols;
  for (;;) {
    out.push(n);
    if (n <= minF) break;
    n = Math.max(minF, n - step);
  }
  return out;
}

function looksLikeClasses(y: ArrayLike<number>): boolean {
  const seen = new Set<number>();
  for (let i = 0; i < y.length; i++) {
    if (!Number.isInteger(y[i]) || y[i] < 0) return false;
    seen.add(y[i]);
    if (seen.size > 20) return false;
  }
  return true;
}

function pick(y: ArrayLike<number>, idx: Uint32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = y[idx[i]];
  return out;
}
