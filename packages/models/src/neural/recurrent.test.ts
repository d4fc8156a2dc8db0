import { createMatrix, createRng, fromColumns, load, type Matrix } from '@campaign-ml/core';
import { LinearRegression } from '../linear';
import { MLPRegressor } from './mlp-regressor';
import { FittedRecurrentRegressor, GruRegressor, LstmRegressor } from './recurrent-regressor';
import { createSequences, sequencesFromArrays, sequencesFromMatrix, type Sequences } from './sequences';

/**
 * A long-range dependency: the target is the value of the first of 20 steps (marked by a second
 * feature); the 19 steps after it are noise. The last step says nothing about the target.
 */
function firstStepTask(n: number, seed: number): { X: Sequences; y: Float64Array; last: Matrix } {
  const rng = createRng(seed);
  const T = 20;
  const F = 2;
  const data = new Float64Array(n * T * F);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    for (let t = 0; t < T; t++) {
      data[(r * T + t) * F] = t === 0 ? rng.uniform(-1, 1) : rng.normal(0, 0.5);
      data[(r * T + t) * F + 1] = t === 0 ? 1 : 0;
    }
    y[r] = data[r * T * F];
  }
  const last = fromColumns({
    v: Float64Array.from({ length: n }, (_, r) => data[(r * T + T - 1) * F]),
    first: Float64Array.from({ length: n }, (_, r) => data[(r * T + T - 1) * F + 1]),
  });
  return { X: createSequences(n, T, F, data, { featureNames: ['v', 'first'] }), y, last };
}

function r2(pred: Float64Array, y: Float64Array): number {
  let mean = 0;
  for (const v of y) mean += v;
  mean /= y.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < y.length; i++) {
    res += (y[i] - pred[i]) ** 2;
    tot += (y[i] - mean) ** 2;
  }
  return 1 - res / tot;
}

/** Ragged sequences of 2 features, lengths 3..8, target = sum of the first feature over valid steps, and a second output. */
function raggedTask(n: number, seed: number, pad: number): { X: Sequences; Y: Matrix } {
  const rng = createRng(seed);
  const T = 8;
  const F = 2;
  const data = new Float64Array(n * T * F).fill(pad);
  const lengths = new Int32Array(n);
  const y1 = new Float64Array(n);
  const y2 = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    lengths[r] = 3 + rng.int(6);
    for (let t = 0; t < lengths[r]; t++) {
      const a = rng.normal();
      const b = rng.normal();
      data[(r * T + t) * F] = a;
      data[(r * T + t) * F + 1] = b;
      y1[r] += a;
      y2[r] = b;
    }
  }
  return {
    X: createSequences(n, T, F, data, { lengths, featureNames: ['a', 'b'] }),
    Y: fromColumns({ sum: y1, lastB: y2 }),
  };
}

