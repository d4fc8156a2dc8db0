import { createMatrix, createRng, InputError } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';
import { crossValidate } from '../cv';
import { rocAucScore } from '../metrics';
import type { FittedTreeClassifier, FittedTreeRegressor } from './fitted-tree-model';
import { TreeEnsemble } from './predictor';
import { RandomForestClassifier, RandomForestRegressor } from './random-forest';
import { randomMatrix, xorData } from './test-data';

/** Rows each tree's bootstrap drew, rebuilt as the forest draws them: tree t uses the t-th fork of the seed. */
function bootstrapCounts(n: number, trees: number, seed: number): Int32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: trees }, () => {
    const treeRng = rng.fork();
    const counts = new Int32Array(n);
    for (let i = 0; i < n; i++) counts[treeRng.int(n)]++;
    return counts;
  });
}

/** A noisy binary task: P(y = 1) rises with x0 + x1, so neither OOB nor CV can be perfect. */
function noisyTask(n: number, seed: number): { X: Matrix; y: Float64Array } {
  const X = randomMatrix(n, 5, seed);
  const rng = createRng(seed + 1);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const z = 1.5 * X.data[r] + X.data[n + r] - 0.5 * X.data[2 * n + r];
    y[r] = rng.random() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X, y };
}

describe('out-of-bag predictions', () => {
  it('equal the hand-computed average of the trees whose bootstrap left the row out', () => {
    const n = 40;
    const { X, y } = xorData(n, 11);
    const nTrees = 6;
    const m = new RandomForestClassifier({ nEstimators: nTrees, oobScore: true, seed: 5, maxFeatures: 'all' }).fit(
      X,
      y,
    );
    const counts = bootstrapCounts(n, nTrees, 5);
    const layout = {
      nOutputs: 1,
      valueWidth: 1,
      treeOutput: new Int32Array(1),
      baseScore: new Float64Array(1),
      scale: 1,
    };
    const perTree = m.trees().map((t) => TreeEnsemble.fromTrees([t], layout).predictRaw(X));
    const oob = m.oobPrediction()!;
    const hits = m.oobCounts()!;
    let withNone = 0;
    for (let r = 0; r < n; r++) {
      let sum = 0;
      let k = 0;
      for (let t = 0; t < nTrees; t++)
        if (counts[t][r] === 0) {
          sum += perTree[t][r];
          k++;
        }
      expect(hits[r]).toBe(k);
      if (k === 0) {
        withNone++;
        expect(Number.isNaN(oob[2 * r + 1])).toBe(true);
      } else {
        expect(oob[2 * r + 1]).toBeCloseTo(sum / k, 12);
        expect(oob[2 * r] + oob[2 * r + 1]).toBeCloseTo(1, 12);
      }
    }
    // With 6 trees about 0.632^6 = 6% of the rows are in every bag: the NaN case is exercised.
    expect(withNone).toBeGreaterThan(0);
    expect(withNone).toBeLessThan(n / 4);
  });

  it('give a multiclass forest rows x classes probabilities and a regressor one value per row', () => {
    const X = randomMatrix(300, 3, 4);
    const y3 = Float64Array.from({ length: 300 }, (_, r) => (X.data[r] > 0.5 ? 2 : X.data[300 + r] > 0 ? 1 : 0));
    const c = new RandomForestClassifier({ nEstimators: 30, oobScore: true, seed: 1 }).fit(X, y3);
    const p = c.oobPrediction()!;
    expect(p.length).toBe(300 * 3);
    for (let r = 0; r < 300; r++) expect(p[3 * r] + p[3 * r + 1] + p[3 * r + 2]).toBeCloseTo(1, 10);
    const yr = Float64Array.from({ length: 300 }, (_, r) => 2 * X.data[r] + X.data[300 + r]);
    const g = new RandomForestRegressor({ nEstimators: 30, oobScore: true, seed: 1 }).fit(X, yr);
    const v = g.oobPrediction()!;
    expect(v.length).toBe(300);
    let sse = 0;
    for (let r = 0; r < 300; r++) sse += (v[r] - yr[r]) ** 2;
    expect(sse / 300).toBeLessThan(0.6); // var(y) = 5: the out-of-bag fit explains most of it
    expect(g.oobScore!).toBeGreaterThan(0.8);
  });

  it('are absent without oobScore and after a JSON round trip', () => {
    const { X, y } = xorData(200, 2);
    expect(new RandomForestClassifier({ nEstimators: 5 }).fit(X, y).oobPrediction()).toBeNull();
    const m = new RandomForestClassifier({ nEstimators: 5, oobScore: true }).fit(X, y);
    const back = JSON.parse(JSON.stringify(m));
    expect(back.oob).toBeUndefined();
    expect(back.oobScore).toBe(m.oobScore);
  });

  it('score a ROC AUC close to 5-fold cross-validation on a generated task', () => {
    const { X, y } = noisyTask(2000, 21);
    const params = { nEstimators: 100, minSamplesLeaf: 5, seed: 3 };
    const m = new RandomForestClassifier({ ...params, oobScore: true }).fit(X, y);
    const p = m.oobPrediction()!;
    const positive = Float64Array.from({ length: X.rows }, (_, r) => p[2 * r + 1]);
    const oobAuc = rocAucScore(y, positive);
    const cv = crossValidate(() => new RandomForestClassifier(params), X, y, {
      folds: 5,
      metrics: ['rocAuc'],
      seed: 3,
    });
    const cvAuc = cv.mean.rocAuc;
    expect(oobAuc).toBeGreaterThan(0.7);
    expect(Math.abs(oobAuc - cvAuc)).toBeLessThan(0.02);
  });
});

