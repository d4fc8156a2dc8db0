import { createRng, fromColumns, stratifiedKFold, type Fold } from '@campaign-ml/core';
import { DecisionTreeClassifier, crossValidate } from '@campaign-ml/models';
import type { Params } from './space';
import { int } from './space';
import { tuneEstimator } from './tune-estimator';

function data(n: number, seed: number) {
  const rng = createRng(seed);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = rng.normal();
    b[i] = rng.normal();
    y[i] = a[i] * b[i] + 0.3 * rng.normal() > 0 ? 1 : 0; // an interaction: depth 1 cannot learn it
  }
  return { X: fromColumns({ a, b }), y };
}

describe('tuneEstimator', () => {
  it('finds a better depth than a stump by CV ROC AUC, reproducibly', async () => {
    const { X, y } = data(600, 1);
    const run = () =>
      tuneEstimator({
        factory: (p) => new DecisionTreeClassifier({ maxDepth: p.maxDepth as number }),
        space: { maxDepth: int(1, 8) },
        X,
        y,
        nTrials: 8,
        seed: 3,
        enqueue: [{ maxDepth: 1 }],
      });
    const a = await run();
    expect(a.study.trials[0].params).toEqual({ maxDepth: 1 });
    expect(a.bestParams.maxDepth).toBeGreaterThan(1);
    expect(a.bestScore).toBeGreaterThan(a.study.trials[0].value + 0.1);
    expect(a.bestFoldScores).toHaveLength(5);
    const b = await run();
    expect(b.study.trials.map((t) => t.value)).toEqual(a.study.trials.map((t) => t.value));
  });

  it('records already-evaluated trials without fitting them, and then searches exactly as if it had', async () => {
    const { X, y } = data(500, 4);
    const factory = (p: Params) => new DecisionTreeClassifier({ maxDepth: p.maxDepth as number });
    const folds = stratifiedKFold(y, 5, createRng(9));
    const base = { factory, space: { maxDepth: int(1, 8) }, X, y, folds, nTrials: 6, seed: 2 };
    const counting = (calls: Params[]) => (params: Params, fold: Fold) => {
      calls.push(params);
      return crossValidate(() => factory(params), X, y, { folds: [fold], metrics: ['rocAuc'] }).folds[0].scores.rocAuc;
    };
    const fittedCalls: Params[] = [];
    const fitted = await tuneEstimator({ ...base, enqueue: [{ maxDepth: 2 }], evaluateFold: counting(fittedCalls) });
    const baseline = crossValidate(() => factory({ maxDepth: 2 }), X, y, { folds, metrics: ['rocAuc'] }).folds.map(
      (f) => f.scores.rocAuc,
    );
    const reusedCalls: Params[] = [];
    const reused = await tuneEstimator({
      ...base,
      evaluated: [{ params: { maxDepth: 2 }, foldScores: baseline }],
      evaluateFold: counting(reusedCalls),
    });
    const view = (r: typeof fitted) =>
      r.study.trials.map((t) => ({ params: t.params, value: t.value, state: t.state, intermediate: t.intermediate }));
    expect(view(reused)).toEqual(view(fitted));
    // Trial 0's five folds are the only fits saved.
    expect(reusedCalls).toEqual(fittedCalls.slice(5));
    await expect(
      tuneEstimator({ ...base, evaluated: [{ params: { maxDepth: 2 }, foldScores: [0.5, 0.6] }] }),
    ).rejects.toThrow(/one score per fold \(5\)/);
  });

  describe('evaluateFold with foldConcurrency', () => {
    const { X, y } = data(500, 2);
    const factory = (p: Params) =>
      new DecisionTreeClassifier({ maxDepth: p.maxDepth as number, minSamplesLeaf: p.minSamplesLeaf as number });
    const base = {
      factory,
      space: { maxDepth: int(1, 8), minSamplesLeaf: int(1, 60) },
      X,
      y,
      nTrials: 14,
      seed: 5,
      enqueue: [{ maxDepth: 1, minSamplesLeaf: 1 }],
    };
    // What a worker would do: the same fit and metric, answered asynchronously and out of order.
    const remote =
      (log: { inFlight: number; maxInFlight: number; calls: number }) =>
      async (params: Params, fold: Fold, index: number) => {
        log.calls++;
        log.inFlight++;
        log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
        await new Promise((r) => setTimeout(r, index % 2 === 0 ? 3 : 0));
        log.inFlight--;
        return crossValidate(() => factory(params), X, y, { folds: [fold], metrics: ['rocAuc'] }).folds[0].scores
          .rocAuc;
      };

    it('gives the same trials, values, pruning and best fold scores as fitting fold by fold here', async () => {
      const here = await tuneEstimator(base);
      const log = { inFlight: 0, maxInFlight: 0, calls: 0 };
      const there = await tuneEstimator({ ...base, evaluateFold: remote(log), foldConcurrency: 2 });
      const view = (r: typeof here) =>
        r.study.trials.map((t) => ({ params: t.params, value: t.value, state: t.state, intermediate: t.intermediate }));
      expect(view(there)).toEqual(view(here));
      expect(here.study.trials.some((t) => t.state === 'pruned')).toBe(true);
      expect(there.bestFoldScores).toEqual(here.bestFoldScores);
      expect(there.bestParams).toEqual(here.bestParams);
      // Two folds of a trial at once; a fold started ahead of a pruned step may still be finishing.
      expect(log.maxInFlight).toBeGreaterThanOrEqual(2);
    });

    it('evaluateTrial: tells a trial its remaining folds are not needed exactly when it is pruned', async () => {
      const here = await tuneEstimator(base);
      const signals = new Map<number, AbortSignal>();
      const there = await tuneEstimator({
        ...base,
        evaluateTrial: (p, fs, trial, trialDone) => {
          signals.set(trial, trialDone);
          return fs.map((f) =>
            Promise.resolve().then(() => remote({ inFlight: 0, maxInFlight: 0, calls: 0 })(p, f, 0)),
          );
        },
      });
      expect(there.study.trials.map((t) => t.state)).toEqual(here.study.trials.map((t) => t.state));
      const pruned = there.study.trials.filter((t) => t.state === 'pruned').map((t) => t.number);
      expect(pruned.length).toBeGreaterThan(0);
      for (const t of there.study.trials) {
        expect(signals.get(t.number)?.aborted).toBe(pruned.includes(t.number));
      }
    });

    it('never has more folds in flight than foldConcurrency', async () => {
      const log = { inFlight: 0, maxInFlight: 0, calls: 0 };
      await tuneEstimator({ ...base, nTrials: 3, evaluateFold: remote(log), foldConcurrency: 1 });
      expect(log.maxInFlight).toBe(1);
      expect(log.calls).toBe(15);
    });

    it('marks a trial failed when one of its folds fails, and goes on', async () => {
      const r = await tuneEstimator({
        ...base,
        nTrials: 3,
        foldConcurrency: 2,
        evaluateFold: async (p, fold, i) => {
          if (p.maxDepth === 1 && i === 3) throw new Error('worker lost');
          return crossValidate(() => factory(p), X, y, { folds: [fold], metrics: ['rocAuc'] }).folds[0].scores.rocAuc;
        },
      });
      expect(r.study.trials[0].state).toBe('failed');
      expect(r.study.trials[0].error).toMatch(/worker lost/);
      expect(r.study.trials[0].intermediate).toHaveLength(3);
      expect(r.study.trials.filter((t) => t.state === 'complete').length).toBe(2);
    });

    it('rejects a foldConcurrency that is not a positive integer', async () => {
      await expect(tuneEstimator({ ...base, foldConcurrency: 0 })).rejects.toThrow(
        /foldConcurrency must be a positive integer/,
      );
    });
  });
});

