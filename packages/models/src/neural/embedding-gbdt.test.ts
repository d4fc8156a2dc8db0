import { createRng, fromColumns, load } from '@campaign-ml/core';
import { rocAucScore } from '../metrics/roc-auc-score';
import { GradientBoostingClassifier } from '../trees/gradient-boosting';
import { EmbeddingGbdt, FittedEmbeddingGbdtClassifier, FittedEmbeddingGbdtRegressor } from './embedding-gbdt';

/** 300 cities (codes in order of a random permutation, as an ordinal encoder gives) with a hidden effect each. */
function cities(rows: number, seed: number) {
  const rng = createRng(7);
  const effect = Float64Array.from({ length: 300 }, () => rng.normal());
  const r = createRng(seed);
  const city = new Float64Array(rows);
  const x = new Float64Array(rows);
  const y = new Float64Array(rows);
  const value = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    city[i] = r.int(300);
    x[i] = r.normal();
    const z = 2 * effect[city[i]] + 0.5 * x[i];
    y[i] = r.random() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    value[i] = z + 0.3 * r.normal();
  }
  return { X: fromColumns({ x, 'code:city': city }), y, value };
}
const positive = (p: Float64Array): Float64Array => p.filter((_, i) => i % 2 === 1);

describe('EmbeddingGbdt', () => {
  const train = cities(3000, 1);
  const test = cities(1200, 2);
  const gbdt = { nEstimators: 100, learningRate: 0.05, maxDepth: 3, seed: 1 };

  it('learns embeddings inside fit and beats boosting on the raw codes (binary)', () => {
    const m = new EmbeddingGbdt({ task: 'binary', categorical: { prefix: 'code:' }, gbdt, embedding: { seed: 3 } }).fit(
      train.X,
      train.y,
    );
    expect(m).toBeInstanceOf(FittedEmbeddingGbdtClassifier);
    expect(m.codeColumns).toEqual(['code:city']);
    expect(m.transform(test.X).columns.slice(0, 3)).toEqual(['x', 'code:city_emb_0', 'code:city_emb_1']);
    const auc = rocAucScore(test.y, positive((m as FittedEmbeddingGbdtClassifier).predictProba(test.X)));
    const raw = new GradientBoostingClassifier(gbdt).fit(train.X, train.y);
    const rawAuc = rocAucScore(test.y, positive(raw.predictProba(test.X)));
    expect(auc).toBeGreaterThan(rawAuc + 0.02);
    const back = load<FittedEmbeddingGbdtClassifier>(JSON.stringify(m));
    expect(back).toBeInstanceOf(FittedEmbeddingGbdtClassifier);
    expect(back.predictProba(test.X)).toEqual((m as FittedEmbeddingGbdtClassifier).predictProba(test.X));
  });

  it('regression: round trip exact; a code never seen at fit is read as unknown, not an error', () => {
    const m = new EmbeddingGbdt({
      task: 'regression',
      categorical: ['code:city'],
      gbdt: { nEstimators: 30, seed: 1 },
      embedding: { maxIter: 10, seed: 1 },
    }).fit(train.X, train.value);
    expect(m).toBeInstanceOf(FittedEmbeddingGbdtRegressor);
    const back = load<FittedEmbeddingGbdtRegressor>(JSON.stringify(m));
    expect(back.predict(test.X)).toEqual(m.predict(test.X));
    const cardinality = m.embedded[0].cardinality;
    const odd = fromColumns({ x: [0, 0, 0], 'code:city': [cardinality + 5, -1, NaN] });
    const p = m.predict(odd);
    expect(p[0]).toBe(p[1]);
    expect(p[1]).toBe(p[2]);
  });
});