describe('fitPart + fromParts', () => {
  const same = (a: FittedTreeClassifier | FittedTreeRegressor, b: FittedTreeClassifier | FittedTreeRegressor) => {
    expect(JSON.stringify(b.ensemble.toJSON())).toBe(JSON.stringify(a.ensemble.toJSON()));
    expect(b.params).toEqual(a.params);
  };

  it('equals a single fit tree for tree, with sample weights, in any part order', () => {
    const { X, y } = noisyTask(500, 8);
    const w = Float64Array.from({ length: 500 }, (_, r) => (r % 3 === 0 ? 2 : 0.5));
    const est = new RandomForestClassifier({ nEstimators: 24, oobScore: true, seed: 9, minSamplesLeaf: 2 });
    const whole = est.fit(X, y, { sampleWeight: w });
    const parts = [
      est.fitPart(X, y, { start: 13, end: 24 }, { sampleWeight: w }),
      est.fitPart(X, y, { start: 0, end: 13 }, { sampleWeight: w }),
    ];
    const joined = est.fromParts(parts, y);
    same(whole, joined);
    expect(Buffer.from(joined.predictProba(X).buffer)).toEqual(Buffer.from(whole.predictProba(X).buffer));
    expect(Array.from(joined.oobCounts()!)).toEqual(Array.from(whole.oobCounts()!));
    const a = whole.oobPrediction()!;
    const b = joined.oobPrediction()!;
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 12);
    expect(joined.oobScore).toBe(whole.oobScore);
  });

  it('equals a single fit for a multiclass forest and a regressor', () => {
    const X = randomMatrix(300, 4, 6);
    const y3 = Float64Array.from({ length: 300 }, (_, r) => (X.data[r] > 0.3 ? 2 : X.data[300 + r] > 0 ? 1 : 0));
    const c = new RandomForestClassifier({ nEstimators: 10, seed: 2 });
    same(c.fit(X, y3), c.fromParts([c.fitPart(X, y3, { start: 0, end: 4 }), c.fitPart(X, y3, { start: 4, end: 10 })]));
    const yr = Float64Array.from({ length: 300 }, (_, r) => X.data[r] * X.data[300 + r]);
    const g = new RandomForestRegressor({ nEstimators: 10, seed: 2, oobScore: true });
    const joined = g.fromParts([g.fitPart(X, yr, { start: 0, end: 5 }), g.fitPart(X, yr, { start: 5, end: 10 })], yr);
    const whole = g.fit(X, yr);
    same(whole, joined);
    expect(joined.oobScore!).toBeCloseTo(whole.oobScore!, 12);
  });

  it('refuses parts that leave a gap, overlap or come from another forest, saying which trees', () => {
    const X = createMatrix(
      50,
      2,
      Float64Array.from({ length: 100 }, (_, i) => (i * 7) % 13),
    );
    const y = Float64Array.from({ length: 50 }, (_, r) => r % 2);
    const est = new RandomForestClassifier({ nEstimators: 10, seed: 1 });
    const a = est.fitPart(X, y, { start: 0, end: 4 });
    const b = est.fitPart(X, y, { start: 5, end: 10 });
    expect(() => est.fromParts([a, b])).toThrow(/trees \[4, 5\) are missing/);
    expect(() => est.fromParts([a, a])).toThrow(InputError);
    expect(() => est.fromParts([a, a])).toThrow(/trees \[0, 4\) are in two parts/);
    expect(() => est.fromParts([a])).toThrow(/trees \[4, 10\) are missing/);
    const other = new RandomForestClassifier({ nEstimators: 12, seed: 1 }).fitPart(X, y, { start: 4, end: 12 });
    expect(() => est.fromParts([a, other])).toThrow(/forest of 12 trees/);
    expect(() => est.fitPart(X, y, { start: 4, end: 11 })).toThrow(/\[4, 11\)/);
  });
});
