import {
  AbortError,
  ConfigError,
  InputError,
  createRng,
  fromColumns,
  type Classifier,
  type Estimator,
  type Matrix,
  type Regressor,
  type Serialized,
} from '@campaign-ml/core';
import { accuracyScore, f1Score, logLoss, rocAucScore } from '../metrics';
import { chooseThreshold } from './choose-threshold';
import { crossValPredict } from './cross-val-predict';
import { crossValidate } from './cross-validate';

/**
 * Test-only estimators: a nearest-centroid classifier on column "x" (softmax of minus squared
 * distances) that records any predicted row id it was trained on, and a least-squares line.
 */
const leaks: number[] = [];

class CentroidModel implements Classifier {
  constructor(
    readonly classes: number,
    private readonly centroids: Float64Array,
    private readonly seenIds: Set<number>,
  ) {}
  predictProba(X: Matrix): Float64Array {
    const k = this.classes;
    const out = new Float64Array(X.rows * k);
    for (let r = 0; r < X.rows; r++) {
      const x = X.data[r];
      const id = X.data[X.rows + r];
      if (this.seenIds.has(id)) leaks.push(id);
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const d = x - this.centroids[c];
        const e = Number.isNaN(d) ? 0 : Math.exp(-d * d);
        out[r * k + c] = e;
        sum += e;
      }
      for (let c = 0; c < k; c++) out[r * k + c] = sum > 0 ? out[r * k + c] / sum : 1 / k;
    }
    return out;
  }
  predict(X: Matrix): Int32Array {
    const p = this.predictProba(X);
    return Int32Array.from({ length: X.rows }, (_, r) => (p[r * this.classes + 1] > p[r * this.classes] ? 1 : 0));
  }
  toJSON(): Serialized {
    return { kind: 'test/Centroid', version: 1 };
  }
}

class Centroid implements Estimator<CentroidModel> {
  readonly params = {};
  fit(X: Matrix, y: ArrayLike<number>): CentroidModel {
    let k = 0;
    for (let i = 0; i < y.length; i++) k = Math.max(k, y[i] + 1);
    const sums = new Float64Array(k);
    const counts = new Float64Array(k);
    const ids = new Set<number>();
    for (let r = 0; r < X.rows; r++) {
      sums[y[r]] += X.data[r];
      counts[y[r]]++;
      ids.add(X.data[X.rows + r]);
    }
    return new CentroidModel(
      k,
      sums.map((s, c) => (counts[c] ? s / counts[c] : NaN)),
      ids,
    );
  }
}

class LineModel implements Regressor {
  constructor(
    private readonly a: number,
    private readonly b: number,
  ) {}
  predict(X: Matrix): Float64Array {
    return Float64Array.from({ length: X.rows }, (_, r) => this.a + this.b * X.data[r]);
  }
  toJSON(): Serialized {
    return { kind: 'test/Line', version: 1 };
  }
}

class Line implements Estimator<LineModel> {
  readonly params = {};
  fit(X: Matrix, y: ArrayLike<number>): LineModel {
    let mx = 0;
    let my = 0;
    for (let r = 0; r < X.rows; r++) {
      mx += X.data[r] / X.rows;
      my += y[r] / X.rows;
    }
    let sxy = 0;
    let sxx = 0;
    for (let r = 0; r < X.rows; r++) {
      sxy += (X.data[r] - mx) * (y[r] - my);
      sxx += (X.data[r] - mx) ** 2;
    }
    const b = sxx ? sxy / sxx : 0;
    return new LineModel(my - b * mx, b);
  }
}

function dataset(n: number, classes: number, seed = 1): { X: Matrix; y: Float64Array } {
  const rng = createRng(seed);
  const y = new Float64Array(n);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Imbalanced: class 0 twice as frequent as the others.
    const u = rng.random() * (classes + 1);
    y[i] = u < 2 ? 0 : Math.min(classes - 1, Math.floor(u) - 1);
    x[i] = y[i] * 1.5 + rng.normal();
  }
  return { X: fromColumns({ x, id: Float64Array.from({ length: n }, (_, i) => i) }), y };
}

