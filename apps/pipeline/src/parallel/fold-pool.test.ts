import { ConfigError, createRng, fromColumns, stratifiedKFold, type Fold } from '@campaign-ml/core';
import { crossValPredict, crossValidate, type CvPredictions, type MetricName } from '@campaign-ml/models';
import { FAMILIES } from '../families';
import { runFoldJob } from './fold-job';
import { FoldPool, PoolUnavailableError } from './fold-pool';
import { ParallelCv, assembleOutOfFold, startParallelCv, type ModelSpec } from './parallel-cv';

function data(n: number, seed: number, missing = false) {
  const rng = createRng(seed);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const c = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = rng.normal();
    b[i] = rng.normal();
    c[i] = missing && i % 7 === 0 ? NaN : rng.normal();
    y[i] = a[i] + 0.5 * b[i] * b[i] + 0.5 * rng.normal() > 0.4 ? 1 : 0;
  }
  return { X: fromColumns({ a, b, c }), y };
}

describe('cross-validation on worker threads', () => {
  const { X, y } = data(400, 1);
  const trees = data(400, 1, true);
  const folds: Fold[] = stratifiedKFold(y, 4, createRng(2));
  const metrics: MetricName[] = ['rocAuc', 'logLoss', 'accuracy', 'f1'];
  const gb: ModelSpec = {
    family: 'gradientBoosting',
    task: 'binary',
    seed: 3,
    params: { ...FAMILIES.gradientBoosting.defaults, nEstimators: 30, subsample: 0.8, colsampleBytree: 0.7 },
  };
  const factory = (s: ModelSpec) => () => FAMILIES[s.family].create(s.task, s.params, s.seed);
  let parallel: ParallelCv;

  beforeAll(async () => {
    const reasons: string[] = [];
    parallel = (await startParallelCv(2, (r) => reasons.push(r)))!;
    expect(reasons).toEqual([]);
    expect(parallel.size).toBe(2);
  }, 30_000);
  afterAll(() => parallel?.close());

  it('scores every fold exactly as crossValidate does on the main thread', async () => {
    const here = crossValidate(factory(gb), trees.X, trees.y, { folds, metrics });
    const there = await parallel.crossValidate(trees.X, trees.y, gb, folds, metrics);
    expect(there.folds.map((f) => f.scores)).toEqual(here.folds.map((f) => f.scores));
    expect(there.mean).toEqual(here.mean);
    expect(there.std).toEqual(here.std);
    expect(there.oof).toBeUndefined();
  });

  it('scores and predicts out of fold in one pass, as crossValidate and crossValPredict do, with or without workers', async () => {
    const scores = crossValidate(factory(gb), trees.X, trees.y, { folds, metrics });
    const oof = crossValPredict(factory(gb), trees.X, trees.y, { folds });
    for (const runner of [parallel, new ParallelCv()]) {
      const both = await runner.crossValidate(trees.X, trees.y, gb, folds, metrics, undefined, { predict: true });
      expect(both.folds.map((f) => f.scores)).toEqual(scores.folds.map((f) => f.scores));
      expect(both.oof?.task).toBe('classification');
      if (oof.task !== 'classification' || both.oof?.task !== 'classification') return;
      expect(Buffer.from(both.oof.proba.buffer).equals(Buffer.from(oof.proba.buffer))).toBe(true);
      expect(Array.from(both.oof.fold)).toEqual(Array.from(oof.fold));
    }
    expect(new ParallelCv().size).toBe(1);
  });

  it('predicts every row out of fold exactly as crossValPredict does', async () => {
    const mlp: ModelSpec = { family: 'mlp', task: 'binary', seed: 4, params: FAMILIES.mlp.defaults };
    const here = crossValPredict(factory(mlp), X, y, { folds });
    const there = await parallel.crossValPredict(X, y, mlp, folds);
    expect(there.task).toBe('classification');
    if (here.task !== 'classification' || there.task !== 'classification') return;
    expect(Buffer.from(there.proba.buffer).equals(Buffer.from(here.proba.buffer))).toBe(true);
    expect(Array.from(there.fold)).toEqual(Array.from(here.fold));
  });

  it("gives tuneEstimator's evaluateFold the fold's score for a trial's params", async () => {
    const evaluate = parallel.foldEvaluator(X, y, { family: 'logistic', task: 'binary', seed: 0 }, 'rocAuc');
    const scores = await Promise.all(folds.map((f, i) => evaluate({ C: 0.05 }, f, i)));
    const here = crossValidate(() => FAMILIES.logistic.create('binary', { C: 0.05 }, 0), X, y, {
      folds,
      metrics: ['rocAuc'],
    });
    expect(scores).toEqual(here.folds.map((f) => f.scores.rocAuc));
  });

  it("hands a trial's fold predictions to onFold, so its out-of-fold predictions need no refit", async () => {
    const kept: CvPredictions[] = [];
    const evaluate = parallel.foldEvaluator(
      X,
      y,
      { family: 'logistic', task: 'binary', seed: 0 },
      'rocAuc',
      undefined,
      (params, index, p) => {
        expect(params).toEqual({ C: 0.05 });
        kept[index] = p;
      },
    );
    await Promise.all(folds.map((f, i) => evaluate({ C: 0.05 }, f, i)));
    const here = crossValPredict(() => FAMILIES.logistic.create('binary', { C: 0.05 }, 0), X, y, { folds });
    const there = assembleOutOfFold(kept, folds, X.rows);
    if (here.task !== 'classification' || there.task !== 'classification') throw new Error('expected classification');
    expect(Buffer.from(there.proba.buffer).equals(Buffer.from(here.proba.buffer))).toBe(true);
  });

  it("rebuilds a worker's error as the same class with the same code and message", async () => {
    const bad: ModelSpec = { family: 'logistic', task: 'binary', seed: 0, params: { C: -1 } };
    let local: unknown;
    try {
      runFoldJob({ ...bad, fold: folds[0], metrics: ['rocAuc'], predict: false }, X, y);
    } catch (e) {
      local = e;
    }
    expect(local).toBeInstanceOf(ConfigError);
    const remote = await parallel.crossValidate(X, y, bad, folds.slice(0, 1), ['rocAuc']).catch((e: unknown) => e);
    expect(remote).toBeInstanceOf(ConfigError);
    expect((remote as ConfigError).code).toBe((local as ConfigError).code);
    expect((remote as Error).message).toBe((local as Error).message);
  });
});

