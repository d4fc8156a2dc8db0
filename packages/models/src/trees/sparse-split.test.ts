import { createRng } from '@campaign-ml/core';
import { BinMapper } from './binning';
import { buildHistogram, rowMajorBins } from './histogram';
import { findBestSplitSparse, SparseScratch } from './sparse-split';
import { findBestSplit, SplitCandidate, SplitScratch } from './splitting';
import type { SplitParams } from './splitting';
import { randomMatrix } from './test-data';

describe('findBestSplitSparse', () => {
  const n = 400;
  const X = randomMatrix(n, 6, 21);
  const rng = createRng(4);
  // Feature 1 has missing values, feature 2 only a few distinct values, feature 5 is categorical.
  for (let r = 0; r < n; r++) {
    if (r % 7 === 0) X.data[n + r] = NaN;
    X.data[2 * n + r] = Math.round(X.data[2 * n + r] * 2);
    X.data[5 * n + r] = rng.int(12);
  }
  const mapper = BinMapper.fit(X, { maxBins: 64, categorical: Int32Array.from([5]) });
  const binned = mapper.transform(X);
  const rowBins = rowMajorBins(binned.bins, n, 6);
  const grad = Float64Array.from({ length: n }, () => rng.normal());
  const hess = Float64Array.from({ length: n }, () => 0.2 + rng.random());

  function dense(idx: Uint32Array, features: Int32Array, p: SplitParams): SplitCandidate {
    const hist = new Float64Array(mapper.totalBins * 3);
    buildHistogram(
      hist,
      mapper.offsets,
      features,
      features.length,
      binned.bins,
      n,
      idx,
      0,
      idx.length,
      grad,
      hess,
      1,
      new Float64Array(n),
      new Float64Array(n),
    );
    const { G, H } = sums(idx);
    const out = new SplitCandidate(1);
    findBestSplit(
      hist,
      mapper,
      features,
      features.length,
      1,
      Float64Array.of(G),
      0,
      H,
      idx.length,
      p,
      out,
      new SplitScratch(1),
    );
    return out;
  }

  function sums(idx: Uint32Array): { G: number; H: number } {
    let G = 0;
    let H = 0;
    for (const r of idx) {
      G += grad[r];
      H += hess[r];
    }
    return { G, H };
  }

  function sparse(idx: Uint32Array, features: Int32Array, p: SplitParams, sp: SparseScratch): SplitCandidate {
    const { G, H } = sums(idx);
    const out = new SplitCandidate(1);
    findBestSplitSparse(
      rowBins,
      6,
      idx,
      0,
      idx.length,
      grad,
      hess,
      mapper,
      features,
      features.length,
      G,
      H,
      idx.length,
      p,
      out,
      new SplitScratch(1),
      sp,
    );
    return out;
  }

  function same(a: SplitCandidate, b: SplitCandidate): void {
    expect(b.feature).toBe(a.feature);
    if (a.feature < 0) return;
    expect([b.gain, b.bin, b.defaultLeft, b.categorical, b.leftG[0], b.leftH, b.leftC]).toEqual([
      a.gain,
      a.bin,
      a.defaultLeft,
      a.categorical,
      a.leftG[0],
      a.leftH,
      a.leftC,
    ]);
    expect(Array.from(b.catBits)).toEqual(Array.from(a.catBits));
  }

  const base: SplitParams = {
    regLambda: 0,
    regAlpha: 0,
    gamma: 0,
    minChildWeight: 0,
    minSamplesLeaf: 1,
    catSmooth: 10,
  };
  const variants: SplitParams[] = [
    base,
    { ...base, minSamplesLeaf: 3 },
    { ...base, regLambda: 1, regAlpha: 0.3, minChildWeight: 0.5 },
  ];

  it('picks bit for bit the split of the dense histogram scan, for nodes of 1 to 400 rows', () => {
    const sp = new SparseScratch(6);
    let splits = 0;
    for (const p of variants) {
      for (const size of [1, 2, 3, 5, 9, 40, 150, 400]) {
        for (let trial = 0; trial < 6; trial++) {
          const idx = rng.sampleIndices(n, size).sort();
          const features = Int32Array.from(rng.sampleIndices(6, 1 + rng.int(6)));
          const a = dense(idx, features, p);
          same(a, sparse(idx, features, p, sp));
          if (a.feature >= 0) splits++;
        }
      }
    }
    expect(splits).toBeGreaterThan(60);
    // The scratch is left clean for the next node.
    expect(sp.acc.every((v) => v === 0)).toBe(true);
    expect(sp.words.every((v) => v === 0)).toBe(true);
  });

  it('finds no split in a single-class forest node (g = -h or g = 0 on every row), as the dense scan', () => {
    const sp = new SparseScratch(6);
    const features = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const saved = grad.slice();
    try {
      for (const sign of [-1, 0]) {
        for (let r = 0; r < n; r++) grad[r] = sign * hess[r];
        for (const p of variants) {
          const idx = rng.sampleIndices(n, 50).sort();
          const a = dense(idx, features, p);
          expect(a.feature).toBe(-1);
          same(a, sparse(idx, features, p, sp));
        }
      }
      // One row of the other class makes the node splittable again.
      const idx = rng.sampleIndices(n, 50).sort();
      grad[idx[17]] = -hess[idx[17]];
      const a = dense(idx, features, base);
      expect(a.feature).toBeGreaterThanOrEqual(0);
      same(a, sparse(idx, features, base, sp));
    } finally {
      grad.set(saved);
    }
  });

  it('finds a missing-versus-rest split when no row of the node falls in the first bin', () => {
    // Rows whose feature-1 value is missing or in the top bins, with the gradient sign set by missingness.
    const top = mapper.nBins[1] - 3;
    const rows: number[] = [];
    for (let r = 0; r < n; r++) {
      const b = binned.bins[n + r];
      if (b === mapper.nBins[1] || b >= top) rows.push(r);
    }
    const idx = Uint32Array.from(rows);
    const g = grad.slice();
    for (const r of rows) g[r] = binned.bins[n + r] === mapper.nBins[1] ? -1 : 1;
    const features = Int32Array.of(1);
    const hist = new Float64Array(mapper.totalBins * 3);
    buildHistogram(
      hist,
      mapper.offsets,
      features,
      1,
      binned.bins,
      n,
      idx,
      0,
      idx.length,
      g,
      hess,
      1,
      new Float64Array(n),
      new Float64Array(n),
    );
    let G = 0;
    let H = 0;
    for (const r of rows) {
      G += g[r];
      H += hess[r];
    }
    const a = new SplitCandidate(1);
    findBestSplit(hist, mapper, features, 1, 1, Float64Array.of(G), 0, H, rows.length, base, a, new SplitScratch(1));
    const b = new SplitCandidate(1);
    findBestSplitSparse(
      rowBins,
      6,
      idx,
      0,
      idx.length,
      g,
      hess,
      mapper,
      features,
      1,
      G,
      H,
      rows.length,
      base,
      b,
      new SplitScratch(1),
      new SparseScratch(6),
    );
    expect(a.bin).toBe(0);
    expect(a.defaultLeft).toBe(1);
    same(a, b);
  });
});
