import * as aq from 'arquero';
import { Bundle } from '@campaign-ml/bundle';
import { ConfigError } from '@campaign-ml/core';
import fixture from './__fixtures__/partial-dependence.json';
import { gridFor, linearQuantile, linspace, mquantile } from './grid';
import { partialDependence, partialDependence2d } from './partial-dependence';
import { campaignBundle, campaignTable, logisticBundle } from './test-support/linear-bundle';

const data = fixture.data as Record<string, number[]>;
const columns = { x0: data.x0, x1: data.x1, x2: data.x2, x3: data.x3 };
const lr = logisticBundle(columns, fixture.model.coef, fixture.model.intercept);
const table = aq.table(columns);

function expectClose(actual: readonly number[], expected: readonly number[], digits: number): void {
  expect(actual.length).toBe(expected.length);
  const tol = 10 ** -digits;
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > tol * Math.max(1, Math.abs(expected[i])))
      throw new Error(`index ${i}: ${actual[i]} vs ${expected[i]} (tolerance ${tol})`);
  }
}

describe('grid (scikit-learn _grid_from_X, scipy mquantiles)', () => {
  it('mquantile equals scipy.stats.mstats.mquantiles (alphap = betap = 0.4) to 1e-12', () => {
    for (const c of fixture.mquantiles) {
      const sorted = Float64Array.from(c.values).sort();
      expectClose(
        c.prob.map((p) => mquantile(sorted, p)),
        c.quantiles,
        12,
      );
    }
  });

  it.each(fixture.grids.map((g) => [g.column, g.percentiles.join('-'), g.gridResolution, g] as const))(
    '%s, percentiles %s, resolution %d equals _grid_from_X to 1e-12',
    (column, _p, gridResolution, g) => {
      const grid = gridFor(column, 'numeric', data[column], {
        percentiles: g.percentiles as [number, number],
        gridResolution,
      });
      expect(grid.source).toBe(new Set(data[column]).size < gridResolution ? 'values' : 'range');
      expectClose(grid.values as number[], g.grid, 12);
    },
  );

  it('uniform spans min..max; quantile keeps distinct linear quantiles; a given grid is kept', () => {
    const values = [5, 1, 3, 3, 9, 7, 2, 8, 4, 6, 10, 0];
    expect(gridFor('v', 'numeric', values, { grid: 'uniform', gridResolution: 5 }).values).toEqual([
      0, 2.5, 5, 7.5, 10,
    ]);
    const sorted = Float64Array.from(values).sort();
    expect(gridFor('v', 'numeric', values, { grid: 'quantile', gridResolution: 3 }).values).toEqual([
      0,
      linearQuantile(sorted, 0.5),
      10,
    ]);
    expect(linearQuantile(sorted, 0.5)).toBe(4.5);
    // Fewer distinct values than the resolution: the values themselves, whatever the method.
    expect(gridFor('v', 'numeric', [2, 1, 2, null, 1], { grid: 'uniform' }).values).toEqual([1, 2]);
    expect(gridFor('v', 'numeric', values, { grid: [1, 4] })).toEqual({ values: [1, 4], source: 'given' });
    expect(linspace(0, 1, 3)).toEqual([0, 0.5, 1]);
  });

  it('lists categories in the schema order, then the rest; booleans false, true', () => {
    expect(gridFor('c', 'categorical', ['b', 'z', null, 'a', 'b'], {}, ['b', 'a', 'q']).values).toEqual([
      'b',
      'a',
      'z',
    ]);
    expect(gridFor('c', 'boolean', [true, null, false], {}).values).toEqual([false, true]);
  });

  it('says which column has flat percentiles', () => {
    const flat = [...new Array(5000).fill(1), ...Array.from({ length: 110 }, (_, i) => i)];
    expect(() => gridFor('flat', 'numeric', flat, {})).toThrow(
      expect.objectContaining({ code: 'FLAT_GRID', column: 'flat' }),
    );
  });
});