describe('FoldPool when workers are unavailable', () => {
  const { X, y } = data(200, 5);
  const folds = stratifiedKFold(y, 3, createRng(6));
  const spec: ModelSpec = { family: 'logistic', task: 'binary', seed: 0, params: { C: 1 } };

  it('resolves to undefined and says why when workers do not start in time', async () => {
    const reasons: string[] = [];
    expect(await FoldPool.start(2, { startTimeoutMs: 1, onUnavailable: (r) => reasons.push(r) })).toBeUndefined();
    expect(reasons[0]).toMatch(/did not start within 1 ms/);
  });

  it('rejects jobs once closed, and ParallelCv then runs the folds on the main thread with the same result', async () => {
    const pool = (await FoldPool.start(1))!;
    await pool.close();
    expect(pool.alive).toBe(false);
    await expect(
      pool.run(X, y, { ...spec, fold: folds[0], metrics: ['rocAuc'], predict: false }),
    ).rejects.toBeInstanceOf(PoolUnavailableError);
    const fallback = await new ParallelCv(pool).crossValidate(X, y, spec, folds, ['rocAuc']);
    const here = crossValidate(() => FAMILIES.logistic.create('binary', { C: 1 }, 0), X, y, {
      folds,
      metrics: ['rocAuc'],
    });
    expect(fallback.mean).toEqual(here.mean);
  }, 30_000);

  it('rejects pending jobs and reports when a worker dies mid-run', async () => {
    const reasons: string[] = [];
    const pool = (await FoldPool.start(1, { onUnavailable: (r) => reasons.push(r) }))!;
    const pending = pool.run(X, y, { ...spec, fold: folds[0], metrics: ['rocAuc'], predict: false });
    // Simulate a crash (e.g. out of memory) of the only worker.
    await (
      pool as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }
    ).slots[0].worker.terminate();
    await expect(pending).rejects.toBeInstanceOf(PoolUnavailableError);
    expect(pool.alive).toBe(false);
    expect(reasons[0]).toMatch(/exited/);
    await pool.close();
  }, 30_000);
});

describe('ParallelCv and an abort signal', () => {
  it('stops waiting for a worker as soon as the signal fires', async () => {
    const { X, y } = data(3000, 7);
    const folds = stratifiedKFold(y, 2, createRng(8));
    const parallel = new ParallelCv((await FoldPool.start(1))!);
    try {
      const controller = new AbortController();
      const spec: ModelSpec = {
        family: 'randomForest',
        task: 'binary',
        seed: 0,
        params: { nEstimators: 2000, maxFeatures: 'sqrt', minSamplesLeaf: 1 },
      };
      const pending = parallel.crossValidate(X, y, spec, folds, ['rocAuc'], controller.signal);
      controller.abort();
      await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    } finally {
      await parallel.close();
    }
  }, 30_000);
});
