import { ConfigError, InputError } from '@campaign-ml/core';
import { interestingRegions } from './interesting-regions';

// max 1.0, min 0.1 (range 0.9): near-max cuts at 0.91, share-of-max at 0.9, top-decile at the
// 90th percentile of the ten values: sorted [.1 .2 .3 .4 .5 .905 .92 .93 .95 1], h = 9·0.9 = 8.1,
// .95 + 0.1·(1 − .95) = 0.955.
const grid = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const average = [0.1, 0.5, 0.95, 1.0, 0.92, 0.3, 0.2, 0.905, 0.93, 0.4];

const spans = (r: ReturnType<typeof interestingRegions>) => r.regions.map((g) => [g.start, g.end]);

describe('interestingRegions', () => {
  it('near-max (default): ≥ max − 10% of the range, as contiguous runs', () => {
    const r = interestingRegions({ grid, average });
    expect(r.rule).toBe('near-max');
    expect(r.cut).toBeCloseTo(0.91, 15);
    expect(spans(r)).toEqual([
      [2, 4],
      [8, 8],
    ]);
    expect(r.regions[0]).toEqual({ from: 2, to: 4, start: 2, end: 4, max: 1, mean: (0.95 + 1 + 0.92) / 3 });
    expect(r.categorical).toBe(false);
  });

  it('share-of-max: ≥ 0.9 × max takes 0.905 too', () => {
    const r = interestingRegions({ grid, average }, { rule: 'share-of-max' });
    expect(r.cut).toBe(0.9);
    expect(spans(r)).toEqual([
      [2, 4],
      [7, 8],
    ]);
    expect([r.regions[1].from, r.regions[1].to]).toEqual([7, 8]);
  });

  it('top-decile: ≥ the 90th percentile of the curve values', () => {
    const r = interestingRegions({ grid, average }, { rule: 'top-decile' });
    expect(r.cut).toBeCloseTo(0.955, 15);
    expect(spans(r)).toEqual([[3, 3]]);
  });

  it('a run reaching the last grid point closes there; a flat curve is one region', () => {
    expect(spans(interestingRegions({ grid: [1, 2, 3], average: [0, 0.5, 1] }))).toEqual([[2, 2]]);
    expect(spans(interestingRegions({ grid: [1, 2, 3], average: [1, 0.5, 1] }))).toEqual([
      [0, 0],
      [2, 2],
    ]);
    expect(spans(interestingRegions({ grid: [1, 2, 3], average: [0.3, 0.3, 0.3] }))).toEqual([[0, 2]]);
  });

  it('near-max works below zero (log-odds), where share-of-max would not', () => {
    // max −1, min −3: near-max cuts at −1.2; 0.9 × max = −0.9 is above every value.
    const curve = { grid: [1, 2, 3, 4], average: [-3, -1.1, -1, -2] };
    expect(spans(interestingRegions(curve))).toEqual([[1, 2]]);
    expect(spans(interestingRegions(curve, { rule: 'share-of-max' }))).toEqual([]);
  });

  it('categories: each qualifying category is a region of its own', () => {
    const r = interestingRegions({ grid: ['a', 'b', 'c', 'd'], average: [0.2, 0.9, 0.85, 0.1], kind: 'categorical' });
    expect(r.categorical).toBe(true);
    expect(r.cut).toBeCloseTo(0.82, 15);
    expect(r.regions.map((g) => g.from)).toEqual(['b', 'c']);
    expect(spans(r)).toEqual([
      [1, 1],
      [2, 2],
    ]);
    const bools = interestingRegions({ grid: [false, true], average: [0.1, 0.4], kind: 'boolean' });
    expect(bools.regions.map((g) => g.from)).toEqual([true]);
  });

  it('rejects an unknown rule and a curve that does not fit its grid', () => {
    expect(() => interestingRegions({ grid, average }, { rule: 'top' as never })).toThrow(ConfigError);
    expect(() => interestingRegions({ grid, average: average.slice(1) })).toThrow(InputError);
  });
});
