import { createRng, fromColumns, load } from '@campaign-ml/core';
import {
  EntityEmbeddingAuto,
  FittedEntityEmbeddingAutoClassifier,
  FittedEntityEmbeddingAutoRegressor,
} from './entity-embedding-auto';
import { FittedEntityEmbeddingClassifier } from './entity-embedding-classifier';
import { FittedMLPRegressor } from './mlp-regressor';

function data(rows: number, seed: number) {
  const rng = createRng(seed);
  const effect = Array.from({ length: 50 }, (_, k) => Math.sin(k));
  const city = new Float64Array(rows);
  const x = new Float64Array(rows);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    city[i] = rng.int(50);
    x[i] = rng.normal();
    y[i] = effect[city[i]] + 0.3 * x[i] > 0 ? 1 : 0;
  }
  return { X: fromColumns({ x, 'code:city': city }), y };
}

describe('EntityEmbeddingAuto', () => {
  const train = data(1500, 1);
  const params = {
    categorical: { prefix: 'code:' },
    hiddenLayerSizes: [8],
    learningRateInit: 0.01,
    maxIter: 40,
    seed: 2,
  };

  it('finds the code columns by prefix, reads cardinalities off the data, and round-trips exactly', () => {
    const m = new EntityEmbeddingAuto({ task: 'binary', ...params }).fit(train.X, train.y);
    expect(m).toBeInstanceOf(FittedEntityEmbeddingAutoClassifier);
    expect(m.embedded).toEqual([{ column: 'code:city', cardinality: 50 }]);
    expect(m.model).toBeInstanceOf(FittedEntityEmbeddingClassifier);
    const test = data(500, 2);
    const pred = (m as FittedEntityEmbeddingAutoClassifier).predict(test.X);
    let hit = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === test.y[i]) hit++;
    expect(hit / pred.length).toBeGreaterThan(0.85);
    const back = load<FittedEntityEmbeddingAutoClassifier>(JSON.stringify(m));
    expect(back.predictProba(test.X)).toEqual((m as FittedEntityEmbeddingAutoClassifier).predictProba(test.X));
    // A code the fit never saw (50) reads as unknown, like -1.
    const odd = back.predictProba(fromColumns({ x: [0, 0], 'code:city': [50, -1] }));
    expect(odd[1]).toBe(odd[3]);
  });

  it('fits a plain MLP when no column has the prefix', () => {
    const m = new EntityEmbeddingAuto({ task: 'regression', ...params, categorical: { prefix: 'none:' } }).fit(
      train.X,
      train.y,
    );
    expect(m).toBeInstanceOf(FittedEntityEmbeddingAutoRegressor);
    expect(m.model).toBeInstanceOf(FittedMLPRegressor);
    expect(load<FittedEntityEmbeddingAutoRegressor>(JSON.stringify(m)).predict(train.X)).toEqual(m.predict(train.X));
  });
});