describe('LstmRegressor / GruRegressor', () => {
  const train = firstStepTask(400, 1);
  const test = firstStepTask(300, 2);

  it.each([
    ['LSTM', LstmRegressor],
    ['GRU', GruRegressor],
  ] as const)(
    '%s remembers the first of 20 noisy steps, which a linear model or an MLP on the last step cannot',
    (_, Model) => {
      const m = new Model({
        hiddenSizes: [8],
        learningRate: 0.01,
        maxEpochs: 40,
        earlyStopping: false,
        seed: 1,
      }).fit(train.X, train.y);
      const rnn = r2(m.predict(test.X), test.y);
      const linear = r2(new LinearRegression().fit(train.last, train.y).predict(test.last), test.y);
      const mlp = r2(
        new MLPRegressor({ hiddenLayerSizes: [16], maxIter: 100, seed: 1 }).fit(train.last, train.y).predict(test.last),
        test.y,
      );
      expect(linear).toBeLessThan(0.05);
      expect(mlp).toBeLessThan(0.05);
      expect(rnn).toBeGreaterThan(0.9);
      expect(m.lossCurve[m.lossCurve.length - 1]).toBeLessThan(m.lossCurve[0] / 5);
    },
  );

  it('predicts a padded sequence exactly as the same sequence unpadded', () => {
    const { X, Y } = raggedTask(200, 3, 0);
    const m = new LstmRegressor({ hiddenSizes: [6, 4], dropout: 0.1, maxEpochs: 5, seed: 2 }).fit(X, Y);
    // Row 7 alone, cut to its length, no padding at all; and inside a batch padded with NaN.
    const L = X.lengths![7];
    const own = createSequences(1, L, 2, X.data.slice(7 * 16, 7 * 16 + L * 2), { featureNames: ['a', 'b'] });
    const padded = X.data.slice();
    for (let r = 0; r < X.rows; r++) for (let i = X.lengths![r] * 2; i < 16; i++) padded[r * 16 + i] = NaN;
    const batch = createSequences(X.rows, 8, 2, padded, { lengths: X.lengths, featureNames: ['a', 'b'] });
    const alone = m.predict(own);
    const inBatch = m.predict(batch);
    expect(Array.from(inBatch.subarray(14, 16))).toEqual(Array.from(alone));
    expect(Array.from(inBatch)).toEqual(Array.from(m.predict(X)));
  });

  it('trains the same model whatever the padding holds (padded steps add nothing to loss or gradients)', () => {
    const zero = raggedTask(150, 4, 0);
    const junk = raggedTask(150, 4, 1e6);
    const p = { hiddenSizes: [5], dropout: 0.2, maxEpochs: 4, seed: 3 };
    for (const Model of [LstmRegressor, GruRegressor]) {
      const a = new Model(p).fit(zero.X, zero.Y);
      const b = new Model(p).fit(junk.X, junk.Y);
      expect(b.lossCurve).toEqual(a.lossCurve);
      expect(b.predict(zero.X)).toEqual(a.predict(zero.X));
    }
  });

  it('fits one output per column of y (horizons) and learns a ragged sum', () => {
    const tr = raggedTask(600, 5, 0);
    const te = raggedTask(200, 6, 0);
    const m = new GruRegressor({ hiddenSizes: [12], learningRate: 0.01, maxEpochs: 40, seed: 4 }).fit(tr.X, tr.Y);
    expect(m.outputs).toEqual(['sum', 'lastB']);
    const pred = m.predict(te.X);
    expect(pred.length).toBe(400);
    const sum = Float64Array.from({ length: 200 }, (_, r) => pred[2 * r]);
    const lastB = Float64Array.from({ length: 200 }, (_, r) => pred[2 * r + 1]);
    expect(r2(sum, te.Y.data.subarray(0, 200))).toBeGreaterThan(0.8);
    expect(r2(lastB, te.Y.data.subarray(200, 400))).toBeGreaterThan(0.8);
    expect(m.validationLoss.length).toBe(m.nIter);
  });

  it('is reproducible for a seed, differs across seeds, and stops early on a validation split', () => {
    const { X, Y } = raggedTask(120, 7, 0);
    const p = { hiddenSizes: [4], dropout: 0.2, maxEpochs: 200, nIterNoChange: 3, seed: 5 };
    const a = new LstmRegressor(p).fit(X, Y);
    const b = new LstmRegressor(p).fit(X, Y);
    const c = new LstmRegressor({ ...p, seed: 6 }).fit(X, Y);
    expect(b.predict(X)).toEqual(a.predict(X));
    expect(c.predict(X)).not.toEqual(a.predict(X));
    expect(a.nIter).toBeLessThan(200);
    expect(a.validationLoss.length).toBe(a.nIter);
  });

  it.each([
    ['LSTM', LstmRegressor, 'models/LstmRegressor'],
    ['GRU', GruRegressor, 'models/GruRegressor'],
  ] as const)('%s round-trips through JSON exactly', (_, Model, kind) => {
    const { X, Y } = raggedTask(80, 8, 0);
    const m = new Model({ hiddenSizes: [5, 3], dropout: 0.1, maxEpochs: 3, seed: 7 }).fit(X, Y);
    const json = JSON.stringify(m);
    const back = load<FittedRecurrentRegressor>(json);
    expect(back).toBeInstanceOf(FittedRecurrentRegressor);
    expect(back.cell).toBe(m.cell);
    expect(back.toJSON().kind).toBe(kind);
    expect(JSON.stringify(back)).toBe(json);
    expect(back.predict(X)).toEqual(m.predict(X));
  });

  it('names the row, step and feature of a missing value, and the row of a bad target or length', () => {
    const { X, Y } = raggedTask(20, 9, 0);
    const bad = X.data.slice();
    bad[(2 * 8 + 1) * 2 + 1] = NaN; // row 2, step 1, feature "b" (every row has >= 3 steps)
    const Xbad = createSequences(20, 8, 2, bad, { lengths: X.lengths, featureNames: ['a', 'b'] });
    expect(() => new LstmRegressor().fit(Xbad, Y)).toThrow(/feature "b" is missing \(NaN\) at row 2, step 1/);
    const m = new LstmRegressor({ maxEpochs: 1 }).fit(X, Y);
    expect(() => m.predict(Xbad)).toThrow(/row 2, step 1/);
    const y = Float64Array.from(Y.data.subarray(0, 20));
    y[5] = NaN;
    expect(() => new GruRegressor().fit(X, y)).toThrow(/target "y" at row 5 is NaN/);
    expect(() => new GruRegressor().fit(X, y.subarray(0, 10))).toThrow(/20 sequences but y has 10 rows/);
    expect(() => createSequences(2, 3, 2, new Float64Array(11))).toThrow(
      /11 values but 2 rows x 3 steps x 2 features need 12/,
    );
    expect(() => createSequences(2, 3, 1, new Float64Array(6), { lengths: [3, 4] })).toThrow(/row 1 has length 4/);
    const other = createSequences(20, 8, 2, X.data, { lengths: X.lengths, featureNames: ['a', 'c'] });
    expect(() => m.predict(other)).toThrow(/feature 1 is "c" but the model expects "b"/);
    expect(() => new LstmRegressor({ hiddenSizes: [0] })).toThrow(/hiddenSizes/);
    expect(() => new LstmRegressor({ dropout: 1 })).toThrow(/dropout/);
  });

  it('builds sequences from nested arrays (ragged) and from lag columns of a matrix', () => {
    const s = sequencesFromArrays(
      [
        [[1, 2]],
        [
          [3, 4],
          [5, 6],
        ],
      ],
      ['p', 'q'],
    );
    expect([s.rows, s.steps, s.features]).toEqual([2, 2, 2]);
    expect(Array.from(s.lengths!)).toEqual([1, 2]);
    expect(Array.from(s.data)).toEqual([1, 2, 0, 0, 3, 4, 5, 6]);
    const X = createMatrix(2, 4, Float64Array.from([1, 2, 10, 20, 3, 4, 30, 40]), [
      'a_lag2',
      'b_lag2',
      'a_lag1',
      'b_lag1',
    ]);
    const q = sequencesFromMatrix(
      X,
      [
        ['a_lag2', 'b_lag2'],
        ['a_lag1', 'b_lag1'],
      ],
      ['a', 'b'],
    );
    expect(Array.from(q.data)).toEqual([1, 10, 3, 30, 2, 20, 4, 40]);
    expect(q.featureNames).toEqual(['a', 'b']);
  });
});