const centroid = () => new Centroid();

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('crossValidate', () => {
  const { X, y } = dataset(200, 2);

  it('scores each fold on rows the model never saw, with fold sizes that cover the data', () => {
    leaks.length = 0;
    const r = crossValidate(centroid, X, y, { folds: 5, seed: 3, metrics: ['accuracy', 'rocAuc', 'logLoss'] });
    expect(leaks).toEqual([]);
    expect(r.folds).toHaveLength(5);
    expect(r.folds.reduce((s, f) => s + f.testSize, 0)).toBe(200);
    for (const f of r.folds) {
      expect(f.trainSize + f.testSize).toBe(200);
      expect(f.testSize).toBe(40);
      expect(f.fitTimeMs).toBeGreaterThanOrEqual(0);
      expect(f.scores.rocAuc).toBeGreaterThan(0.75);
    }
    expect(r.greaterIsBetter).toEqual({ accuracy: true, rocAuc: true, logLoss: false });
    const acc = r.folds.map((f) => f.scores.accuracy);
    const mean = acc.reduce((a, b) => a + b) / 5;
    expect(r.mean.accuracy).toBeCloseTo(mean, 12);
    expect(r.std.accuracy).toBeCloseTo(Math.sqrt(acc.reduce((a, v) => a + (v - mean) ** 2, 0) / 5), 12);
  });

  it('fold scores equal the metrics of that fold’s out-of-fold predictions (same seed, same folds)', () => {
    const r = crossValidate(centroid, X, y, { seed: 9, metrics: ['accuracy', 'f1', 'rocAuc', 'logLoss'] });
    const oof = crossValPredict(centroid, X, y, { seed: 9 });
    if (oof.task !== 'classification') throw new Error('expected classification');
    for (const f of r.folds) {
      const rows = [...oof.fold.keys()].filter((i) => oof.fold[i] === f.fold);
      const yt = rows.map((i) => y[i]);
      const p1 = rows.map((i) => oof.proba[i * 2 + 1]);
      const lab = rows.map((i) => oof.labels[i]);
      expect(f.scores.accuracy).toBeCloseTo(accuracyScore(yt, lab), 12);
      expect(f.scores.f1).toBeCloseTo(f1Score(yt, lab), 12);
      expect(f.scores.rocAuc).toBeCloseTo(rocAucScore(yt, p1), 12);
      expect(f.scores.logLoss).toBeCloseTo(logLoss(yt, p1), 12);
    }
  });

  it('is reproducible for a seed and changes with it', () => {
    const strip = (r: ReturnType<typeof crossValidate>) => r.folds.map((f) => f.scores);
    const a = crossValidate(centroid, X, y, { seed: 5, metrics: ['accuracy', 'logLoss'] });
    const b = crossValidate(centroid, X, y, { seed: 5, metrics: ['accuracy', 'logLoss'] });
    const c = crossValidate(centroid, X, y, { seed: 6, metrics: ['accuracy', 'logLoss'] });
    expect(strip(a)).toEqual(strip(b));
    expect(strip(a)).not.toEqual(strip(c));
  });

  it('stratifies classification folds by default, keeping class counts within one of their share', () => {
    const oof = crossValPredict(centroid, X, y, { folds: 4, seed: 2 });
    const ones = y.reduce((a, v) => a + v, 0);
    for (let f = 0; f < 4; f++) {
      const inFold = [...oof.fold.keys()].filter((i) => oof.fold[i] === f);
      const foldOnes = inFold.reduce((a, i) => a + y[i], 0);
      expect(Math.abs(foldOnes - ones / 4)).toBeLessThanOrEqual(1);
    }
  });

  it('keeps each group in one fold', () => {
    const groups = Array.from({ length: 200 }, (_, i) => `g${i % 13}`);
    leaks.length = 0;
    const oof = crossValPredict(centroid, X, y, { folds: 4, groups });
    expect(leaks).toEqual([]);
    const foldOfGroup = new Map<string, number>();
    groups.forEach((g, i) => {
      if (!foldOfGroup.has(g)) foldOfGroup.set(g, oof.fold[i]);
      expect(oof.fold[i]).toBe(foldOfGroup.get(g));
    });
  });

  it('uses default metrics per task and accepts custom metrics', () => {
    const r = crossValidate(centroid, X, y, { folds: 3 });
    expect(Object.keys(r.mean)).toEqual(['rocAuc', 'logLoss', 'accuracy', 'f1']);
    const custom = crossValidate(centroid, X, y, {
      folds: 3,
      metrics: [
        'accuracy',
        {
          name: 'errors',
          greaterIsBetter: false,
          score: (yt, p) => (p.task === 'classification' ? p.labels.filter((l, i) => l !== yt[i]).length : NaN),
        },
      ],
    });
    custom.folds.forEach((f) => expect(f.scores.errors).toBeCloseTo(f.testSize * (1 - f.scores.accuracy), 9));
    expect(custom.greaterIsBetter.errors).toBe(false);
  });

  it('handles multiclass (probabilities widened when a training fold lacks a class) and regression', () => {
    const m = dataset(150, 4, 4);
    const r = crossValidate(centroid, m.X, m.y, { folds: 3, returnEstimators: true });
    expect(Object.keys(r.mean)).toEqual(['accuracy', 'logLoss', 'f1Macro', 'rocAuc']);
    expect(r.estimators).toHaveLength(3);
    expect(r.mean.rocAuc).toBeGreaterThan(0.7);
    // Contiguous unshuffled folds on sorted labels: the first folds never train on class 3.
    const order = [...m.y.keys()].sort((a, b) => m.y[a] - m.y[b]);
    const ys = Float64Array.from(order, (i) => m.y[i]);
    const oof = crossValPredict(centroid, m.X, ys, { folds: 3, shuffle: false, stratified: false });
    expect(oof.task === 'classification' && oof.classes).toBe(4);
    const reg = crossValidate(
      () => new Line(),
      m.X,
      Float64Array.from(m.y, (v, i) => v * 2 + 0.01 * i),
      { folds: 4 },
    );
    expect(Object.keys(reg.mean)).toEqual(['rmse', 'mae', 'r2']);
    expect(reg.greaterIsBetter.rmse).toBe(false);
    const regOof = crossValPredict(() => new Line(), m.X, m.y, { folds: 4, task: 'regression' });
    expect(regOof.task).toBe('regression');
  });

  it('reports progress per fold and stops on abort', () => {
    const events: number[] = [];
    crossValidate(centroid, X, y, { folds: 4, metrics: ['accuracy'], onProgress: (p) => events.push(p.done) });
    expect(events).toEqual([0, 1, 2, 3, 4]);
    const ctrl = new AbortController();
    let fits = 0;
    const e = thrown(() =>
      crossValidate(
        () => {
          if (++fits === 2) ctrl.abort();
          return new Centroid();
        },
        X,
        y,
        { folds: 5, metrics: ['accuracy'], signal: ctrl.signal },
      ),
    );
    expect(e).toBeInstanceOf(AbortError);
    expect(fits).toBe(2);
  });

  it('rejects bad options with errors that say what to change', () => {
    const code = (f: () => unknown) => (thrown(f) as InputError).code;
    expect(code(() => crossValidate(centroid, X, y, { folds: 1 }))).toBe('INVALID_FOLDS');
    expect(code(() => crossValidate(centroid, X, y, { folds: 2.5 }))).toBe('INVALID_FOLDS');
    expect(code(() => crossValidate(centroid, X, y, { folds: 500 }))).toBe('INVALID_FOLDS');
    const unknown = thrown(() => crossValidate(centroid, X, y, { metrics: ['auc' as never] }));
    expect(unknown).toBeInstanceOf(ConfigError);
    expect(unknown.message).toMatch(/unknown metric "auc".*rocAuc/);
    expect(code(() => crossValidate(centroid, X, y, { metrics: ['rmse', 'accuracy'] }))).toBe('INVALID_METRIC');
    expect(code(() => crossValidate(centroid, X, y, { metrics: ['rmse'] }))).toBe('TASK_MISMATCH');
    expect(code(() => crossValidate(centroid, X, y, { metrics: [] }))).toBe('INVALID_METRIC');
    expect(code(() => crossValidate(centroid, X, y, { groups: [1, 2] }))).toBe('LENGTH_MISMATCH');
    expect(code(() => crossValidate(centroid, X, y, { groups: y, stratified: true }))).toBe('INVALID_OPTION');
    expect(code(() => crossValidate(centroid, X, y.subarray(1)))).toBe('LENGTH_MISMATCH');
    expect(code(() => crossValidate(centroid, X, y, { threshold: 2 }))).toBe('INVALID_OPTION');
    expect(code(() => crossValidate(undefined as never, X, y))).toBe('INVALID_FACTORY');
    const m = dataset(60, 3, 2);
    const binaryOnly = thrown(() => crossValidate(centroid, m.X, m.y, { metrics: ['f1'] }));
    expect((binaryOnly as ConfigError).code).toBe('BINARY_METRIC');
    expect(binaryOnly.message).toMatch(/f1Macro/);
    const overlap = [{ train: Uint32Array.of(0, 1, 2), test: Uint32Array.of(2, 3) }];
    expect(code(() => crossValidate(centroid, X, y, { folds: overlap }))).toBe('TRAIN_TEST_OVERLAP');
    const partial = [
      {
        train: Uint32Array.from({ length: 100 }, (_, i) => i),
        test: Uint32Array.from({ length: 100 }, (_, i) => 100 + i),
      },
    ];
    expect(crossValidate(centroid, X, y, { folds: partial, metrics: ['accuracy'] }).folds).toHaveLength(1);
    expect(code(() => crossValPredict(centroid, X, y, { folds: partial }))).toBe('UNCOVERED_ROWS');
  });

  it('names the fold when a metric cannot be computed on it', () => {
    // Unstratified contiguous folds on sorted labels: the first test fold holds only class 0.
    const order = [...y.keys()].sort((a, b) => y[a] - y[b]);
    const ys = Float64Array.from(order, (i) => y[i]);
    const e = thrown(() =>
      crossValidate(centroid, X, ys, { shuffle: false, stratified: false, metrics: ['rocAuc'] }),
    ) as InputError;
    expect(e.code).toBe('SINGLE_CLASS');
    expect(e.message).toMatch(/^fold 0: /);
  });
});

