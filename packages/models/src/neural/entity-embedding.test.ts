import { createRng, fromColumns, InputError, load, type Matrix } from '@campaign-ml/core';
import { EntityEmbeddingClassifier, FittedEntityEmbeddingClassifier } from './entity-embedding-classifier';
import {
  batchLossAndGradient,
  EmbeddingModel,
  embeddingDim,
  readCodes,
  resolveEntityEmbeddingParams,
} from './entity-embedding-network';
import { EntityEmbeddingRegressor, FittedEntityEmbeddingRegressor } from './entity-embedding-regressor';
import { MlpBuffers } from './mlp-network';

/** 200 stores whose hidden effect is one number each: y = effect[store] + 0.5·x + noise. */
function plantedStores(rowsPerStore: number, seed: number) {
  const rng = createRng(seed);
  const K = 200;
  const effect = Float64Array.from({ length: K }, () => rng.normal());
  const n = K * rowsPerStore;
  const store = new Float64Array(n);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    store[i] = i % K;
    x[i] = rng.normal();
    y[i] = effect[i % K] + 0.5 * x[i] + 0.3 * rng.normal();
  }
  return { X: fromColumns({ x, store }), y, effect, K };
}

/** R² of the least-squares fit of t on the columns of V (k x dim row-major) plus an intercept. */
function linearFitR2(V: Float64Array, dim: number, t: Float64Array): number {
  const k = t.length;
  const p = dim + 1;
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let i = 0; i < k; i++) {
    const row = [1, ...Array.from(V.subarray(i * dim, (i + 1) * dim))];
    for (let a = 0; a < p; a++) {
      b[a] += row[a] * t[i];
      for (let c = 0; c < p; c++) A[a * p + c] += row[a] * row[c];
    }
  }
  // Gauss-Jordan with a tiny ridge.
  for (let a = 0; a < p; a++) A[a * p + a] += 1e-9;
  for (let c = 0; c < p; c++) {
    const piv = A[c * p + c];
    for (let j = 0; j < p; j++) A[c * p + j] /= piv;
    b[c] /= piv;
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = A[r * p + c];
      for (let j = 0; j < p; j++) A[r * p + j] -= f * A[c * p + j];
      b[r] -= f * b[c];
    }
  }
  let mean = 0;
  for (const v of t) mean += v / k;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < k; i++) {
    let pred = b[0];
    for (let d = 0; d < dim; d++) pred += b[d + 1] * V[i * dim + d];
    ssRes += (t[i] - pred) ** 2;
    ssTot += (t[i] - mean) ** 2;
  }
  return 1 - ssRes / ssTot;
}

/** Correlation between t and the projection of the rows of V (k x dim) on their first principal direction. */
function firstComponentCorrelation(V: Float64Array, dim: number, t: Float64Array): number {
  const k = t.length;
  const mu = new Float64Array(dim);
  for (let i = 0; i < k; i++) for (let d = 0; d < dim; d++) mu[d] += V[i * dim + d] / k;
  const C = new Float64Array(dim * dim);
  for (let i = 0; i < k; i++)
    for (let a = 0; a < dim; a++)
      for (let b = 0; b < dim; b++) C[a * dim + b] += (V[i * dim + a] - mu[a]) * (V[i * dim + b] - mu[b]);
  let v = new Float64Array(dim).fill(1); // power iteration
  for (let it = 0; it < 300; it++) {
    const w = new Float64Array(dim);
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) w[a] += C[a * dim + b] * v[b];
    const norm = Math.hypot(...w);
    v = w.map((q) => q / norm);
  }
  const s = Float64Array.from({ length: k }, (_, i) => {
    let z = 0;
    for (let d = 0; d < dim; d++) z += (V[i * dim + d] - mu[d]) * v[d];
    return z;
  });
  let mt = 0;
  let ms = 0;
  for (let i = 0; i < k; i++) {
    mt += t[i] / k;
    ms += s[i] / k;
  }
  let c = 0;
  let a = 0;
  let b = 0;
  for (let i = 0; i < k; i++) {
    c += (t[i] - mt) * (s[i] - ms);
    a += (t[i] - mt) ** 2;
    b += (s[i] - ms) ** 2;
  }
  return c / Math.sqrt(a * b);
}

