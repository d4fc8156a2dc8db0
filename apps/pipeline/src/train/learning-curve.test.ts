import { createRng, fromColumns, type Estimator, type FittedModel, type Matrix } from '@campaign-ml/core';
import { LogisticRegression } from '@campaign-ml/models';
import { CURVE_FRACTIONS, computeLearningCurve } from './learning-curve';

describe('computeLearningCurve', () => {
  it('refits on 10%, 25% and 50% of the rows only; the last point is the kept model', () => {
    const rng = createRng(3);
    const n = 2000;
    const x = Float64Array.from({ length: n }, () => rng.normal());
    const y = x.map((v) => (v + rng.normal() > 0 ? 1 : 0));
    const X = fromColumns({ x });
    const fitted: number[] = [];
    const create = (): Estimator<FittedModel> => {
      const inner = new LogisticRegression({});
      return {
        params: inner.params,
        fit: (Xs: Matrix, ys: ArrayLike<number>) => {
          fitted.push(Xs.rows);
          return inner.fit(Xs, ys);
        },
      } as Estimator<FittedModel>;
    };
    const kept = new LogisticRegression({}).fit(X, y);
    const curve = computeLearningCurve(create, kept, X, y, X, y, 'rocAuc', 1, true);
    expect(CURVE_FRACTIONS).toEqual([0.1, 0.25, 0.5, 1]);
    expect(fitted).toEqual([200, 500, 1000]);
    expect(curve.map((p) => p.rows)).toEqual([200, 500, 1000, 2000]);
    for (const p of curve) expect(p.test).toBeGreaterThan(0.7);
  });
});
