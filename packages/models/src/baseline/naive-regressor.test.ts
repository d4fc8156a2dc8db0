import { ConfigError, fromRows, InputError, load } from '@campaign-ml/core';
import { FittedNaiveRegressor, NaiveRegressor } from './naive-regressor';

const cols = ['x', 'last', 'lag_3'];
const X = fromRows(
  [
    [1, 10, 7],
    [2, NaN, 8],
    [3, NaN, NaN],
    [4, 40, NaN],
  ],
  cols,
);
const y = [11, 9, 20, 40];

describe('NaiveRegressor', () => {
  it('predicts the first present source column, the training mean where all are missing', () => {
    const last = new NaiveRegressor({ columns: ['last'] }).fit(X, y);
    expect(Array.from(last.predict(X))).toEqual([10, 20, 20, 40]);
    const seasonal = new NaiveRegressor({ columns: ['lag_3', 'last'] }).fit(X, y);
    expect(Array.from(seasonal.predict(X))).toEqual([7, 8, 20, 40]);
    expect(seasonal.fallback).toBe(20);
  });

  it('weights the fallback mean by sampleWeight', () => {
    const m = new NaiveRegressor({ columns: ['last'] }).fit(X, y, { sampleWeight: [0, 0, 1, 1] });
    expect(m.fallback).toBe(30);
  });

  it('round-trips exactly through load(toJSON())', () => {
    const m = new NaiveRegressor({ columns: ['lag_3', 'last'] }).fit(X, y);
    const back = load<FittedNaiveRegressor>(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back).toBeInstanceOf(FittedNaiveRegressor);
    expect(Array.from(back.predict(X))).toEqual(Array.from(m.predict(X)));
  });

  it('refuses no columns, and a source column X lacks (naming it)', () => {
    expect(() => new NaiveRegressor({ columns: [] })).toThrow(ConfigError);
    expect(() => new NaiveRegressor({ columns: ['nope'] }).fit(X, y)).toThrow(InputError);
    expect(() => new NaiveRegressor({ columns: ['nope'] }).fit(X, y)).toThrow(/"nope"/);
  });
});
