import { ConfigError, createMatrix, fromRows, InputError, load, sliceRows, take } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';
import { GradientBoostingClassifier, GradientBoostingRegressor } from './gradient-boosting';
import type { FittedTreeClassifier, FittedTreeRegressor } from './fitted-tree-model';
import { accuracy, randomMatrix, xorData } from './test-data';
import ref from './__fixtures__/trees_reference.json';

const Xref: Matrix = fromRows(ref.X as (number | null)[][]);

describe('GradientBoostingRegressor against XGBoost 1.7 hist', () => {
  it('grows the same depth-2 tree (splits, thresholds, leaf values)', () => {
    const m = new GradientBoostingRegressor({ nEstimators: 1, maxDepth: 2, learningRate: 1 }).fit(
      Xref,
      ref.yRegression,
    );
    const t = m.trees()[0];
    const dump = JSON.parse(ref.xgbSingleTree.dump);
    expect(t.feature[0]).toBe(0);
    expect(t.threshold[0]).toBeCloseTo(dump.split_condition - 0.05, 5); // XGBoost: x < 0.3; ours: x <= 0.25
    const pred = m.predict(Xref);
    for (let i = 0; i < pred.length; i++) expect(pred[i]).toBeCloseTo(ref.xgbSingleTree.pred[i], 4);
  });
});

