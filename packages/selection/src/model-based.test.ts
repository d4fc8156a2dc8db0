import {
  type Classifier,
  type Estimator,
  type Matrix,
  type Serialized,
  InputError,
  createRng,
  fromColumns,
  column,
} from '@campaign-ml/core';
import { CorrelationFilter, RFECV, SelectFromModel, permutationImportance } from './index';

/** Diagonal LDA for two classes: a small real classifier with coef, for tests only. */
class DiagonalLda implements Classifier {
  readonly classes = 2;
  constructor(
    readonly coef: Float64Array,
    readonly mid: Float64Array,
    readonly cols: readonly string[],
  ) {}
  private score(X: Matrix, r: number): number {
    let s = 0;
    for (let c = 0; c < X.cols; c++) s += this.coef[c] * (X.data[c * X.rows + r] - this.mid[c]);
    return s;
  }
  predictProba(X: Matrix): Float64Array {
    const out = new Float64Array(X.rows * 2);
    for (let r = 0; r < X.rows; r++) {
      const p = 1 / (1 + Math.exp(-this.score(X, r)));
      out[2 * r] = 1 - p;
      out[2 * r + 1] = p;
    }
    return out;
  }
  predict(X: Matrix): Int32Array {
    return Int32Array.from({ length: X.rows }, (_, r) => (this.score(X, r) > 0 ? 1 : 0));
  }
  toJSON(): Serialized {
    return { kind: 'test/DiagonalLda', version: 1 };
  }
}
const lda = (): Estimator<Classifier> => ({
  params: {},
  fit(X, y) {
    const coef = new Float64Array(X.cols);
    const mid = new Float64Array(X.cols);
    for (let c = 0; c < X.cols; c++) {
      const v = column(X, c);
      const m = [0, 0];
      const n = [0, 0];
      for (let r = 0; r < X.rows; r++) {
        m[y[r]] += v[r];
        n[y[r]]++;
      }
      m[0] /= n[0];
      m[1] /= n[1];
      let ss = 0;
      for (let r = 0; r < X.rows; r++) ss += (v[r] - m[y[r]]) ** 2;
      coef[c] = (m[1] - m[0]) / (ss / X.rows || 1);
      mid[c] = (m[0] + m[1]) / 2;
    }
    return new DiagonalLda(coef, mid, X.columns);
  },
});

function data(n = 240) {
  const rng = createRng(2);
  const y = Array.from({ length: n }, () => rng.int(2));
  const cols: [string, Float64Array][] = [];
  const signal = [1.5, -1.2, 0.9];
  signal.forEach((s, i) => cols.push([`signal${i}`, Float64Array.from(y, (c) => s * c + rng.normal())]));
  for (let i = 0; i < 5; i++) cols.push([`noise${i}`, Float64Array.from(y, () => rng.normal())]);
  return { X: fromColumns(cols), y };
}

describe('model-based selection', () => {
  const { X, y } = data();

  it('SelectFromModel keeps the features the model weighs most', () => {
    const sel = new SelectFromModel({ factory: lda, threshold: 'mean' }).fit(X, y);
    expect(sel.kept).toEqual(['signal0', 'signal1', 'signal2']);
    expect(new SelectFromModel({ factory: lda, threshold: 0, maxFeatures: 1 }).fit(X, y).kept).toEqual(['signal0']);
    const perm = new SelectFromModel({ factory: lda, importance: 'permutation', threshold: 0.01, seed: 3 }).fit(X, y);
    expect(perm.kept).toEqual(['signal0', 'signal1', 'signal2']);
    expect(() => new SelectFromModel({ factory: lda, threshold: 'twice' })).toThrow(InputError);
  });

  it('permutationImportance: shuffling a signal hurts, shuffling noise hardly does; X is untouched', () => {
    const model = lda().fit(X, y);
    const before = Float64Array.from(X.data);
    const imp = permutationImportance(model, X, y, { nRepeats: 4, seed: 1 });
    expect(X.data).toEqual(before);
    for (let c = 0; c < 3; c++) expect(imp.importancesMean[c]).toBeGreaterThan(0.05);
    for (let c = 3; c < 8; c++) expect(Math.abs(imp.importancesMean[c])).toBeLessThan(0.04);
    expect(imp.importances.length).toBe(8 * 4);
  });

  it('RFECV finds the informative features with k-fold CV', () => {
    const res = new RFECV({ factory: lda, folds: 4, seed: 5 }).fitWithScores(X, y);
    expect(Array.from(res.nFeatures)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    const best = res.selector.kept;
    for (const s of ['signal0', 'signal1', 'signal2']) expect(best).toContain(s);
    expect(best.length).toBeLessThanOrEqual(5);
    expect(res.meanScore[res.nFeatures.indexOf(best.length)]).toBeGreaterThan(res.meanScore[res.nFeatures.length - 1]);
    const ranks = res.selector.scores;
    expect(Math.min(ranks[0], ranks[1], ranks[2])).toBeGreaterThan(
      Math.max(...Array.from(ranks.subarray(3)).filter((_, i) => !best.includes(`noise${i}`))),
    );
  });

  it('CorrelationFilter drops a near-duplicate of an earlier feature', () => {
    const rng = createRng(9);
    const a = Float64Array.from({ length: 50 }, () => rng.normal());
    const X2 = fromColumns({ a, b: a.map((v) => 2 * v + 0.001 * rng.normal()), c: a.map(() => rng.normal()) });
    const sel = new CorrelationFilter({ threshold: 0.95 }).fit(X2);
    expect(sel.kept).toEqual(['a', 'c']);
    expect(sel.scores[1]).toBeGreaterThan(0.99);
  });
});