describe('chooseThreshold', () => {
  const rng = createRng(11);
  const n = 300;
  const y = Float64Array.from({ length: n }, () => (rng.random() < 0.3 ? 1 : 0));
  const s = Float64Array.from(y, (v) => Math.round((0.3 * v + 0.7 * rng.random()) * 50) / 50); // ties

  it('finds the F1-best cut found by brute force, and the cut reproduces that F1', () => {
    const best = chooseThreshold(y, s);
    let bruteBest = -1;
    for (const t of new Set(s))
      bruteBest = Math.max(
        bruteBest,
        f1Score(
          y,
          Array.from(s, (v) => (v >= t ? 1 : 0)),
        ),
      );
    expect(best.score).toBeCloseTo(bruteBest, 12);
    expect(
      f1Score(
        y,
        Array.from(s, (v) => (v >= best.threshold ? 1 : 0)),
      ),
    ).toBeCloseTo(best.score, 12);
    expect(best.counts.tp + best.counts.fn).toBe(y.reduce((a, v) => a + v, 0));
    // Midway between two distinct scores, so it is not itself a score.
    expect(s.includes(best.threshold)).toBe(false);
  });

  it('supports other metrics, weights and custom functions', () => {
    const acc = chooseThreshold(y, s, 'accuracy');
    expect(
      accuracyScore(
        y,
        Array.from(s, (v) => (v >= acc.threshold ? 1 : 0)),
      ),
    ).toBeCloseTo(acc.score, 12);
    const w = Float64Array.from(y, (v) => (v ? 3 : 1));
    const weighted = chooseThreshold(y, s, 'f1', { sampleWeight: w });
    expect(
      f1Score(
        y,
        Array.from(s, (v) => (v >= weighted.threshold ? 1 : 0)),
        { sampleWeight: w },
      ),
    ).toBeCloseTo(weighted.score, 12);
    const recallAll = chooseThreshold(y, s, (c) => c.tp / (c.tp + c.fn) - 0.001 * c.fp);
    expect(recallAll.counts.fn).toBe(0);
    expect(chooseThreshold([0, 1, 1], [0.2, 0.8, 0.9], 'mcc').threshold).toBeCloseTo(0.5, 12);
  });

  it('rejects unknown metrics and NaN scores', () => {
    expect(thrown(() => chooseThreshold(y, s, 'auc' as never))).toBeInstanceOf(ConfigError);
    expect((thrown(() => chooseThreshold([0, 1], [0.1, NaN])) as InputError).code).toBe('NAN_VALUE');
  });
});