describe('EntityEmbeddingRegressor', () => {
  const train = plantedStores(20, 1);
  const params = {
    categorical: [{ column: 'store', cardinality: 200, dim: 4 }],
    hiddenLayerSizes: [16],
    learningRateInit: 0.01,
    maxIter: 60,
    earlyStopping: true,
    seed: 3,
  };

  it('recovers a planted category effect in its embedding (linear fit R² > 0.8) and predicts well', () => {
    const m = new EntityEmbeddingRegressor(params).fit(train.X, train.y);
    const [emb] = m.embeddings();
    expect(emb.column).toBe('store');
    expect(emb.dim).toBe(4);
    expect(emb.vectors.length).toBe(200 * 4);
    const r2 = linearFitR2(emb.vectors, 4, train.effect);
    expect(r2).toBeGreaterThan(0.8);
    // A control: the same fit against a mismatched effect (reversed order) explains little.
    const shuffled = Float64Array.from(train.effect).reverse();
    expect(linearFitR2(emb.vectors, 4, shuffled)).toBeLessThan(0.3);
    const test = plantedStores(5, 1); // same stores and effects (same seed), other rows
    const pred = m.predict(test.X);
    let ssRes = 0;
    let ssTot = 0;
    let mean = 0;
    for (const v of test.y) mean += v / test.y.length;
    for (let i = 0; i < pred.length; i++) {
      ssRes += (pred[i] - test.y[i]) ** 2;
      ssTot += (test.y[i] - mean) ** 2;
    }
    expect(1 - ssRes / ssTot).toBeGreaterThan(0.8);
  });

  it('with the default size (min(50, ceil(200 / 2)) = 50) the first principal direction carries the effect', () => {
    const m = new EntityEmbeddingRegressor({ ...params, categorical: [{ column: 'store', cardinality: 200 }] }).fit(
      train.X,
      train.y,
    );
    const [emb] = m.embeddings();
    expect(emb.dim).toBe(50);
    expect(firstComponentCorrelation(emb.vectors, 50, train.effect) ** 2).toBeGreaterThan(0.8);
  });

  it('round-trips through JSON exactly (predictions, embeddings, embed)', () => {
    const m = new EntityEmbeddingRegressor({ ...params, maxIter: 5 }).fit(train.X, train.y);
    const back = load<FittedEntityEmbeddingRegressor>(JSON.stringify(m));
    expect(back).toBeInstanceOf(FittedEntityEmbeddingRegressor);
    expect(back.predict(train.X)).toEqual(m.predict(train.X));
    expect(back.embeddings()).toEqual(m.embeddings());
    expect(back.embed(train.X).data).toEqual(m.embed(train.X).data);
    expect(JSON.stringify(back)).toBe(JSON.stringify(m));
  });

  it('is reproducible for a seed', () => {
    const a = new EntityEmbeddingRegressor({ ...params, maxIter: 3 }).fit(train.X, train.y).predict(train.X);
    const b = new EntityEmbeddingRegressor({ ...params, maxIter: 3 }).fit(train.X, train.y).predict(train.X);
    const c = new EntityEmbeddingRegressor({ ...params, maxIter: 3, seed: 4 }).fit(train.X, train.y).predict(train.X);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('embeds: code column -> <col>_emb_k in its place; unknown, missing and unseen codes -> the unknown vector', () => {
    // Store 7 never appears at fit.
    const keep = Array.from({ length: train.X.rows }, (_, i) => i).filter((i) => i % 200 !== 7);
    const x = Float64Array.from(keep, (i) => train.X.data[i]);
    const store = Float64Array.from(keep, (i) => train.X.data[train.X.rows + i]);
    const y = Float64Array.from(keep, (i) => train.y[i]);
    const m = new EntityEmbeddingRegressor({ ...params, maxIter: 5 }).fit(fromColumns({ x, store }), y);
    const [emb] = m.embeddings();
    expect(emb.counts[7]).toBe(0);
    expect(emb.unknownCount).toBe(0);
    // Unseen rows are the count-weighted mean of the seen rows.
    const mean = new Float64Array(4);
    let total = 0;
    for (let k = 0; k < 200; k++) {
      total += emb.counts[k];
      for (let d = 0; d < 4; d++) mean[d] += emb.counts[k] * emb.vectors[k * 4 + d];
    }
    for (let d = 0; d < 4; d++) expect(emb.unknown[d]).toBeCloseTo(mean[d] / total, 12);
    expect(Array.from(emb.vectors.subarray(28, 32))).toEqual(Array.from(emb.unknown));
    const E = m.embed(fromColumns({ x: [0.5, 1, 2, 3], store: [3, -1, NaN, 7] }));
    expect(E.columns).toEqual(['x', 'store_emb_0', 'store_emb_1', 'store_emb_2', 'store_emb_3']);
    for (let d = 0; d < 4; d++) {
      expect(E.data[(d + 1) * 4]).toBe(emb.vectors[3 * 4 + d]);
      for (const r of [1, 2, 3]) expect(E.data[(d + 1) * 4 + r]).toBe(emb.unknown[d]);
    }
  });

  it('refuses a bad code with an error naming row and column', () => {
    const m = new EntityEmbeddingRegressor({ ...params, maxIter: 1 }).fit(train.X, train.y);
    const bad = (store: number[]) => () => m.predict(fromColumns({ x: store.map(() => 0), store }));
    expect(bad([1, 2.5])).toThrow(InputError);
    expect(bad([1, 2.5])).toThrow(/column "store" at row 2 holds 2.5/);
    expect(bad([0, 1, 200])).toThrow(/row 3 holds 200.*0\.\.199/);
    expect(bad([-2])).toThrow(/row 1 holds -2/);
    try {
      bad([0, 1, 200])();
    } catch (e) {
      expect((e as InputError).row).toBe(3);
      expect((e as InputError).column).toBe('store');
      expect((e as InputError).code).toBe('BAD_CATEGORY_CODE');
    }
    expect(() => m.predict(fromColumns({ x: [NaN], store: [1] }))).toThrow(/"x" is NaN at row 1/);
    expect(() =>
      new EntityEmbeddingRegressor({ categorical: [{ column: 'shop', cardinality: 3 }] }).fit(train.X, train.y),
    ).toThrow(/categorical column "shop" is not a column of X/);
    expect(() => new EntityEmbeddingRegressor({ categorical: [] })).toThrow(/at least one/);
    expect(() => new EntityEmbeddingRegressor({ categorical: [{ column: 'a', cardinality: 0 }] })).toThrow(
      /positive integer cardinality/,
    );
  });
});

describe('EntityEmbeddingClassifier', () => {
  it('learns a planted binary category effect and round-trips exactly', () => {
    const { X, effect } = plantedStores(20, 5);
    const rng = createRng(9);
    const x = X.data.subarray(0, X.rows);
    const y = Int32Array.from({ length: X.rows }, (_, i) => {
      const z = 2 * effect[i % 200] + 0.5 * x[i];
      return rng.random() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    });
    const m = new EntityEmbeddingClassifier({
      categorical: [{ column: 'store', cardinality: 200, dim: 3 }],
      hiddenLayerSizes: [8],
      learningRateInit: 0.01,
      maxIter: 40,
      earlyStopping: true,
      seed: 1,
    }).fit(X, y);
    expect(m.classes).toBe(2);
    const [emb] = m.embeddings();
    expect(linearFitR2(emb.vectors, 3, effect)).toBeGreaterThan(0.8);
    const back = load<FittedEntityEmbeddingClassifier>(JSON.stringify(m));
    expect(back.predictProba(X)).toEqual(m.predictProba(X));
    expect(back.predict(X)).toEqual(m.predict(X));
  });

  it('sizes embeddings by min(50, ceil(cardinality / 2))', () => {
    expect(embeddingDim(1)).toBe(1);
    expect(embeddingDim(7)).toBe(4);
    expect(embeddingDim(99)).toBe(50);
    expect(embeddingDim(1000)).toBe(50);
    expect(embeddingDim(1000, 10)).toBe(10);
    const p = resolveEntityEmbeddingParams('t', {
      categorical: [
        { column: 'a', cardinality: 9 },
        { column: 'b', cardinality: 500 },
      ],
    });
    expect(p.categorical.map((c) => c.dim)).toEqual([5, 50]);
  });
});

describe('entity-embedding gradient', () => {
  function check(output: 'identity' | 'logistic' | 'softmax', outDim: number, activation: 'tanh' | 'relu') {
    const X: Matrix = fromColumns({ a: [3, 0, -1, 2, NaN], num: [0.3, -1.2, 0.5, 2, -0.7], b: [1, 1, 0, 2, 0] });
    const params = resolveEntityEmbeddingParams('t', {
      categorical: [
        { column: 'a', cardinality: 4, dim: 2 },
        { column: 'b', cardinality: 3, dim: 3 },
      ],
    });
    const model = new EmbeddingModel(X.columns, params.categorical, [4, 3], activation, output, outDim, 't');
    const rng = createRng(11);
    model.net.initialize(rng);
    for (let i = 0; i < model.tables.length; i++) model.tables[i] = rng.uniform(-1, 1);
    const codes = readCodes(model, X, 't');
    const B = X.rows;
    const target = new Float64Array(B * outDim);
    for (let r = 0; r < B; r++) {
      if (output === 'identity') target[r] = rng.normal();
      else if (output === 'logistic') target[r] = r % 2;
      else target[r * outDim + (r % outDim)] = 1;
    }
    const idx = new Uint32Array([0, 1, 2, 3, 4]);
    const buf = new MlpBuffers(model.net, B);
    const gW = new Float64Array(model.net.weights.length);
    const gT = new Float64Array(model.tables.length);
    const alpha = 0.01;
    const loss = () =>
      batchLossAndGradient(
        model,
        buf,
        X,
        codes,
        idx,
        0,
        B,
        target,
        alpha,
        new Float64Array(gW.length),
        new Float64Array(gT.length),
      );
    batchLossAndGradient(model, buf, X, codes, idx, 0, B, target, alpha, gW, gT);
    const h = 1e-6;
    let worst = 0;
    for (const [P, G] of [
      [model.net.weights, gW],
      [model.tables, gT],
    ] as const) {
      for (let i = 0; i < P.length; i++) {
        const w = P[i];
        P[i] = w + h;
        const up = loss();
        P[i] = w - h;
        const down = loss();
        P[i] = w;
        const num = (up - down) / (2 * h);
        worst = Math.max(worst, Math.abs(num - G[i]) / Math.max(1e-4, Math.abs(num) + Math.abs(G[i])));
      }
    }
    // Table rows no row picked (b's code... none; a's code 1) have zero gradient.
    expect(gT[model.tOff[0] + 1 * 2]).toBe(0);
    return worst;
  }

  it.each([
    ['identity', 1, 'tanh'],
    ['logistic', 1, 'tanh'],
    ['softmax', 3, 'tanh'],
    ['identity', 1, 'relu'],
  ] as const)('matches finite differences (%s output, %s)', (output, outDim, activation) => {
    expect(check(output, outDim, activation)).toBeLessThan(1e-6);
  });
});