describe('GradientBoostingClassifier', () => {
  it('matches XGBoost binary logistic probabilities (20 rounds, depth 3) within 1e-4', () => {
    const m = new GradientBoostingClassifier({ nEstimators: 20, maxDepth: 3, learningRate: 0.3 }).fit(
      Xref,
      ref.yBinary,
    );
    const p = m.predictProba(Xref);
    let maxDiff = 0;
    for (let i = 0; i < Xref.rows; i++) maxDiff = Math.max(maxDiff, Math.abs(p[2 * i + 1] - ref.xgbBinary.proba[i]));
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('learns XOR, which no single feature explains', () => {
    const { X, y } = xorData(2000, 1);
    const m = new GradientBoostingClassifier({ nEstimators: 30, maxDepth: 3 }).fit(X, y);
    const test = xorData(1000, 2);
    expect(accuracy(m.predict(test.X), test.y)).toBeGreaterThan(0.95);
  });

  it('sends missing values the learned direction', () => {
    // Missing x0 behaves like large x0 (class 1); the split must send NaN right with the large values.
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 400; i++) {
      const v = (i % 100) / 10;
      const missing = i % 7 === 0;
      rows.push([missing ? NaN : v]);
      y.push(missing || v > 5 ? 1 : 0);
    }
    const m = new GradientBoostingClassifier({ nEstimators: 10, maxDepth: 2 }).fit(fromRows(rows), y);
    const p = m.predictProba(fromRows([[NaN], [1], [9]]));
    expect(p[1]).toBeGreaterThan(0.7);
    expect(p[3]).toBeLessThan(0.3);
    expect(p[5]).toBeGreaterThan(0.7);
    // And the opposite mapping learns the opposite direction.
    const y2 = y.map((v, i) => (i % 7 === 0 ? 0 : v));
    const m2 = new GradientBoostingClassifier({ nEstimators: 10, maxDepth: 2 }).fit(fromRows(rows), y2);
    expect(m2.predictProba(fromRows([[NaN]]))[1]).toBeLessThan(0.3);
  });

  it('without missing values in training, sends NaN to the larger child', () => {
    // 300 rows of x < 3 (class 0) and 100 of x >= 3 (class 1): the root's larger child is the left.
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 400; i++) {
      const v = i < 300 ? i / 100 : 3 + (i - 300) / 100;
      rows.push([v]);
      y.push(v >= 3 ? 1 : 0);
    }
    const m = new GradientBoostingClassifier({ nEstimators: 5, maxDepth: 1 }).fit(fromRows(rows), y);
    const t = m.trees()[0];
    expect(t.defaultLeft[0]).toBe(1);
    expect(m.predictProba(fromRows([[NaN]]))[1]).toBeLessThan(0.5);
    // Mirrored: the larger child is the right one.
    const m2 = new GradientBoostingClassifier({ nEstimators: 5, maxDepth: 1 }).fit(
      fromRows(rows.map((r) => [-r[0]])),
      y,
    );
    expect(m2.trees()[0].defaultLeft[0]).toBe(0);
  });

  it('grows the same trees with and without per-bin row counts in the histograms', () => {
    // A constant column declared categorical switches the grower to counted histograms; it can
    // never split, so the trees must be the same as with the count-free histograms.
    const X = randomMatrix(700, 4, 21);
    for (let r = 0; r < 700; r++) X.data[3 * 700 + r] = 0;
    const y = Float64Array.from({ length: 700 }, (_, r) =>
      X.data[r] + X.data[700 + r] * X.data[1400 + r] > 0 ? 1 : 0,
    );
    const free = new GradientBoostingClassifier({ nEstimators: 15, maxDepth: 4 }).fit(X, y);
    const counted = new GradientBoostingClassifier({ nEstimators: 15, maxDepth: 4, categoricalFeatures: [3] }).fit(
      X,
      y,
    );
    expect(Array.from(free.predictProba(X))).toEqual(Array.from(counted.predictProba(X)));
    expect(Array.from(free.trees()[7].threshold)).toEqual(Array.from(counted.trees()[7].threshold));
  });

  it('splits categorical features natively and beats treating codes as ordered numbers', () => {
    // 40 categories; a random half of them are "good". Shallow trees on codes cannot isolate them.
    const n = 4000;
    const good = new Set([1, 4, 5, 9, 12, 13, 17, 20, 22, 23, 28, 30, 31, 34, 36, 39]);
    const data = new Float64Array(n);
    const y = new Float64Array(n);
    let s = 12345;
    for (let r = 0; r < n; r++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const c = s % 40;
      data[r] = c;
      y[r] = good.has(c) !== r % 10 < 1 ? 1 : 0; // 10% label noise
    }
    const X = createMatrix(n, 1, data, ['cat']);
    const params = { nEstimators: 5, maxDepth: 1, learningRate: 0.5 };
    const native = new GradientBoostingClassifier({ ...params, categoricalFeatures: ['cat'] }).fit(X, y);
    const ordinal = new GradientBoostingClassifier(params).fit(X, y);
    const accNative = accuracy(native.predict(X), y);
    const accOrdinal = accuracy(ordinal.predict(X), y);
    expect(accNative).toBeGreaterThan(0.88);
    expect(accNative).toBeGreaterThan(accOrdinal + 0.1);
  });

  it('treats integer sample weights like duplicated rows', () => {
    const X = fromRows(ref.X.slice(0, 120) as (number | null)[][]);
    const y = ref.yBinary.slice(0, 120);
    const w = y.map((_, i) => 1 + (i % 3));
    const dupIdx: number[] = [];
    w.forEach((k, i) => {
      for (let j = 0; j < k; j++) dupIdx.push(i);
    });
    const params = { nEstimators: 10, maxDepth: 3 };
    const weighted = new GradientBoostingClassifier(params).fit(X, y, { sampleWeight: w });
    const duplicated = new GradientBoostingClassifier(params).fit(
      take(X, dupIdx),
      dupIdx.map((i) => y[i]),
    );
    const a = weighted.predictProba(X);
    const b = duplicated.predictProba(X);
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 10);
  });

  it('stops early on a validation set and keeps the best iteration', () => {
    const X = randomMatrix(1200, 5, 3);
    const y = new Float64Array(1200);
    for (let r = 0; r < 1200; r++)
      y[r] = X.data[r] + 0.8 * X.data[1200 + ((r * 7) % 1200)] > 0 !== (r % 4 === 0) ? 1 : 0;
    const train = sliceRows(X, 0, 800);
    const val = sliceRows(X, 800);
    const m = new GradientBoostingClassifier({
      nEstimators: 500,
      learningRate: 0.3,
      maxDepth: 6,
      earlyStoppingRounds: 10,
    }).fit(train, y.subarray(0, 800), {
      validation: { X: val, y: y.subarray(800) },
    });
    expect(m.bestIteration).not.toBeNull();
    expect(m.bestIteration!).toBeLessThan(400);
    expect(m.nTrees).toBe(m.bestIteration! + 1);
    const losses = m.validationLoss!;
    expect(losses.length).toBe(m.bestIteration! + 11);
    for (let i = m.bestIteration! + 1; i < losses.length; i++)
      expect(losses[i]).toBeGreaterThanOrEqual(losses[m.bestIteration!]);
    expect(() => new GradientBoostingClassifier({ earlyStoppingRounds: 5 }).fit(train, y.subarray(0, 800))).toThrow(
      ConfigError,
    );
  });

  it('fits multiclass softmax with one tree per class per round; probabilities sum to 1', () => {
    const X = randomMatrix(900, 4, 5);
    const y = new Float64Array(900);
    for (let r = 0; r < 900; r++) y[r] = X.data[r] > 0.5 ? 2 : X.data[900 + r] > 0 ? 1 : 0;
    const m = new GradientBoostingClassifier({ nEstimators: 15, maxDepth: 3 }).fit(X, y);
    expect(m.classes).toBe(3);
    expect(m.nTrees).toBe(45);
    const p = m.predictProba(X);
    for (let r = 0; r < 900; r++) expect(p[3 * r] + p[3 * r + 1] + p[3 * r + 2]).toBeCloseTo(1, 12);
    expect(accuracy(m.predict(X), y)).toBeGreaterThan(0.95);
  });

  it('is reproducible for a seed and varies with it when sampling', () => {
    const { X, y } = xorData(800, 9);
    const params = { nEstimators: 10, subsample: 0.7, colsampleBytree: 0.67 };
    const a = new GradientBoostingClassifier({ ...params, seed: 1 }).fit(X, y).predictProba(X);
    const b = new GradientBoostingClassifier({ ...params, seed: 1 }).fit(X, y).predictProba(X);
    const c = new GradientBoostingClassifier({ ...params, seed: 2 }).fit(X, y).predictProba(X);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  it('round-trips through JSON with bit-identical predictions', () => {
    const X = createMatrix(300, 4, Xref.data, ['a', 'b', 'c', 'd']);
    const m = new GradientBoostingClassifier({ nEstimators: 25, maxDepth: 4, categoricalFeatures: [] }).fit(
      X,
      ref.yBinary,
    );
    const back = load<FittedTreeClassifier>(JSON.stringify(m));
    expect(back.classes).toBe(2);
    expect(Buffer.from(back.predictProba(X).buffer)).toEqual(Buffer.from(m.predictProba(X).buffer));
    expect(Array.from(back.featureImportances('cover'))).toEqual(Array.from(m.featureImportances('cover')));
  });

  it('reports importances by gain, cover and split count', () => {
    const m = new GradientBoostingClassifier({ nEstimators: 10, maxDepth: 3 }).fit(Xref, ref.yBinary);
    for (const type of ['gain', 'cover', 'weight'] as const) {
      const imp = m.featureImportances(type);
      expect(imp.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    }
    // x0 carries most of the signal.
    const gain = m.featureImportances('gain');
    expect(gain[0]).toBe(Math.max(...gain));
  });

  it('rejects bad input with InputErrors that name the problem', () => {
    const X = randomMatrix(10, 2, 1);
    const y = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
    const gb = new GradientBoostingClassifier({ nEstimators: 2 });
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as InputError).code;
      }
      return 'no error';
    };
    expect(code(() => gb.fit(X, [...y.slice(0, 9), NaN]))).toBe('INVALID_LABEL');
    expect(code(() => gb.fit(X, [...y.slice(0, 9), Infinity]))).toBe('INVALID_LABEL');
    expect(
      code(() =>
        gb.fit(
          X,
          y.map(() => 1),
        ),
      ),
    ).toBe('SINGLE_CLASS');
    expect(code(() => gb.fit(X, y.slice(0, 9)))).toBe('LENGTH_MISMATCH');
    expect(code(() => gb.fit(X, [...y.slice(0, 9), -1]))).toBe('INVALID_LABEL');
    expect(code(() => gb.fit(X, [...y.slice(0, 9), 1.5]))).toBe('INVALID_LABEL');
    expect(code(() => gb.fit(createMatrix(0, 2), []))).toBe('EMPTY_INPUT');
    const m = gb.fit(X, y);
    expect(code(() => m.predict(randomMatrix(3, 3, 2)))).toBe('COLUMN_MISMATCH');
    expect(() => new GradientBoostingClassifier({ learningRate: 0 })).toThrow(ConfigError);
    expect(() => new GradientBoostingClassifier({ maxBins: 300 })).toThrow(ConfigError);
  });
});

