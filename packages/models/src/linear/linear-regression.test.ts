import { createRng, fromColumns, fromRows, InputError, load, type Matrix } from '@campaign-ml/core';
import { FittedLinearRegressor } from './fitted-linear-regressor';
import { LinearRegression } from './linear-regression';
import { Ridge } from './ridge';
import fixture from './__fixtures__/linear.json';
import { hasMarketing, matrixOf, maxRelDiff, readMarketing } from './__fixtures__/marketing';

function line(n: number, seed: number): { X: Matrix; y: Float64Array } {
  const rng = createRng(seed);
  const a = Float64Array.from({ length: n }, () => rng.normal());
  const b = Float64Array.from({ length: n }, () => rng.normal() * 1000 + 5e4);
  const y = Float64Array.from({ length: n }, (_, i) => 3 * a[i] - 0.002 * b[i] + 7);
  return { X: fromColumns({ a, b }), y };
}

describe('LinearRegression and Ridge', () => {
  it('recovers exact coefficients on badly scaled noiseless data', () => {
    const { X, y } = line(50, 1);
    const m = new LinearRegression().fit(X, y);
    expect(m.coef[0]).toBeCloseTo(3, 10);
    expect(m.coef[1]).toBeCloseTo(-0.002, 12);
    expect(m.intercept).toBeCloseTo(7, 6);
    expect(maxRelDiff(m.predict(X), y)).toBeLessThan(1e-9);
  });

  it('gives a duplicated column a zero coefficient instead of failing', () => {
    const X = fromRows([
      [1, 1, 2],
      [2, 2, 1],
      [3, 3, 5],
      [4, 4, 3],
      [5, 5, 4],
    ]);
    const y = [1, 2, 3, 4, 5.5];
    const m = new LinearRegression().fit(X, y);
    expect(m.coef[1]).toBe(0);
    expect(Number.isFinite(m.coef[0])).toBe(true);
  });

  it('ridge shrinks toward zero and equals least squares at alpha 0', () => {
    const { X, y } = line(40, 2);
    const ols = new LinearRegression().fit(X, y);
    expect(maxRelDiff(new Ridge({ alpha: 0 }).fit(X, y).coef, ols.coef)).toBeLessThan(1e-6);
    const big = new Ridge({ alpha: 1e6 }).fit(X, y);
    expect(Math.abs(big.coef[0])).toBeLessThan(Math.abs(ols.coef[0]));
  });

  it('round-trips bit for bit', () => {
    const { X, y } = line(30, 3);
    for (const m of [new LinearRegression().fit(X, y), new Ridge({ alpha: 2 }).fit(X, y)]) {
      const back = load<FittedLinearRegressor>(JSON.stringify(m));
      expect(back.kind).toBe(m.kind);
      expect(back.predict(X)).toEqual(m.predict(X));
      expect(back.toJSON()).toEqual(m.toJSON());
    }
  });

  it('rejects missing values, bad weights and bad alpha', () => {
    const X = fromRows(
      [
        [1, NaN],
        [2, 3],
        [3, 4],
      ],
      ['a', 'b'],
    );
    expect(() => new LinearRegression().fit(X, [1, 2, 3])).toThrow(/column "b" is missing \(NaN\) at row 0/);
    expect(() => new Ridge().fit(fromRows([[1], [2]]), [1, 2], { sampleWeight: [1, -1] })).toThrow(InputError);
    expect(() => new Ridge({ alpha: -1 })).toThrow(/alpha must be a number >= 0/);
  });
});

const d = hasMarketing ? describe : describe.skip;

d('LinearRegression and Ridge match scikit-learn 1.2 on the marketing data', () => {
  const data = hasMarketing ? readMarketing(fixture.features, fixture.education) : undefined;
  const names = fixture.features.filter((f) => f !== fixture.regressionTarget);
  const cases = fixture.cases.filter((c) => c.model === 'LinearRegression' || c.model === 'Ridge');

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const X = matrixOf(data!.raw, names, c.standardized === true);
    const y = data!.raw[fixture.regressionTarget];
    const sw = c.sampleWeight ? Float64Array.from({ length: X.rows }, (_, i) => 1 + (i % 3)) : undefined;
    const est =
      c.model === 'Ridge' ? new Ridge({ alpha: (c.params as { alpha: number }).alpha }) : new LinearRegression();
    const m = est.fit(X, y, { sampleWeight: sw });
    expect(maxRelDiff(m.coef, c.coef, 1e-6)).toBeLessThan(1e-8);
    expect(Math.abs(m.intercept - (c.intercept as number)) / Math.abs(c.intercept as number)).toBeLessThan(1e-8);
  });
});