describe('fit options of the recurrent regressors', () => {
  it('early-stops on the validation sequences given to fit, reports progress and honours an abort', () => {
    const tr = raggedTask(100, 10, 0);
    const va = raggedTask(40, 11, 0);
    const seen: number[] = [];
    const m = new GruRegressor({ hiddenSizes: [4], maxEpochs: 5, seed: 1 }).fit(tr.X, tr.Y, {
      validation: { X: va.X, y: va.Y },
      onProgress: (p) => seen.push(p.done),
    });
    expect(m.validationLoss.length).toBe(m.nIter);
    expect(seen[seen.length - 1]).toBe(m.nIter);
    const ctl = new AbortController();
    ctl.abort();
    expect(() => new LstmRegressor({ maxEpochs: 5 }).fit(tr.X, tr.Y, { signal: ctl.signal })).toThrow(/abort/i);
    const wrong = raggedTask(40, 12, 0);
    expect(() =>
      new GruRegressor({ maxEpochs: 1 }).fit(tr.X, tr.Y, {
        validation: { X: wrong.X, y: Float64Array.from(wrong.Y.data.subarray(0, 40)) },
      }),
    ).toThrow(/validation y has 1 outputs, y has 2/);
  });
});

it('predicts zero sequences as an empty array and one-step sequences like any other', () => {
  const { X, Y } = raggedTask(30, 13, 0);
  const m = new LstmRegressor({ maxEpochs: 1 }).fit(X, Y);
  expect(m.predict(createSequences(0, 8, 2, new Float64Array(0), { featureNames: ['a', 'b'] })).length).toBe(0);
  expect(m.predict(createSequences(1, 1, 2, Float64Array.of(0.5, -1), { featureNames: ['a', 'b'] })).length).toBe(2);
});
