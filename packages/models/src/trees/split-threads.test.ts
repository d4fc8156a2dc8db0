import { ConfigError, createMatrix } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';
import { GradientBoostingClassifier, GradientBoostingRegressor } from './gradient-boosting';
import { RandomForestClassifier, RandomForestRegressor } from './random-forest';
import type { GradientBoostingParams } from './gradient-boosting';
import {
  MIN_PARALLEL_ROWS,
  MIN_PARALLEL_WORK,
  minParallelRows,
  minParallelWork,
  splitPoolStatus,
} from './split-threads';
import { randomMatrix } from './test-data';
import { resolveThreads, THREADS_ENV } from './thread-count';

const N = 4000;
const P = 12;

function data(seed: number, missing: boolean, categorical: boolean): { X: Matrix; y: Float64Array; yc: Float64Array } {
  const X = randomMatrix(N, P, seed);
  const d = Float64Array.from(X.data);
  if (categorical) for (let r = 0; r < N; r++) d[5 * N + r] = (r * 7919) % 9; // integer codes 0..8
  if (missing) for (let r = 0; r < N; r += 7) d[((r * 13) % P) * N + r] = NaN;
  const y = new Float64Array(N);
  const yc = new Float64Array(N);
  for (let r = 0; r < N; r++) {
    const x = (c: number): number => (Number.isNaN(d[c * N + r]) ? 0 : d[c * N + r]);
    const s = x(0) + x(1) * x(2) - 0.5 * x(3) + (x(5) % 3 === 1 ? 0.8 : 0) + 0.3 * x(9);
    y[r] = s;
    yc[r] = s > 0.8 ? 2 : s > -0.3 ? 1 : 0;
  }
  return { X: createMatrix(N, P, d), y, yc };
}

function same(fit: (threads: number) => { toJSON(): unknown; predict(X: Matrix): ArrayLike<number> }, X: Matrix): void {
  const one = fit(1);
  const json = JSON.stringify(one.toJSON());
  const pred = Array.from(one.predict(X));
  for (const threads of [2, 3]) {
    const m = fit(threads);
    expect(JSON.stringify(m.toJSON())).toBe(json);
    expect(Array.from(m.predict(X))).toEqual(pred);
  }
}

const base: Partial<GradientBoostingParams> = { nEstimators: 8, maxDepth: 5, learningRate: 0.3 };

describe('tree fits on several threads', () => {
  // Every node through the threads, down to nodes with fewer rows than threads: histograms, split
  // search and row partitions.
  beforeAll(() => {
    minParallelWork(0);
    minParallelRows(0);
  });
  afterAll(() => {
    minParallelWork(MIN_PARALLEL_WORK);
    minParallelRows(MIN_PARALLEL_ROWS);
  });
  it('binary: threads 1, 2 and 3 give the same model bit for bit, and the workers really ran', () => {
    const { X, yc } = data(1, false, false);
    const yb = yc.map((v) => (v === 2 ? 1 : 0));
    const fit = (threads: number) => new GradientBoostingClassifier({ ...base, threads }).fit(X, yb);
    same(fit, X);
    const c = fit(3);
    expect(Array.from(c.predictProba(X))).toEqual(Array.from(fit(1).predictProba(X)));
    expect(splitPoolStatus()).toEqual({ workers: 2, broken: undefined });
  });

  it('multiclass with missing values and a categorical feature', () => {
    const { X, yc } = data(2, true, true);
    same((threads) => new GradientBoostingClassifier({ ...base, categoricalFeatures: [5], threads }).fit(X, yc), X);
  });

  it('regression with row and column subsampling, depth-wise and loss-guided', () => {
    const { X, y } = data(3, false, false);
    same(
      (threads) =>
        new GradientBoostingRegressor({ ...base, subsample: 0.7, colsampleBytree: 0.6, seed: 4, threads }).fit(X, y),
      X,
    );
    same((threads) => new GradientBoostingRegressor({ ...base, maxDepth: null, maxLeaves: 20, threads }).fit(X, y), X);
  });

  it('regression with missing values (histograms with row counts)', () => {
    const { X, y } = data(4, true, false);
    same((threads) => new GradientBoostingRegressor({ ...base, minChildWeight: 0, threads }).fit(X, y), X);
  });

  it('Poisson with sample weights (gradients from y, weights and scores on the threads)', () => {
    const { X, y } = data(6, false, false);
    const counts = y.map((v) => Math.round(Math.exp(v / 2)));
    const sampleWeight = Float64Array.from({ length: N }, (_, r) => 0.5 + (r % 5) / 4);
    same(
      (threads) =>
        new GradientBoostingRegressor({ ...base, objective: 'poisson', threads }).fit(X, counts, { sampleWeight }),
      X,
    );
  });

  it('does not save the thread count with the model', () => {
    const { X, y } = data(5, false, false);
    const m = new GradientBoostingRegressor({ nEstimators: 2, threads: 2 }).fit(X, y);
    expect(JSON.stringify(m.toJSON())).not.toContain('threads');
  });
});

