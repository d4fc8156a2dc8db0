import { createRng, fromColumns, fromRows, load, type Matrix } from '@campaign-ml/core';
import { FittedMlLogisticRegression, MlLogisticRegression } from './ml-logistic-regression';
import { FittedMlRandomForestClassifier, MlRandomForestClassifier } from './ml-random-forest-classifier';

function blobs(n: number, seed: number): { X: Matrix; y: Int32Array } {
  const rng = createRng(seed);
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  const a = Float64Array.from(y, (k) => k * 2 + rng.normal() * 0.5);
  const b = Float64Array.from(y, (k) => (k === 1 ? 2 : 0) + rng.normal() * 0.5);
  return { X: fromColumns({ a, b }), y };
}

function accuracy(p: Int32Array, y: Int32Array): number {
  return p.filter((v, i) => v === y[i]).length / y.length;
}

describe('adapters for mljs packages', () => {
  const train = blobs(150, 1);
  const test = blobs(150, 2);

  it('MlRandomForestClassifier: vote shares as probabilities, round trip', () => {
    const m = new MlRandomForestClassifier({ nEstimators: 10, seed: 3 }).fit(train.X, train.y);
    const proba = m.predictProba(test.X);
    for (let r = 0; r < 5; r++) expect(proba[r * 3] + proba[r * 3 + 1] + proba[r * 3 + 2]).toBeCloseTo(1, 12);
    expect(accuracy(m.predict(test.X), test.y)).toBeGreaterThan(0.85);
    const back = load<FittedMlRandomForestClassifier>(JSON.stringify(m));
    expect(back.predictProba(test.X)).toEqual(proba);
  });

  it('MlLogisticRegression: one-vs-rest with an intercept column, round trip', () => {
    const m = new MlLogisticRegression({ numSteps: 300, learningRate: 0.01 }).fit(train.X, train.y);
    expect(m.classes).toBe(3);
    expect(accuracy(m.predict(test.X), test.y)).toBeGreaterThan(0.85);
    const back = load<FittedMlLogisticRegression>(JSON.stringify(m));
    expect(back.predictProba(test.X)).toEqual(m.predictProba(test.X));
  });

  it('both reject missing values with the column named', () => {
    const X = fromRows(
      [
        [1, NaN],
        [2, 1],
        [3, 0],
      ],
      ['p', 'q'],
    );
    expect(() => new MlLogisticRegression().fit(X, [0, 1, 0])).toThrow(/column "q"/);
    expect(() => new MlRandomForestClassifier().fit(X, [0, 1, 0])).toThrow(/column "q"/);
  });
});
