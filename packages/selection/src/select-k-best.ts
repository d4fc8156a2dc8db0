import { type Matrix, type MatrixTransformer, InputError } from '@campaign-ml/core';
import { type FeatureScores, fClassif } from './f-classif';
import { FittedSelector, supportOf } from './fitted-selector';
import { mutualInfoClassif } from './mutual-info-classif';

/** A score function: per-feature scores (higher is better) from X and class labels / targets. */
export type ScoreFunction = (X: Matrix, y: ArrayLike<number>) => FeatureScores;

export type ScoreName = 'fClassif' | 'mutualInfoClassif';

function resolveScore(score: ScoreName | ScoreFunction, seed: number): { fn: ScoreFunction; name: string } {
  if (typeof score === 'function') return { fn: score, name: score.name || 'custom' };
  if (score === 'fClassif') return { fn: fClassif, name: 'fClassif' };
  if (score === 'mutualInfoClassif')
    return { fn: (X, y) => mutualInfoClassif(X, y, { seed }), name: 'mutualInfoClassif' };
  throw new InputError(
    'INVALID_OPTION',
    `unknown score "${String(score)}"; use fClassif, mutualInfoClassif or a function`,
    {
      value: score,
      expected: 'fClassif | mutualInfoClassif | (X, y) => { scores }',
    },
  );
}

/** NaN scores rank lowest (as scikit-learn's _clean_nans). */
function clean(scores: Float64Array): Float64Array {
  return scores.map((s) => (Number.isNaN(s) ? -Number.MAX_VALUE : s));
}

export interface SelectKBestParams {
  /** Score function (default 'fClassif'). */
  score?: ScoreName | ScoreFunction;
  /** Features to keep (default 10; 'all' keeps every feature but still reports scores). */
  k?: number | 'all';
  /** Seed for scores that use randomness (mutual information jitter). */
  seed?: number;
}

/** Keep the k best-scoring features (ties: the later feature wins, as scikit-learn). */
export class SelectKBest implements MatrixTransformer<FittedSelector> {
  readonly params: Readonly<SelectKBestParams>;

  constructor(params: SelectKBestParams = {}) {
    const k = params.k ?? 10;
    if (k !== 'all' && !(Number.isInteger(k) && k >= 0))
      throw new InputError('INVALID_OPTION', `k must be an integer >= 0 or "all", got ${k}`, { value: k });
    this.params = Object.freeze({ score: 'fClassif' as const, ...params, k });
  }

  fit(X: Matrix, y?: ArrayLike<number>): FittedSelector {
    const { fn, name } = resolveScore(this.params.score ?? 'fClassif', this.params.seed ?? 0);
    const res = fn(X, requireY(y, 'SelectKBest'));
    const k = this.params.k === 'all' ? X.cols : Math.min(this.params.k as number, X.cols);
    const s = clean(res.scores);
    const order = Array.from({ length: X.cols }, (_, i) => i).sort((a, b) => s[a] - s[b] || a - b);
    const mask = new Uint8Array(X.cols);
    for (let i = X.cols - k; i < X.cols; i++) mask[order[i]] = 1;
    return new FittedSelector(
      `SelectKBest(${name}, k=${this.params.k})`,
      X.columns,
      supportOf(mask),
      res.scores,
      res.pValues,
    );
  }
}

export interface SelectPercentileParams {
  score?: ScoreName | ScoreFunction;
  /** Percent of features to keep (default 10). */
  percentile?: number;
  seed?: number;
}

/** Keep the top percentile of features by score (scikit-learn's rule, ties included up to the quota). */
export class SelectPercentile implements MatrixTransformer<FittedSelector> {
  readonly params: Readonly<SelectPercentileParams>;

  constructor(params: SelectPercentileParams = {}) {
    const percentile = params.percentile ?? 10;
    if (!(percentile >= 0 && percentile <= 100))
      throw new InputError('INVALID_OPTION', `percentile must be in [0, 100], got ${percentile}`, {
        value: percentile,
      });
    this.params = Object.freeze({ score: 'fClassif' as const, ...params, percentile });
  }

  fit(X: Matrix, y?: ArrayLike<number>): FittedSelector {
    const { fn, name } = resolveScore(this.params.score ?? 'fClassif', this.params.seed ?? 0);
    const res = fn(X, requireY(y, 'SelectPercentile'));
    const p = this.params.percentile as number;
    const d = X.cols;
    const mask = new Uint8Array(d);
    if (p === 100) mask.fill(1);
    else if (p > 0) {
      const s = clean(res.scores);
      const threshold = percentile(s, 100 - p);
      let kept = 0;
      for (let i = 0; i < d; i++) {
        if (s[i] > threshold) {
          mask[i] = 1;
          kept++;
        }
      }
      const quota = Math.floor((d * p) / 100);
      for (let i = 0; i < d && kept < quota; i++) {
        if (s[i] === threshold) {
          mask[i] = 1;
          kept++;
        }
      }
    }
    return new FittedSelector(`SelectPercentile(${name}, ${p}%)`, X.columns, supportOf(mask), res.scores, res.pValues);
  }
}

/** numpy's default (linear) percentile. */
function percentile(values: Float64Array, q: number): number {
  const s = Float64Array.from(values).sort();
  const pos = ((s.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function requireY(y: ArrayLike<number> | undefined, who: string): ArrayLike<number> {
  if (!y)
    throw new InputError('MISSING_TARGET', `${who} scores features against the target: pass y to fit(X, y)`, {
      expected: 'labels y',
    });
  return y;
}
