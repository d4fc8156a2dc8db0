import fixture from './__fixtures__/quartiles.json';
import { limeKernel, limeKernelWidth } from './lime-kernel';
import { binOf, quartileEdges } from './quartile-discretizer';

// Fixtures: tools/fixtures/lime_quartiles.py (NumPy's np.percentile and LIME's kernel formula).
describe('LIME quartile discretizer', () => {
  it.each(Object.keys(fixture.columns))('edges equal np.unique(np.percentile(x, [25, 50, 75])): %s', (name) => {
    const values = (fixture.columns as Record<string, number[]>)[name];
    const expected = (fixture.edges as Record<string, number[]>)[name];
    const edges = quartileEdges(values);
    expect(edges).toHaveLength(expected.length);
    edges.forEach((e, i) => expect(Math.abs(e - expected[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e))));
  });

  it('ignores missing values (NaN) and gives no edges for an empty column', () => {
    expect(quartileEdges([NaN, 1, 2, 3, NaN, 4, 5])).toEqual(quartileEdges([1, 2, 3, 4, 5]));
    expect(quartileEdges([NaN])).toEqual([]);
  });

  it('bins as np.searchsorted(edges, x): a value on an edge falls in the lower bin', () => {
    const edges = [1, 2, 3];
    expect([0.5, 1, 1.5, 2, 3, 3.01].map((x) => binOf(edges, x))).toEqual([0, 0, 1, 1, 2, 3]);
  });
});

describe('LIME kernel', () => {
  it('equals sqrt(exp(-d^2 / w^2)) with w = 0.75 sqrt(features)', () => {
    for (const k of fixture.kernel) {
      expect(limeKernelWidth(k.features)).toBeCloseTo(k.width, 14);
      expect(Math.abs(limeKernel(k.distance, k.width) - k.weight)).toBeLessThan(1e-15);
    }
  });
});