describe('forests on several threads (trees side by side)', () => {
  it('classifier (3 classes, a categorical feature, missing values): threads 1, 2 and 3 give the same forest', () => {
    const { X, yc } = data(8, true, true);
    same(
      (threads) =>
        new RandomForestClassifier({ nEstimators: 7, categoricalFeatures: [5], seed: 3, threads }).fit(X, yc),
      X,
    );
  });

  it('regressor with sample weights, and a classifier with oobScore (kept on one thread)', () => {
    const { X, y, yc } = data(9, false, false);
    const w = Float64Array.from({ length: N }, (_, i) => 1 + (i % 3));
    same(
      (threads) => new RandomForestRegressor({ nEstimators: 5, maxDepth: 6, threads }).fit(X, y, { sampleWeight: w }),
      X,
    );
    same((threads) => new RandomForestClassifier({ nEstimators: 4, oobScore: true, threads }).fit(X, yc), X);
  });

  it('throws the error a one-thread fit throws, and the pool keeps working', () => {
    const { X, yc } = data(10, false, false);
    const bad = Float64Array.from(yc);
    bad[17] = 0.5;
    const fit = (threads: number, y: Float64Array) => () =>
      new RandomForestClassifier({ nEstimators: 4, threads }).fit(X, y);
    let one: Error | undefined;
    try {
      fit(1, bad)();
    } catch (e) {
      one = e as Error;
    }
    expect(one).toBeDefined();
    expect(fit(3, bad)).toThrow(one!.message);
    expect(splitPoolStatus().broken).toBeUndefined();
    const a = JSON.stringify(fit(1, yc)().toJSON());
    expect(JSON.stringify(fit(3, yc)().toJSON())).toBe(a);
  });
});

describe(THREADS_ENV, () => {
  const saved = process.env[THREADS_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[THREADS_ENV];
    else process.env[THREADS_ENV] = saved;
  });

  it('sets the default thread count; the threads parameter overrides it', () => {
    process.env[THREADS_ENV] = '3';
    expect(resolveThreads('GBDT', undefined)).toBe(3);
    expect(resolveThreads('GBDT', 0)).toBe(3);
    expect(resolveThreads('GBDT', 1)).toBe(1);
    delete process.env[THREADS_ENV];
    expect(resolveThreads('GBDT', undefined)).toBeGreaterThanOrEqual(1);
  });

  it.each(['0', '-2', '1.5', 'all', '2x'])('rejects %j with an error naming the variable', (value) => {
    process.env[THREADS_ENV] = value;
    const { X, y } = data(6, false, false);
    const fit = () => new GradientBoostingRegressor({ nEstimators: 1 }).fit(X, y);
    expect(fit).toThrow(ConfigError);
    expect(fit).toThrow(/CAMPAIGN_ML_THREADS/);
  });

  it('rejects a bad threads parameter', () => {
    expect(() => new GradientBoostingClassifier({ threads: -1 })).toThrow(/threads/);
    expect(() => new GradientBoostingClassifier({ threads: 1.5 })).toThrow(/threads/);
  });
});

describe('without worker_threads and SharedArrayBuffer (a browser bundle)', () => {
  it('fits on the main thread, the same model', () => {
    const { X, y } = data(7, false, false);
    const expected = JSON.stringify(new GradientBoostingRegressor({ ...base, threads: 1 }).fit(X, y).toJSON());
    const proc = process as { getBuiltinModule?: unknown };
    const g = globalThis as { SharedArrayBuffer?: unknown };
    const saved = proc.getBuiltinModule;
    const savedSab = g.SharedArrayBuffer;
    proc.getBuiltinModule = undefined;
    // Browsers without cross-origin isolation have no SharedArrayBuffer either.
    g.SharedArrayBuffer = undefined;
    try {
      jest.isolateModules(() => {
        // Fresh modules: no pool has been looked up yet in this registry.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const gb = require('./gradient-boosting') as typeof import('./gradient-boosting');
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const st = require('./split-threads') as typeof import('./split-threads');
        st.minParallelWork(0);
        const m = new gb.GradientBoostingRegressor({ ...base, threads: 3 }).fit(X, y);
        expect(JSON.stringify(m.toJSON())).toBe(expected);
        expect(st.splitPoolStatus()).toEqual({ workers: 0, broken: 'worker_threads unavailable' });
      });
    } finally {
      proc.getBuiltinModule = saved;
      g.SharedArrayBuffer = savedSab;
    }
  });
});
