import { createRng } from '@campaign-ml/core';
import { BinMapper } from './binning';
import { buildHistogram, buildHistogramRows, buildHistogramRowsNoCount, rowMajorBinIndex } from './histogram';
import { randomMatrix } from './test-data';

describe('histograms', () => {
  const n = 501;
  const X = randomMatrix(n, 7, 3);
  for (let r = 0; r < n; r += 9) X.data[2 * n + r] = NaN;
  const mapper = BinMapper.fit(X, { maxBins: 32, categorical: new Int32Array(0) });
  const binned = mapper.transform(X);
  const rng = createRng(5);
  const grad = Float64Array.from({ length: n }, () => rng.normal());
  const hess = Float64Array.from({ length: n }, () => rng.random());
  // Rows of a node: an odd-sized sorted subset, as the grower's partition leaves them.
  const idx = rng.sampleIndices(n, 333).sort();

  function reference(features: Int32Array): Float64Array {
    const h = new Float64Array(mapper.totalBins * 3);
    buildHistogram(
      h,
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
    return h;
  }

  it('builds the same sums from the row-major index as from the column-major bins', () => {
    const gidx = rowMajorBinIndex(binned.bins, n, 7, mapper.offsets);
    expect(gidx).toBeInstanceOf(Uint16Array);
    const all = Int32Array.from([0, 1, 2, 3, 4, 5, 6]);
    const h = new Float64Array(mapper.totalBins * 3).fill(7);
    buildHistogramRows(h, mapper.offsets, all, 7, gidx, 7, idx, 0, idx.length, grad, hess);
    const ref = reference(all);
    for (let j = 0; j < h.length; j++) expect(h[j]).toBeCloseTo(ref[j], 12);
    // Counts are exact and add up to the node size per feature.
    let c = 0;
    for (let b = mapper.offsets[2]; b < mapper.offsets[3]; b++) c += h[b * 3 + 2];
    expect(c).toBe(idx.length);
  });

  it('builds the same gradient and hessian sums without the count channel (stride 2)', () => {
    const gidx = rowMajorBinIndex(binned.bins, n, 7, mapper.offsets);
    const all = Int32Array.from([0, 1, 2, 3, 4, 5, 6]);
    const h = new Float64Array(mapper.totalBins * 2).fill(7);
    buildHistogramRowsNoCount(h, mapper.offsets, all, 7, gidx, 7, idx, 0, idx.length, grad, hess);
    const ref = reference(all);
    for (let b = 0; b < mapper.totalBins; b++) {
      expect(h[2 * b]).toBeCloseTo(ref[3 * b], 12);
      expect(h[2 * b + 1]).toBeCloseTo(ref[3 * b + 1], 12);
    }
    const some = Int32Array.from([5]);
    const h2 = new Float64Array(mapper.totalBins * 2).fill(7);
    buildHistogramRowsNoCount(h2, mapper.offsets, some, 1, gidx, 7, idx, 0, idx.length, grad, hess);
    for (let b = mapper.offsets[5]; b < mapper.offsets[6]; b++) expect(h2[2 * b]).toBeCloseTo(ref[3 * b], 12);
    expect(h2[0]).toBe(7);
  });

  it('fills only the listed features when given a subset', () => {
    const gidx = rowMajorBinIndex(binned.bins, n, 7, mapper.offsets);
    const some = Int32Array.from([1, 4]);
    const h = new Float64Array(mapper.totalBins * 3).fill(7);
    buildHistogramRows(h, mapper.offsets, some, 2, gidx, 7, idx, 0, idx.length, grad, hess);
    const ref = reference(some);
    for (const f of [1, 4]) {
      for (let j = mapper.offsets[f] * 3; j < mapper.offsets[f + 1] * 3; j++) expect(h[j]).toBeCloseTo(ref[j], 12);
    }
    expect(h[mapper.offsets[0] * 3]).toBe(7);
  });

  it('switches to 32-bit indices when the bins outgrow 16 bits', () => {
    const offsets = Int32Array.from([0, 40000, 80000]);
    const gidx = rowMajorBinIndex(Uint8Array.from([1, 2, 3, 4]), 2, 2, offsets);
    expect(gidx).toBeInstanceOf(Uint32Array);
    expect(Array.from(gidx)).toEqual([1, 40003, 2, 40004]);
  });
});