describe('tuneEstimator in trial batches', () => {
  const { X, y } = data(400, 5);
  const factory = (p: Params) => new DecisionTreeClassifier({ maxDepth: p.maxDepth as number });
  const folds = stratifiedKFold(y, 4, createRng(2));
  const base = { factory, space: { maxDepth: int(1, 10) }, X, y, folds, nTrials: 9, seed: 7 };
  const score = (p: Params, fold: Fold) =>
    crossValidate(() => factory(p), X, y, { folds: [fold], metrics: ['rocAuc'] }).folds[0].scores.rocAuc;
  const history = (r: Awaited<ReturnType<typeof tuneEstimator>>) =>
    r.study.trials.map((t) => ({ n: t.number, p: t.params, v: t.value, s: t.state }));

  it('batch 1 is the sequential search, and evaluateTrial gives the same study as fitting here', async () => {
    const plain = await tuneEstimator(base);
    const batch1 = await tuneEstimator({ ...base, trialBatch: 1 });
    expect(history(batch1)).toEqual(history(plain));
    const remote = await tuneEstimator({
      ...base,
      evaluateTrial: (p, fs) => fs.map((f) => Promise.resolve().then(() => score(p, f))),
    });
    expect(history(remote)).toEqual(history(plain));
  });

  it('a batch is started at once and its study does not depend on which fold finishes first', async () => {
    const started: number[][] = [];
    const run = (delay: (trial: number, fold: number) => number) =>
      tuneEstimator({
        ...base,
        trialBatch: 3,
        onTrial: () => undefined,
        evaluateTrial: (p, fs, trial) => {
          started.push([trial]);
          return fs.map(
            (f, i) => new Promise<number>((resolve) => setTimeout(() => resolve(score(p, f)), delay(trial, i))),
          );
        },
      });
    const inOrder = await run(() => 0);
    const startedInOrder = started.splice(0);
    const reversed = await run((trial, fold) => 30 - 3 * (trial % 3) - fold);
    expect(history(reversed)).toEqual(history(inOrder));
    expect(startedInOrder.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('rejects a trialBatch that is not a positive integer', async () => {
    await expect(tuneEstimator({ ...base, trialBatch: 0 })).rejects.toThrow(/batchSize must be a positive integer/);
  });
});
