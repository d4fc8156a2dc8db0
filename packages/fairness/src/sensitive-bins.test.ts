import { applyBins, fitBins } from './sensitive-bins';

describe('sensitive bins', () => {
  it('cuts at given edges, left-closed', () => {
    const bins = fitBins([], { edges: [1000, 10000] });
    expect(bins.labels).toEqual(['< 1000', '1000–10000', '>= 10000']);
    expect(applyBins([5, 1000, 9999.5, 10000, 1e7], bins)).toEqual([
      '< 1000',
      '1000–10000',
      '1000–10000',
      '>= 10000',
      '>= 10000',
    ]);
  });

  it('quantile bins have (nearly) equal counts and NumPy linear cut points', () => {
    const values = Array.from({ length: 101 }, (_, i) => i);
    const bins = fitBins(values, { quantiles: 4 });
    expect(bins.edges).toEqual([25, 50, 75]);
    const labels = applyBins(values, bins);
    const counts = bins.labels.map((l) => labels.filter((x) => x === l).length);
    expect(counts).toEqual([25, 25, 25, 26]);
  });

  it('merges repeated quantile cut points, and rejects constant columns and bad edges', () => {
    expect(fitBins([1, 1, 1, 1, 1, 1, 2], { quantiles: 4 }).edges).toEqual([1]);
    expect(() => fitBins([3, 3, 3], { quantiles: 4 }, 'goal')).toThrow(expect.objectContaining({ column: 'goal' }));
    expect(() => fitBins([], { edges: [5, 1] }, 'goal')).toThrow(/strictly increasing/);
    expect(() => applyBins([1, NaN], fitBins([], { edges: [0] }), 'goal')).toThrow(
      expect.objectContaining({ row: 1, column: 'goal' }),
    );
  });
});
