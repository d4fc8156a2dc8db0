import { ConfigError, createRng, fromColumns, fromRows, load, type Matrix } from '@campaign-ml/core';
import { FittedMLPClassifier, MLPClassifier } from './mlp-classifier';
import { FittedMLPRegressor, MLPRegressor } from './mlp-regressor';

function xor(n: number, seed: number): { X: Matrix; y: Int32Array } {
  const rng = createRng(seed);
  const a = Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
  const b = Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
  const y = Int32Array.from(a, (v, i) => (v * b[i] > 0 ? 1 : 0));
  return { X: fromColumns({ a, b }), y };
}

function accuracy(pred: Int32Array, y: Int32Array): number {
  let c = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) c++;
  return c / y.length;
}

describe('MLPClassifier', () => {
  const train = xor(400, 1);
  const test = xor(400, 2);

  it('learns XOR, which no linear model can', () => {
    const m = new MLPClassifier({ hiddenLayerSizes: [16], learningRateInit: 0.01, maxIter: 300, seed: 1 }).fit(
      train.X,
      train.y,
    );
    expect(accuracy(m.predict(test.X), test.y)).toBeGreaterThan(0.9);
    expect(m.lossCurve[m.lossCurve.length - 1]).toBeLessThan(m.lossCurve[0] / 2);
    const proba = m.predictProba(test.X);
    for (let r = 0; r < 10; r++) expect(proba[2 * r] + proba[2 * r + 1]).toBeCloseTo(1, 12);
  });

  it('learns a three-class nonlinear boundary (rings) with tanh and softmax', () => {
    const rng = createRng(3);
    const n = 600;
    const a = Float64Array.from({ length: n }, () => rng.uniform(-1.5, 1.5));
    const b = Float64Array.from({ length: n }, () => rng.uniform(-1.5, 1.5));
    const y = Int32Array.from(a, (v, i) => {
      const r = Math.hypot(v, b[i]);
      return r < 0.6 ? 0 : r < 1.1 ? 1 : 2;
    });
    const X = fromColumns({ a, b });
    const m = new MLPClassifier({
      hiddenLayerSizes: [24, 12],
      activation: 'tanh',
      learningRateInit: 0.01,
      maxIter: 300,
      seed: 2,
    }).fit(X, y);
    expect(m.classes).toBe(3);
    expect(accuracy(m.predict(X), y)).toBeGreaterThan(0.9);
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const p = { hiddenLayerSizes: [8], maxIter: 20, seed: 7 };
    const a = new MLPClassifier(p).fit(train.X, train.y).predictProba(test.X);
    const b = new MLPClassifier(p).fit(train.X, train.y).predictProba(test.X);
    const c = new MLPClassifier({ ...p, seed: 8 }).fit(train.X, train.y).predictProba(test.X);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('early stopping stops before maxIter and keeps the best validation score', () => {
    const m = new MLPClassifier({
      hiddenLayerSizes: [16],
      learningRateInit: 0.01,
      maxIter: 500,
      earlyStopping: true,
      nIterNoChange: 5,
      seed: 1,
    }).fit(train.X, train.y);
    expect(m.nIter).toBeLessThan(500);
    expect(m.validationScores.length).toBe(m.nIter);
    expect(m.nIter).toBeGreaterThan(5);
  });

  it('uses fit options validation when given', () => {
    const m = new MLPClassifier({
      hiddenLayerSizes: [8],
      maxIter: 50,
      earlyStopping: true,
      nIterNoChange: 3,
      seed: 1,
    }).fit(train.X, train.y, {
      validation: { X: test.X, y: test.y },
    });
    expect(m.validationScores.length).toBe(m.nIter);
  });

  it('round-trips bit for bit', () => {
    const m = new MLPClassifier({ hiddenLayerSizes: [8, 4], maxIter: 10, seed: 4 }).fit(train.X, train.y);
    const back = load<FittedMLPClassifier>(JSON.stringify(m));
    expect(back.predictProba(test.X)).toEqual(m.predictProba(test.X));
    expect(back.toJSON()).toEqual(m.toJSON());
  });

  it('rejects missing values, sample weights and bad params', () => {
    const X = fromRows(
      [
        [1, 2],
        [NaN, 1],
        [0, 0],
      ],
      ['u', 'v'],
    );
    expect(() => new MLPClassifier().fit(X, [0, 1, 0])).toThrow(/column "u" is missing \(NaN\) at row 1; impute/);
    expect(() => new MLPClassifier().fit(train.X, train.y, { sampleWeight: new Float64Array(400).fill(1) })).toThrow(
      /sampleWeight/,
    );
    expect(() => new MLPClassifier({ hiddenLayerSizes: [0] })).toThrow(ConfigError);
    expect(() => new MLPClassifier({ activation: 'sigmoid' as 'relu' })).toThrow(/activation must be one of/);
  });
});

describe('MLPRegressor', () => {
  it('fits a sine', () => {
    const rng = createRng(5);
    const n = 400;
    const x = Float64Array.from({ length: n }, () => rng.uniform(-3, 3));
    const y = x.map((v) => Math.sin(v));
    const X = fromColumns({ x });
    const m = new MLPRegressor({
      hiddenLayerSizes: [32, 32],
      activation: 'tanh',
      learningRateInit: 0.01,
      maxIter: 300,
      seed: 1,
    }).fit(X, y);
    const pred = m.predict(X);
    let mse = 0;
    for (let i = 0; i < n; i++) mse += (pred[i] - y[i]) ** 2;
    expect(mse / n).toBeLessThan(0.01); // variance of sin on [-3, 3] is about 0.5
    const back = load<FittedMLPRegressor>(m.toJSON());
    expect(back.predict(X)).toEqual(pred);
  });

  it('early stopping on R² stops', () => {
    const rng = createRng(6);
    const x = Float64Array.from({ length: 300 }, () => rng.uniform(-1, 1));
    const y = x.map((v) => 2 * v + rng.normal() * 0.1);
    const m = new MLPRegressor({
      hiddenLayerSizes: [8],
      earlyStopping: true,
      maxIter: 1000,
      learningRateInit: 0.01,
      seed: 2,
    }).fit(fromColumns({ x }), y);
    expect(m.nIter).toBeLessThan(1000);
    expect(Math.max(...m.validationScores)).toBeGreaterThan(0.9);
  });
});