describe('partialDependence', () => {
  it.each(fixture.pdp.map((p) => [p.column, p] as const))(
    '%s equals scikit-learn partial_dependence(method="brute") on the same LogisticRegression to 1e-10',
    (column, p) => {
      const pd = partialDependence(lr, table, column, { maxRows: Infinity, kind: 'both' });
      expect(pd.rows).toBe(400);
      expect(pd.class).toBe('1');
      expectClose(pd.grid as number[], p.grid, 12);
      expectClose(pd.average, p.average, 10);
      if ('individual' in p) {
        const ice = p.individual as number[][];
        for (let r = 0; r < ice.length; r++) expectClose(pd.individual![r], ice[r], 10);
      }
    },
  );

  it('two-way PDP equals scikit-learn for (x0, x2) to 1e-10', () => {
    const pd = partialDependence2d(lr, table, ['x0', 'x2'], { maxRows: Infinity, gridResolution: 10 });
    expectClose(pd.grids[0] as number[], fixture.pdp2d.grids[0], 12);
    expectClose(pd.grids[1] as number[], fixture.pdp2d.grids[1], 12);
    expectClose(pd.average.flat(), fixture.pdp2d.average.flat(), 10);
  });

  const doc = campaignBundle('gbdt');
  const gbdt = Bundle.fromJSON(doc);
  const rows = campaignTable(120, 17);

  /** The brute-force mean: for every grid value, the whole table with the column set to it, scored. */
  function bruteForce(column: string, grid: readonly unknown[]): number[] {
    return grid.map((g) => {
      const cell = column === 'launched_at' ? new Date(g as number) : g;
      const scores = gbdt.scoreTable(rows.assign({ [column]: new Array(rows.numRows()).fill(cell) }));
      let s = 0;
      for (let r = 0; r < rows.numRows(); r++) s += scores[r * 2 + 1];
      return s / rows.numRows();
    });
  }

  it.each(['goal', 'backers', 'category', 'video', 'launched_at'])(
    '%s on our GBDT equals the brute-force mean to 1e-12',
    (column) => {
      const pd = partialDependence(gbdt, rows, column, { gridResolution: 15 });
      expect(pd.rows).toBe(120);
      expectClose(pd.average, bruteForce(column, pd.grid), 12);
    },
  );

  it('lays out grids by column kind: categories, booleans, datetimes as epoch ms', () => {
    expect(partialDependence(gbdt, rows, 'category').grid).toEqual(
      doc.schema.columns
        .find((c) => c.name === 'category')!
        .categories!.filter((c) => rows.array('category').includes(c)),
    );
    expect(partialDependence(gbdt, rows, 'video').grid).toEqual([false, true]);
    const dates = partialDependence(gbdt, rows, 'launched_at', { gridResolution: 10 });
    expect(dates.kind).toBe('datetime');
    expect(dates.grid).toHaveLength(10);
    expect(typeof dates.grid[0]).toBe('number');
  });

  it('ICE curves average to the PDP; centred curves start at 0', () => {
    const pd = partialDependence(gbdt, rows, 'goal', { kind: 'individual', gridResolution: 12 });
    expect(pd.individual).toHaveLength(120);
    const mean = pd.grid.map((_, g) => pd.individual!.reduce((s, row) => s + row[g], 0) / 120);
    expectClose(pd.average, mean, 12);
    const c = partialDependence(gbdt, rows, 'goal', { kind: 'both', gridResolution: 12, centered: true });
    expect(c.centered).toBe(true);
    expect(c.average[0]).toBe(0);
    for (const row of c.individual!) expect(row[0]).toBe(0);
    expectClose(
      c.average,
      pd.average.map((v) => v - pd.average[0]),
      12,
    );
  });

  it('samples maxRows rows by seed, scores in chunks without changing the result', () => {
    const a = partialDependence(gbdt, rows, 'goal', { maxRows: 50, seed: 3, gridResolution: 8, kind: 'both' });
    const b = partialDependence(gbdt, rows, 'goal', {
      maxRows: 50,
      seed: 3,
      gridResolution: 8,
      kind: 'both',
      chunkRows: 1,
    });
    const c = partialDependence(gbdt, rows, 'goal', { maxRows: 50, seed: 4, gridResolution: 8 });
    expect(a.rows).toBe(50);
    expect(b).toEqual(a);
    expect(c.average).not.toEqual(a.average);
  });

  it('multiclass: byClass holds every class curve (they sum to 1), average the chosen class', () => {
    const x = Array.from({ length: 60 }, (_, i) => (i - 30) / 10);
    const w = Array.from({ length: 60 }, (_, i) => (i % 7) / 3);
    const multi = logisticBundle({ x, w }, [1, 0, -1, 0.5, 0, -0.5], [0, 0.2, -0.1]);
    const pd = partialDependence(multi, aq.table({ x, w }), 'x', { gridResolution: 9, class: 2 });
    expect(pd.byClass).toHaveLength(3);
    for (let g = 0; g < pd.grid.length; g++)
      expect(pd.byClass![0][g] + pd.byClass![1][g] + pd.byClass![2][g]).toBeCloseTo(1, 12);
    expect(pd.average).toEqual(pd.byClass![2]);
    expect(pd.class).toBe('2');
    // Class 0 (coefficient 1 on x, the others below it) rises with x; it is the default class.
    const first = partialDependence(multi, aq.table({ x, w }), 'x', { gridResolution: 9 });
    expect(first.class).toBe('0');
    expect(first.average).toEqual(pd.byClass![0]);
    for (let g = 1; g < first.average.length; g++) expect(first.average[g]).toBeGreaterThan(first.average[g - 1]);
  });

  it('names a column the model does not read, and an unknown class', () => {
    expect(() => partialDependence(lr, table, 'nope')).toThrow(
      expect.objectContaining({ constructor: ConfigError, column: 'nope' }),
    );
    expect(() => partialDependence(gbdt, rows, 'goal', { class: 'maybe' })).not.toThrow();
    const x = [1, 2, 3];
    const multi = logisticBundle({ x }, [1, 0, -1], [0, 0, 0]);
    expect(() => partialDependence(multi, aq.table({ x }), 'x', { class: 'nine' })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_CLASS' }),
    );
  });
});