describe('GradientBoostingRegressor', () => {
  it('fits Poisson counts with a log link (positive predictions near the truth)', () => {
    const X = randomMatrix(3000, 2, 11);
    const y = new Float64Array(3000);
    const mu = new Float64Array(3000);
    let s = 99;
    for (let r = 0; r < 3000; r++) {
      mu[r] = Math.exp(0.8 * X.data[r]);
      // Poisson draw by inversion with a small LCG (tests stay independent of the RNG's API).
      let k = 0;
      let p = Math.exp(-mu[r]);
      let cdf = p;
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const u = s / 4294967296;
      while (u > cdf && k < 50) {
        k++;
        p *= mu[r] / k;
        cdf += p;
      }
      y[r] = k;
    }
    const m: FittedTreeRegressor = new GradientBoostingRegressor({
      objective: 'poisson',
      nEstimators: 60,
      maxDepth: 3,
    }).fit(X, y);
    const pred = m.predict(X);
    let err = 0;
    for (let r = 0; r < 3000; r++) {
      expect(pred[r]).toBeGreaterThan(0);
      err += Math.abs(pred[r] - mu[r]);
    }
    expect(err / 3000).toBeLessThan(0.2);
    expect(() =>
      new GradientBoostingRegressor({ objective: 'poisson' }).fit(
        X,
        y.map((v, i) => (i === 3 ? -1 : v)),
      ),
    ).toThrow(InputError);
  });
});
