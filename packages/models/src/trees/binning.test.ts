import { createMatrix, fromRows, InputError } from '@campaign-ml/core';
import { BinMapper } from './binning';

describe('BinMapper', () => {
  it('gives each distinct value its own bin when there are few, with midpoint edges', () => {
    const X = fromRows([[1], [2], [2], [5], [NaN]]);
    const m = BinMapper.fit(X, { maxBins: 255, categorical: new Int32Array(0) });
    expect(Array.from(m.edges[0])).toEqual([1.5, 3.5]);
    expect(m.nBins[0]).toBe(3);
    // NaN goes to the missing bin, index nBins.
    expect(Array.from(m.transform(X).bins)).toEqual([0, 1, 1, 2, 3]);
  });

  it('caps numeric features at maxBins quantile bins with a value <= edge rule', () => {
    const n = 10000;
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = i;
    const X = createMatrix(n, 1, data);
    const m = BinMapper.fit(X, { maxBins: 16, categorical: new Int32Array(0) });
    expect(m.nBins[0]).toBe(16);
    const { bins } = m.transform(X);
    const counts = new Array(17).fill(0);
    for (let i = 0; i < n; i++) counts[bins[i]]++;
    for (let b = 0; b < 16; b++) expect(Math.abs(counts[b] - n / 16)).toBeLessThanOrEqual(1);
    // bin(x) <= b exactly when x <= edges[b]
    const e = m.edges[0];
    for (let i = 0; i < n; i += 97) for (let b = 0; b < e.length; b++) expect(bins[i] <= b).toBe(data[i] <= e[b]);
  });

  it('uses integer codes as bins for categorical features and rejects non-codes', () => {
    const X = fromRows([[0], [3], [NaN], [1]]);
    const m = BinMapper.fit(X, { maxBins: 255, categorical: Int32Array.of(0) });
    expect(m.nBins[0]).toBe(4);
    expect(Array.from(m.transform(X).bins)).toEqual([0, 3, 4, 1]);
    const bad = fromRows([[0], [2.5]]);
    expect(() => BinMapper.fit(bad, { maxBins: 255, categorical: Int32Array.of(0) })).toThrow(InputError);
    try {
      BinMapper.fit(bad, { maxBins: 255, categorical: Int32Array.of(0) });
    } catch (e) {
      expect((e as InputError).code).toBe('INVALID_CATEGORY');
      expect((e as InputError).row).toBe(1);
    }
  });

  it('bins every value to the number of edges below it (grid lookup == brute force)', () => {
    const n = 3000;
    const data = new Float64Array(n * 3);
    for (let r = 0; r < n; r++) {
      data[r] = Math.sin(r * 12.9898) * 1e3; // continuous
      data[n + r] = (r * 7) % 13; // few distinct values
      data[2 * n + r] = r % 50 === 0 ? 1e300 : r % 51 === 0 ? -Infinity : r % 3 === 0 ? 1e-300 * (r % 7) : r / n; // clustered + extremes
    }
    const X = createMatrix(n, 3, data);
    const m = BinMapper.fit(X, { maxBins: 64, categorical: new Int32Array(0) });
    // Probe values: the data, every edge, and its neighbours.
    const probe = createMatrix(n, 3, data.slice());
    for (let f = 0; f < 3; f++) {
      const e = m.edges[f];
      for (let i = 0; i < e.length && 3 * i + 2 < n; i++) {
        probe.data[f * n + 3 * i] = e[i];
        probe.data[f * n + 3 * i + 1] = e[i] - Math.abs(e[i]) * 1e-15;
        probe.data[f * n + 3 * i + 2] = e[i] + Math.abs(e[i]) * 1e-15;
      }
      probe.data[f * n + n - 1] = Infinity;
    }
    const bins = m.transform(probe).bins;
    for (let f = 0; f < 3; f++) {
      const e = m.edges[f];
      for (let r = 0; r < n; r++) {
        const v = probe.data[f * n + r];
        let below = 0;
        for (let i = 0; i < e.length; i++) if (e[i] < v) below++;
        if (bins[f * n + r] !== below)
          throw new Error(`feature ${f} row ${r}: value ${v} got bin ${bins[f * n + r]}, expected ${below}`);
      }
    }
  });

  it('finds the same midpoint edges for small integers, mixed values and negatives', () => {
    const cols = [
      [3, 0, 7, 3, 0, 4095, 7],
      [3, 0, 7, 3, 0.5, 7, -2],
      [4096, 1, 1, 2, 2],
    ];
    for (const c of cols) {
      const m = BinMapper.fit(fromRows(c.map((v) => [v])), { maxBins: 255, categorical: new Int32Array(0) });
      const u = Array.from(new Set(c)).sort((a, b) => a - b);
      expect(Array.from(m.edges[0])).toEqual(u.slice(1).map((v, i) => u[i] + (v - u[i]) / 2));
    }
  });
});
