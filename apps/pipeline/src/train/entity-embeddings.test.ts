import * as aq from 'arquero';
import { createRng, load, type Matrix } from '@campaign-ml/core';
import { ColumnPipeline, OneHotEncoder, OrdinalEncoder, type FittedColumnPipeline } from '@campaign-ml/features';
import { GradientBoostingClassifier, rocAucScore } from '@campaign-ml/models';
import { learnEmbeddings } from './entity-embeddings';

/** 300 cities whose hidden effect is one number each; 10 training rows per city, logistic in effect + x. */
function cities(rowsPerCity: number, seed: number) {
  const rng = createRng(7);
  const K = 300;
  const effect = Float64Array.from({ length: K }, () => rng.normal());
  const r = createRng(seed);
  const n = K * rowsPerCity;
  const city: string[] = [];
  const x: number[] = [];
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = r.int(K);
    city.push(`c${k}`);
    x.push(r.normal());
    y[i] = r.random() < 1 / (1 + Math.exp(-(2 * effect[k] + 0.5 * x[i]))) ? 1 : 0;
  }
  return { table: aq.table({ city, x }), y };
}

const positive = (p: Float64Array): Float64Array => p.filter((_, i) => i % 2 === 1);

describe('entity embeddings for the tree families', () => {
  const train = cities(10, 1);
  const test = cities(4, 2);
  const gbdt = () => new GradientBoostingClassifier({ nEstimators: 100, learningRate: 0.05, maxDepth: 3, seed: 1 });
  const fitAuc = (
    pipe: ColumnPipeline,
  ): { auc: number; X: Matrix; fitted: FittedColumnPipeline; imp: Float64Array } => {
    const fitted = pipe.fit(train.table, train.y);
    const X = fitted.transform(train.table);
    const m = gbdt().fit(X, train.y);
    return {
      auc: rocAucScore(test.y, positive(m.predictProba(fitted.transform(test.table)))),
      X,
      fitted,
      imp: Float64Array.from(m.featureImportances('gain')),
    };
  };

  // Measured: test AUC 0.840 with the embeddings, 0.663 ordinal codes, 0.688 one-hot (target encoding: 0.842).
  it('export -> GBDT: the embedding columns carry the category effect and beat ordinal codes and one-hot', () => {
    const learned = learnEmbeddings(train.table, train.y, { columns: ['city'], task: 'binary', seed: 3 });
    expect(learned.embeddings[0].dim).toBe(50); // min(50, ceil(300 / 2))
    const withEmb = fitAuc(
      new ColumnPipeline({ groups: [{ select: ['city'], steps: [learned.encoder] }, { select: ['x'] }] }),
    );
    expect(withEmb.X.columns.slice(0, 2)).toEqual(['city_emb_0', 'city_emb_1']);
    const ordinal = fitAuc(
      new ColumnPipeline({ groups: [{ select: ['city'], steps: [new OrdinalEncoder()] }, { select: ['x'] }] }),
    );
    const oneHot = fitAuc(
      new ColumnPipeline({ groups: [{ select: ['city'], steps: [new OneHotEncoder()] }, { select: ['x'] }] }),
    );
    // The GBDT uses the embedding columns: they hold most of the gain (x holds the rest).
    const embGain = withEmb.imp.slice(0, 50).reduce((s, v) => s + v, 0);
    expect(embGain).toBeGreaterThan(0.5);
    expect(withEmb.auc).toBeGreaterThan(ordinal.auc + 0.02);
    expect(withEmb.auc).toBeGreaterThan(oneHot.auc + 0.02);
    // The pipeline with the encoder round-trips exactly.
    const again = load<FittedColumnPipeline>(JSON.stringify(withEmb.fitted));
    expect(again.transform(test.table).data).toEqual(withEmb.fitted.transform(test.table).data);
  });
});
