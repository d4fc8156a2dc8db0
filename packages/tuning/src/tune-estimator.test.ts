import { createRng, fromColumns } from '@campaign-ml/core';
import { DecisionTreeClassifier } from '@campaign-ml/models';
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
});
