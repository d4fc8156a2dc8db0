import { createRng, fromColumns, load, type Matrix } from '@campaign-ml/core';
import { FittedLagSequenceRegressor, LagSequenceRegressor } from './lag-sequence-regressor';

/** Weekly lags 5..1 and the current week of two columns; the target is 3 x the oldest lag of `a`. */
function lagTable(n: number, seed: number, missingShare = 0.3): { X: Matrix; y: Float64Array } {
  const rng = createRng(seed);
  const cols: Record<string, Float64Array> = {};
  const names = (k: number): [string, string] => (k === 0 ? ['a', 'b'] : [`a_lag_${k}`, `b_lag_${k}`]);
  for (let k = 5; k >= 0; k--) for (const c of names(k)) cols[c] = new Float64Array(n);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    // A share of the rows has a short history: its oldest lags are missing.
    const start = rng.random() < missingShare ? 1 + rng.int(3) : 0;
    for (let k = 5; k >= 0; k--) {
      const [a, b] = names(k);
      const missing = 5 - k < start;
      cols[a][r] = missing ? NaN : rng.uniform(0, 100);
      cols[b][r] = missing ? NaN : rng.uniform(0, 10);
    }
    const oldest = names(5 - start)[0];
    y[r] = 3 * Math.log1p(cols[oldest][r]);
  }
  return { X: fromColumns(cols), y };
}

const steps = [5, 4, 3, 2, 1].map((k) => [`a_lag_${k}`, `b_lag_${k}`]).concat([['a', 'b']]);

describe('LagSequenceRegressor', () => {
  it('reads the lag columns of a Matrix as sequences, short histories as short sequences', () => {
    const train = lagTable(500, 1);
    const test = lagTable(200, 2);
    const m = new LagSequenceRegressor({
      cell: 'gru',
      steps,
      logInputs: true,
      hiddenSizes: [12],
      learningRate: 0.01,
      maxEpochs: 60,
      seed: 1,
    }).fit(train.X, train.y);
    const pred = m.predict(test.X);
    let res = 0;
    let tot = 0;
    let mean = 0;
    for (const v of test.y) mean += v / test.y.length;
    for (let i = 0; i < pred.length; i++) {
      res += (pred[i] - test.y[i]) ** 2;
      tot += (test.y[i] - mean) ** 2;
    }
    expect(1 - res / tot).toBeGreaterThan(0.8);
    expect(m.params.featureNames).toEqual(['a', 'b']);
  });

  it('round-trips through JSON exactly and names a missing column', () => {
    const { X, y } = lagTable(100, 3);
    const m = new LagSequenceRegressor({ steps, maxEpochs: 3, seed: 2 }).fit(X, y);
    const json = JSON.stringify(m);
    const back = load<FittedLagSequenceRegressor>(json);
    expect(JSON.stringify(back)).toBe(json);
    expect(back.predict(X)).toEqual(m.predict(X));
    expect(() =>
      new LagSequenceRegressor({
        steps: [
          ['a_lag_9', 'b_lag_9'],
          ['a', 'b'],
        ],
      }).fit(X, y),
    ).toThrow(/column "a_lag_9" \(step 0\) is not in X/);
    expect(() => new LagSequenceRegressor({ steps: [['a_lag_1'], ['a', 'b']] })).toThrow(/step 1 names 2 columns/);
  });
});
