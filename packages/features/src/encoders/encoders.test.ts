import * as aq from 'arquero';
import { InputError, load } from '@campaign-ml/core';
import type { FittedTableStep, Table } from '../pipeline/table-step';
import { FrequencyEncoder, OneHotEncoder, OrdinalEncoder, TargetEncoder } from './index';

function col(t: Table, name: string): number[] {
  return Array.from(t.array(name) as ArrayLike<number>);
}

function roundTrip(f: FittedTableStep, t: Table): void {
  const back = load<FittedTableStep>(JSON.parse(JSON.stringify(f.toJSON())));
  expect(back.featureNamesOut).toEqual(f.featureNamesOut);
  expect(back.transform(t).objects()).toEqual(f.transform(t).objects());
}

const train = aq.table({ category: ['Music', 'Music', 'Music', 'Film', 'Film', 'Games', null] });
const fresh = aq.table({ category: ['Games', 'Comics', null, 'Music'] });

describe('OneHotEncoder', () => {
  it('names features category=value, most frequent first, missing as its own category', () => {
    const f = new OneHotEncoder().fit(train);
    expect(f.featureNamesOut).toEqual(['category=Music', 'category=Film', 'category=(missing)', 'category=Games']);
    const out = f.transform(fresh);
    expect(col(out, 'category=Games')).toEqual([1, 0, 0, 0]);
    expect(col(out, 'category=(missing)')).toEqual([0, 0, 1, 0]);
  });

  it('unknown categories: all zero by default, the (other) column, or an error', () => {
    const zero = new OneHotEncoder().fit(train).transform(fresh);
    expect(zero.columnNames().map((c) => (zero.array(c) as Float64Array)[1])).toEqual([0, 0, 0, 0]);
    const other = new OneHotEncoder({ handleUnknown: 'other' }).fit(train);
    expect(col(other.transform(fresh), 'category=(other)')).toEqual([0, 1, 0, 0]);
    const strict = new OneHotEncoder({ handleUnknown: 'error' }).fit(train);
    expect(() => strict.transform(fresh)).toThrow(InputError);
    expect(() => strict.transform(fresh)).toThrow(/category "Comics" at row 2, which was not seen at fit/);
  });

  it('groups categories below minFrequency into (other); unknown ones still get zeros', () => {
    const f = new OneHotEncoder({ minFrequency: 2 }).fit(train);
    expect(f.featureNamesOut).toEqual(['category=Music', 'category=Film', 'category=(other)']);
    const out = f.transform(fresh);
    expect(col(out, 'category=(other)')).toEqual([1, 0, 1, 0]); // Games and missing are infrequent; Comics is unknown
    roundTrip(f, fresh);
  });
});

describe('OrdinalEncoder and FrequencyEncoder', () => {
  it('codes by frequency, unknown -1, missing NaN', () => {
    const f = new OrdinalEncoder().fit(train);
    const out = col(f.transform(fresh), 'category');
    expect(out.slice(0, 2)).toEqual([2, -1]);
    expect(out[2]).toBeNaN();
    expect(out[3]).toBe(0);
    roundTrip(f, fresh);
    const lex = new OrdinalEncoder({ order: 'lexical', missingValue: -2 }).fit(train);
    expect(col(lex.transform(fresh), 'category')).toEqual([1, -1, -2, 2]);
  });

  it('frequency: share of fit rows, 0 for unknown', () => {
    const f = new FrequencyEncoder().fit(train);
    expect(f.featureNamesOut).toEqual(['category.frequency']);
    const out = col(f.transform(fresh), 'category.frequency');
    expect(out[0]).toBeCloseTo(1 / 7);
    expect(out[1]).toBe(0);
    expect(out[3]).toBeCloseTo(3 / 7);
    roundTrip(f, fresh);
  });
});

describe('TargetEncoder', () => {
  const n = 200;
  const cats = Array.from({ length: n }, (_, i) => `c${i % 7}`);
  const y: number[] = Array.from({ length: n }, (_, i) => ((i * 7919) % 13 < 5 + (i % 7) ? 1 : 0));
  const table = aq.table({ cat: cats });

  it('full-data encoding is the smoothed category mean; unseen -> prior', () => {
    const f = new TargetEncoder({ smoothing: 5 }).fit(table, y);
    const rows = cats.map((c, i) => [c, y[i]] as const).filter(([c]) => c === 'c3');
    const sum = rows.reduce((s, [, v]) => s + v, 0);
    const prior = y.reduce((s, v) => s + v, 0) / n;
    const out = col(f.transform(aq.table({ cat: ['c3', 'zzz'] })), 'cat.target');
    expect(out[0]).toBeCloseTo((sum + 5 * prior) / (rows.length + 5), 12);
    expect(out[1]).toBeCloseTo(prior, 12);
  });

  it('out of fold: a training row never sees its own target', () => {
    const enc = new TargetEncoder({ folds: 5, seed: 3 });
    const base = col(enc.fitTransform(table, y).output, 'cat.target');
    for (const row of [0, 17, 123]) {
      const y2 = [...y];
      y2[row] = 1 - y2[row];
      const changed = col(enc.fitTransform(table, y2).output, 'cat.target');
      expect(changed[row]).toBe(base[row]); // its own encoding is unchanged
      // ...while rows of the same category in other folds do move.
      expect(changed.some((v, i) => cats[i] === cats[row] && v !== base[i])).toBe(true);
    }
    // The full-data encoding (used for new data) differs from the out-of-fold one.
    const full = col(enc.fit(table, y).transform(table), 'cat.target');
    expect(full).not.toEqual(base);
  });

  it('multiclass: one feature per class, each row summing to 1', () => {
    const y3 = Array.from({ length: n }, (_, i) => (i * 31) % 3);
    const f = new TargetEncoder({ task: 'multiclass' }).fit(table, y3);
    expect(f.featureNamesOut).toEqual(['cat.target=0', 'cat.target=1', 'cat.target=2']);
    const out = f.transform(table);
    const s = col(out, 'cat.target=0')[5] + col(out, 'cat.target=1')[5] + col(out, 'cat.target=2')[5];
    expect(s).toBeCloseTo(1, 12);
    roundTrip(f, aq.table({ cat: ['c1', 'new', null] }));
  });

  it('needs y with one label per row', () => {
    expect(() => new TargetEncoder().fit(table)).toThrow(/needs the target/);
    expect(() => new TargetEncoder().fit(table, [1, 0])).toThrow(/200 rows but y has 2 labels/);
  });
});
