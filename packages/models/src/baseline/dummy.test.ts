import { ConfigError, fromRows, load } from '@campaign-ml/core';
import { DummyClassifier, FittedDummyClassifier } from './dummy-classifier';
import { DummyRegressor, FittedDummyRegressor } from './dummy-regressor';

const X = fromRows(Array.from({ length: 10 }, (_, i) => [i]));
const y = [0, 0, 0, 0, 0, 0, 1, 1, 2, 2];

describe('DummyClassifier', () => {
  it('prior: class frequencies as probabilities, most frequent as prediction', () => {
    const m = new DummyClassifier().fit(X, y);
    expect(Array.from(m.predictProba(X).slice(0, 3))).toEqual([0.6, 0.2, 0.2]);
    expect(Array.from(m.predict(X))).toEqual(new Array(10).fill(0));
  });

  it('most_frequent gives one-hot probabilities; weights change the winner', () => {
    const m = new DummyClassifier({ strategy: 'most_frequent' }).fit(X, y, {
      sampleWeight: [1, 1, 1, 1, 1, 1, 1, 1, 9, 9],
    });
    expect(m.mostFrequent).toBe(2);
    expect(Array.from(m.predictProba(X).slice(0, 3))).toEqual([0, 0, 1]);
  });

  it('stratified draws follow the prior and repeat for the seed', () => {
    const big = fromRows(Array.from({ length: 5000 }, () => [0]));
    const m = new DummyClassifier({ strategy: 'stratified', seed: 3 }).fit(X, y);
    const p = m.predict(big);
    const share0 = p.filter((v) => v === 0).length / p.length;
    expect(share0).toBeGreaterThan(0.56);
    expect(share0).toBeLessThan(0.64);
    expect(m.predict(big)).toEqual(p);
    const proba = m.predictProba(big);
    for (let r = 0; r < 20; r++) expect(proba[r * 3 + p[r]]).toBe(1);
  });

  it('uniform: 1/k probabilities; round-trips', () => {
    const m = new DummyClassifier({ strategy: 'uniform', seed: 1 }).fit(X, y);
    expect(m.predictProba(X)[4]).toBeCloseTo(1 / 3, 15);
    const back = load<FittedDummyClassifier>(JSON.stringify(m));
    expect(back.predict(X)).toEqual(m.predict(X));
    expect(back.predictProba(X)).toEqual(m.predictProba(X));
  });

  it('rejects an unknown strategy', () => {
    expect(() => new DummyClassifier({ strategy: 'best' as 'prior' })).toThrow(ConfigError);
  });
});

describe('DummyRegressor', () => {
  const yr = [1, 2, 3, 4, 100, 6, 7, 8, 9, 10];
  it('mean, median, quantile, constant', () => {
    expect(new DummyRegressor().fit(X, yr).value).toBe(15);
    expect(new DummyRegressor({ strategy: 'median' }).fit(X, yr).value).toBe(6.5);
    expect(new DummyRegressor({ strategy: 'quantile', quantile: 0.25 }).fit(X, yr).value).toBeCloseTo(3.25, 12);
    const c = new DummyRegressor({ strategy: 'constant', constant: -2 }).fit(X, yr);
    expect(Array.from(c.predict(X))).toEqual(new Array(10).fill(-2));
  });

  it('weighted mean and median', () => {
    const w = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    expect(new DummyRegressor().fit(X, yr, { sampleWeight: w }).value).toBe(9.5);
    expect(new DummyRegressor({ strategy: 'median' }).fit(X, yr, { sampleWeight: w }).value).toBe(9);
  });

  it('needs quantile/constant for those strategies; round-trips', () => {
    expect(() => new DummyRegressor({ strategy: 'quantile' })).toThrow(/needs quantile/);
    expect(() => new DummyRegressor({ strategy: 'quantile', quantile: 2 })).toThrow(ConfigError);
    const m = new DummyRegressor({ strategy: 'median' }).fit(X, yr);
    expect(load<FittedDummyRegressor>(m.toJSON()).predict(X)).toEqual(m.predict(X));
  });
});
