import { fromRows, load, take } from '@campaign-ml/core';
import { DecisionTreeClassifier, DecisionTreeRegressor } from './decision-tree';
import type { FittedTreeClassifier, FittedTreeRegressor } from './fitted-tree-model';
import { RandomForestClassifier, RandomForestRegressor } from './random-forest';
import { accuracy, randomMatrix, xorData } from './test-data';
import ref from './__fixtures__/trees_reference.json';

describe('DecisionTreeClassifier', () => {
  it('matches a scikit-learn 1.2 gini tree of depth 3 (root split and probabilities)', () => {
    const rows = ref.sklearnTree.rows;
    const X = take(fromRows(ref.X as (number | null)[][]), rows);
    const y = rows.map((i) => ref.yBinary[i]);
    const m = new DecisionTreeClassifier({ maxDepth: 3 }).fit(X, y);
    const t = m.trees()[0];
    expect(t.feature[0]).toBe(ref.sklearnTree.rootFeature);
    expect(t.threshold[0]).toBeCloseTo(ref.sklearnTree.rootThreshold, 6);
    const p = m.predictProba(X);
    for (let i = 0; i < rows.length; i++) expect(p[2 * i + 1]).toBeCloseTo(ref.sklearnTree.proba[i], 10);
  });

  it('exposes tree arrays for TreeSHAP: children, covers that add up, leaf values', () => {
    const { X, y } = xorData(500, 3);
    const t = new DecisionTreeClassifier({ maxDepth: 4 }).fit(X, y).trees()[0];
    for (let i = 0; i < t.feature.length; i++) {
      if (t.left[i] < 0) continue;
      expect(t.cover[t.left[i]] + t.cover[t.right[i]]).toBeCloseTo(t.cover[i], 9);
    }
    expect(t.cover[0]).toBe(500);
  });

  it('fits a regression tree to leaf means', () => {
    const X = fromRows([[1], [2], [3], [10], [11], [12]]);
    const m = new DecisionTreeRegressor({ maxDepth: 1 }).fit(X, [1, 2, 3, 10, 11, 12]);
    expect(Array.from(m.predict(fromRows([[0], [20]])))).toEqual([2, 11]);
  });
});

describe('RandomForestClassifier', () => {
  it('learns XOR and reports an out-of-bag accuracy close to test accuracy', () => {
    const { X, y } = xorData(1500, 4);
    const m = new RandomForestClassifier({ nEstimators: 30, oobScore: true, maxFeatures: 'all' }).fit(X, y);
    const test = xorData(1000, 5);
    const acc = accuracy(m.predict(test.X), test.y);
    expect(acc).toBeGreaterThan(0.93);
    expect(m.oobScore!).toBeGreaterThan(0.9);
    expect(Math.abs(m.oobScore! - acc)).toBeLessThan(0.05);
  });

  it('handles multiclass with leaf class frequencies that sum to 1', () => {
    const X = randomMatrix(600, 4, 8);
    const y = new Float64Array(600);
    for (let r = 0; r < 600; r++) y[r] = X.data[r] > 0.5 ? 2 : X.data[600 + r] > 0 ? 1 : 0;
    const m = new RandomForestClassifier({ nEstimators: 20, seed: 3 }).fit(X, y);
    const p = m.predictProba(X);
    for (let r = 0; r < 600; r++) expect(p[3 * r] + p[3 * r + 1] + p[3 * r + 2]).toBeCloseTo(1, 12);
    expect(accuracy(m.predict(X), y)).toBeGreaterThan(0.95);
  });

  it('is reproducible for a seed and round-trips bit for bit', () => {
    const { X, y } = xorData(400, 6);
    const a = new RandomForestClassifier({ nEstimators: 10, seed: 7 }).fit(X, y);
    const b = new RandomForestClassifier({ nEstimators: 10, seed: 7 }).fit(X, y);
    expect(Array.from(b.predictProba(X))).toEqual(Array.from(a.predictProba(X)));
    const back = load<FittedTreeClassifier>(JSON.parse(JSON.stringify(a)));
    expect(Buffer.from(back.predictProba(X).buffer)).toEqual(Buffer.from(a.predictProba(X).buffer));
  });
});

describe('RandomForestRegressor', () => {
  it('fits a smooth function and reports an out-of-bag R^2', () => {
    const X = randomMatrix(1000, 3, 12);
    const y = new Float64Array(1000);
    for (let r = 0; r < 1000; r++) y[r] = Math.sin(X.data[r]) + 0.5 * X.data[1000 + r];
    const m = new RandomForestRegressor({ nEstimators: 30, oobScore: true, minSamplesLeaf: 2 }).fit(X, y);
    expect(m.oobScore!).toBeGreaterThan(0.85);
    const back = load<FittedTreeRegressor>(JSON.stringify(m));
    expect(Array.from(back.predict(X))).toEqual(Array.from(m.predict(X)));
  });
});
