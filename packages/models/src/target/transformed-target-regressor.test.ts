import { ConfigError, fromRows, InputError, load } from '@campaign-ml/core';
import { LinearRegression } from '../linear';
import { DummyRegressor } from '../baseline';
import { GradientBoostingRegressor } from '../trees';
import { FittedTransformedTargetRegressor, TransformedTargetRegressor } from './transformed-target-regressor';

describe('TransformedTargetRegressor', () => {
  it('log1p: a linear model on log1p(y) recovers an exponential relation exactly', () => {
    const rows = Array.from({ length: 20 }, (_, i) => [i / 4]);
    const y = rows.map(([x]) => Math.expm1(0.5 + 0.3 * x));
    const m = new TransformedTargetRegressor({
      estimator: new LinearRegression(),
      transform: 'log1p',
      smearing: false,
    }).fit(fromRows(rows, ['x']), y);
    const p = m.predict(fromRows(rows, ['x']));
    for (let i = 0; i < y.length; i++) expect(p[i]).toBeCloseTo(y[i], 8);
  });

  it('per-row scaling: one constant ratio serves small and large profiles', () => {
    // y = 2 * level exactly, for levels 1..1000: the offset model learns log1p(y) - log1p(level) ≈ log 2.
    const levels = [1, 3, 10, 30, 100, 300, 1000];
    const X = fromRows(
      levels.map((l) => [l]),
      ['level'],
    );
    const y = levels.map((l) => 2 * l + 1); // (1 + y) = 2 (1 + level) exactly
    const m = new TransformedTargetRegressor({
      estimator: new DummyRegressor(),
      offsetColumns: ['level'],
    }).fit(X, y);
    expect(m.smear).toBeCloseTo(1, 12);
    const p = m.predict(X);
    for (let i = 0; i < y.length; i++) expect(p[i]).toBeCloseTo(y[i], 8);
    // identity + offset: the model learns the change from the offset
    const diff = new TransformedTargetRegressor({
      estimator: new DummyRegressor(),
      transform: 'identity',
      offsetColumns: ['level'],
    }).fit(
      X,
      levels.map((l) => l + 5),
    );
    expect(Array.from(diff.predict(X))).toEqual(levels.map((l) => l + 5));
  });

  it('falls back to the training mean of T(y) where the offset is missing; smearing corrects the mean', () => {
    const X = fromRows([[NaN], [NaN], [NaN], [NaN]], ['level']);
    const y = [0, 3, 0, 3];
    const m = new TransformedTargetRegressor({ estimator: new DummyRegressor(), offsetColumns: ['level'] }).fit(X, y);
    // log1p mean = log 2 -> median-like expm1 = 1; smearing: mean(exp(±log 2)) = 1.25 -> 2.5 - 1 = 1.5 (the mean)
    expect(m.predict(X)[0]).toBeCloseTo(1.5, 12);
  });

  it('round-trips exactly with a gradient boosting inner model', () => {
    const rows = Array.from({ length: 60 }, (_, i) => [i % 7, (i * 13) % 11]);
    const X = fromRows(rows, ['a', 'level']);
    const y = rows.map(([a, l]) => (a + 1) * (l + 1));
    const m = new TransformedTargetRegressor({
      estimator: new GradientBoostingRegressor({ nEstimators: 20, seed: 1 }),
      offsetColumns: ['level'],
    }).fit(X, y);
    const back = load<FittedTransformedTargetRegressor>(JSON.parse(JSON.stringify(m.toJSON())));
    expect(Buffer.from(back.predict(X).buffer).equals(Buffer.from(m.predict(X).buffer))).toBe(true);
  });

  it('names the row of a negative count under log1p, and a missing offset column', () => {
    const X = fromRows([[1], [2]], ['level']);
    const est = new TransformedTargetRegressor({ estimator: new DummyRegressor() });
    expect(() => est.fit(X, [1, -3])).toThrow(/row 2/);
    expect(() => est.fit(X, [1, -3])).toThrow(InputError);
    expect(() =>
      new TransformedTargetRegressor({ estimator: new DummyRegressor(), offsetColumns: ['z'] }).fit(X, [1, 2]),
    ).toThrow(/"z"/);
    expect(
      () => new TransformedTargetRegressor({ estimator: new DummyRegressor(), transform: 'sqrt' as 'log1p' }),
    ).toThrow(ConfigError);
  });
});
