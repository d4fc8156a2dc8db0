import {
  type EstimatorFactory,
  type Matrix,
  type MatrixTransformer,
  type RunOptions,
  InputError,
} from '@campaign-ml/core';
import { FittedSelector, supportOf } from './fitted-selector';
import { permutationImportance } from './permutation-importance';
import { type Scorer, modelImportances } from './scoring';
import { requireY } from './select-k-best';

export interface SelectFromModelParams {
  /** Builds the model fitted on (X, y) to rank the features. */
  factory: EstimatorFactory;
  /**
   * Keep features with importance >= threshold: a number, 'mean' (default), 'median', or a scaled
   * form like '1.25*mean'.
   */
  threshold?: number | string;
  /** Keep at most this many (the most important) features. */
  maxFeatures?: number;
  /** 'model' (featureImportances() or |coef|, default) or 'permutation' (on the fitting data). */
  importance?: 'model' | 'permutation';
  /** For importance: 'permutation'. */
  nRepeats?: number;
  scorer?: Scorer;
  seed?: number;
}

/** Keep the features a fitted model finds important (scikit-learn's SelectFromModel). */
export class SelectFromModel implements MatrixTransformer<FittedSelector> {
  readonly params: Readonly<SelectFromModelParams>;

  constructor(params: SelectFromModelParams) {
    if (typeof params?.factory !== 'function') {
      throw new InputError('INVALID_OPTION', 'SelectFromModel needs a factory: () => new SomeEstimator(...)', {
        expected: 'a function returning an estimator',
      });
    }
    if (params.maxFeatures !== undefined && !(Number.isInteger(params.maxFeatures) && params.maxFeatures >= 0)) {
      throw new InputError('INVALID_OPTION', `maxFeatures must be an integer >= 0, got ${params.maxFeatures}`, {
        value: params.maxFeatures,
      });
    }
    parseThreshold(params.threshold ?? 'mean', new Float64Array([1]));
    this.params = Object.freeze({ ...params });
  }

  fit(X: Matrix, y?: ArrayLike<number>, opts: RunOptions = {}): FittedSelector {
    const labels = requireY(y, 'SelectFromModel');
    const model = this.params.factory().fit(X, labels, opts);
    const scores =
      this.params.importance === 'permutation'
        ? permutationImportance(model, X, labels, {
            nRepeats: this.params.nRepeats,
            scorer: this.params.scorer,
            seed: this.params.seed,
            ...opts,
          }).importancesMean
        : modelImportances(model, X.cols);
    const thr = parseThreshold(this.params.threshold ?? 'mean', scores);
    const mask = new Uint8Array(X.cols);
    for (let c = 0; c < X.cols; c++) if (scores[c] >= thr) mask[c] = 1;
    if (this.params.maxFeatures !== undefined) {
      const order = Array.from({ length: X.cols }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
      for (let r = this.params.maxFeatures; r < order.length; r++) mask[order[r]] = 0;
    }
    return new FittedSelector(
      `SelectFromModel(${this.params.importance ?? 'model'}, threshold=${String(this.params.threshold ?? 'mean')})`,
      X.columns,
      supportOf(mask),
      scores,
    );
  }
}

function parseThreshold(t: number | string, scores: Float64Array): number {
  if (typeof t === 'number') return t;
  const m = /^\s*(?:([0-9.eE+-]+)\s*\*\s*)?(mean|median)\s*$/.exec(t);
  if (!m) {
    throw new InputError(
      'INVALID_OPTION',
      `threshold "${t}" is not understood; use a number, "mean", "median" or e.g. "1.25*mean"`,
      {
        value: t,
        expected: 'number | "mean" | "median" | "<factor>*mean"',
      },
    );
  }
  const factor = m[1] === undefined ? 1 : Number(m[1]);
  const sorted = Float64Array.from(scores).sort();
  const base =
    m[2] === 'mean'
      ? sorted.reduce((a, b) => a + b, 0) / sorted.length
      : sorted.length % 2
        ? sorted[(sorted.length - 1) / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return factor * base;
}
