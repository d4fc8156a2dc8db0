import { groupKFold, kFold, stratifiedKFold, trainTestSplitIndices } from './folds';
import { createRng } from './rng';

const sorted = (a: Uint32Array) => Array.from(a).sort((x, y) => x - y);

describe('folds', () => {
  it('kFold partitions every row into exactly one test fold', () => {
    const folds = kFold(10, 3, createRng(1));
    const all = folds.flatMap((f) => Array.from(f.test));
    expect(all.sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    for (const f of folds) expect(f.train.length + f.test.length).toBe(10);
  });

  it('stratifiedKFold keeps class proportions and is reproducible', () => {
    const y = Array.from({ length: 100 }, (_, i) => (i < 20 ? 1 : 0));
    const folds = stratifiedKFold(y, 5, createRng(3));
    for (const f of folds) {
      expect(f.test.length).toBe(20);
      expect(Array.from(f.test).filter((i) => y[i] === 1).length).toBe(4);
    }
    const again = stratifiedKFold(y, 5, createRng(3));
    expect(again.map((f) => sorted(f.test))).toEqual(folds.map((f) => sorted(f.test)));
  });

  it('groupKFold never splits a group', () => {
    const g = ['a', 'a', 'b', 'b', 'b', 'c', 'd', 'd', 'e', 'f'];
    for (const f of groupKFold(g, 3, createRng(2))) {
      const testGroups = new Set(Array.from(f.test).map((i) => g[i]));
      for (const i of f.train) expect(testGroups.has(g[i])).toBe(false);
    }
    expect(() => groupKFold(['a', 'b'], 3)).toThrow(/at least 3 groups/);
  });

  it('trainTestSplitIndices stratifies and rejects bad sizes', () => {
    const y = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 'yes' : 'no'));
    const { train, test } = trainTestSplitIndices(y.length, { testSize: 0.2, rng: createRng(42), stratify: y });
    expect(test.length).toBe(200);
    expect(train.length).toBe(800);
    expect(Array.from(test).filter((i) => y[i] === 'yes').length).toBe(20);
    expect(() => trainTestSplitIndices(10, { testSize: 1.5, rng: createRng(1) })).toThrow(/between 0 and 1/);
    expect(() => kFold(3, 5)).toThrow(/cannot make 5 folds from 3 rows/);
  });
});
