import * as aq from 'arquero';
import { load } from '@campaign-ml/core';
import { SimpleImputer } from './simple-imputer';
import type { FittedSimpleImputer } from './simple-imputer';

const table = aq.table({
  goal: [1, null, 3, 10, null],
  flag: [true, false, null, true, true],
  country: ['US', null, 'GB', 'US', null],
  empty: [null, null, null, null, null],
});

describe('SimpleImputer', () => {
  it('fills numbers with the mean / median and categories with the most frequent value', () => {
    const mean = new SimpleImputer({ strategy: 'mean' }).fit(table.select('goal', 'flag'));
    expect(mean.fills).toEqual({ goal: 14 / 3, flag: 0.75 });
    const median = new SimpleImputer({ strategy: 'median' }).fit(table.select('goal'));
    expect(Array.from(median.transform(table).array('goal') as number[])).toEqual([1, 3, 3, 10, 3]);
    const mf = new SimpleImputer({ strategy: 'mostFrequent' }).fit(table.select('country'));
    expect(mf.transform(table).array('country')).toEqual(['US', 'US', 'GB', 'US', 'US']);
  });

  it('adds indicators only for columns that had missing values at fit', () => {
    const f = new SimpleImputer({ strategy: 'constant', fillValue: -1, addIndicator: true }).fit(
      aq.table({ a: [1, null], b: [2, 3] }),
    );
    expect(f.featureNamesOut).toEqual(['a', 'b', 'a.missing']);
    const out = f.transform(aq.table({ a: [null, 5], b: [null, 1] }));
    expect(Array.from(out.array('a') as number[])).toEqual([-1, 5]);
    expect(Array.from(out.array('b') as number[])).toEqual([-1, 1]);
    expect(Array.from(out.array('a.missing') as number[])).toEqual([1, 0]);
  });

  it('fills an all-missing column with the fallback (0) instead of dropping it', () => {
    const f = new SimpleImputer({ strategy: 'median' }).fit(table.select('empty'));
    expect(Array.from(f.transform(table).array('empty') as number[])).toEqual([0, 0, 0, 0, 0]);
  });

  it('refuses mean on a category column, naming it', () => {
    expect(() => new SimpleImputer({ strategy: 'mean' }).fit(table.select('country'))).toThrow(
      /column "country" holds categories/,
    );
  });

  it('round-trips through JSON with identical output', () => {
    const f = new SimpleImputer({ strategy: 'mostFrequent', addIndicator: true }).fit(table);
    const back = load<FittedSimpleImputer>(JSON.parse(JSON.stringify(f)));
    expect(back.transform(table).objects()).toEqual(f.transform(table).objects());
  });
});
