import * as aq from 'arquero';
import { InputError } from '@campaign-ml/core';
import { groupKFoldSplits, kFoldSplits, stratifiedKFoldSplits } from './k-fold-splits';
import { stratifiedSplit, trainTestSplit } from './train-test-split';
import { timeSplit } from './time-split';
import { takeRows } from './take-rows';

const n = 100;
const table = aq.table({
  i: Array.from({ length: n }, (_, i) => i),
  y: Array.from({ length: n }, (_, i) => (i % 10 < 2 ? 'yes' : 'no')), // 20% yes
  g: Array.from({ length: n }, (_, i) => `g${i % 13}`),
  t: Array.from({ length: n }, (_, i) => new Date(Date.UTC(2020, 0, 1 + i))),
});

const ids = (t: aq.ColumnTable) => Array.from(t.array('i') as ArrayLike<number>);
const count = (t: aq.ColumnTable, v: string) => (t.array('y') as string[]).filter((x) => x === v).length;

describe('table splits', () => {
  it('takeRows keeps every column and the given order', () => {
    const t = takeRows(table, [5, 2]);
    expect(t.columnNames()).toEqual(['i', 'y', 'g', 't']);
    expect(t.objects()).toEqual([table.object(5), table.object(2)]);
  });

  it('trainTestSplit is a deterministic partition for a seed', () => {
    const a = trainTestSplit(table, { testSize: 0.25, seed: 7 });
    const b = trainTestSplit(table, { testSize: 0.25, seed: 7 });
    const c = trainTestSplit(table, { testSize: 0.25, seed: 8 });
    expect(a.test.numRows()).toBe(25);
    expect(a.train.numRows()).toBe(75);
    expect(ids(a.test)).toEqual(ids(b.test));
    expect(ids(a.test)).not.toEqual(ids(c.test));
    expect([...ids(a.train), ...ids(a.test)].sort((x, y) => x - y)).toEqual(ids(table));
    expect(ids(a.test)).toEqual(Array.from(a.testIndices));
  });

  it('stratifiedSplit keeps class proportions', () => {
    const s = stratifiedSplit(table, { target: 'y', testSize: 0.2, seed: 42 });
    expect(count(s.test, 'yes')).toBe(4);
    expect(count(s.test, 'no')).toBe(16);
    expect(count(s.train, 'yes')).toBe(16);
    expect(() => stratifiedSplit(table, { target: 'nope' })).toThrow(/target names column "nope"/);
  });

  it('kFoldSplits covers every row once in test', () => {
    const folds = kFoldSplits(table, { k: 4, seed: 1 });
    expect(folds).toHaveLength(4);
    const seen = folds.flatMap((f) => ids(f.test)).sort((x, y) => x - y);
    expect(seen).toEqual(ids(table));
    for (const f of folds) expect(f.train.numRows() + f.test.numRows()).toBe(n);
    expect(ids(kFoldSplits(table, { k: 4, shuffle: false })[0].test)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('stratifiedKFoldSplits keeps proportions in every fold', () => {
    for (const f of stratifiedKFoldSplits(table, { target: 'y', k: 5, seed: 3 })) expect(count(f.test, 'yes')).toBe(4);
  });

  it('groupKFoldSplits never splits a group and rejects missing groups', () => {
    for (const f of groupKFoldSplits(table, { group: 'g', k: 3, seed: 0 })) {
      const train = new Set(f.train.array('g') as string[]);
      for (const g of f.test.array('g') as string[]) expect(train.has(g)).toBe(false);
    }
    const withNull = aq.table({ g: ['a', null, 'b', 'c', null] });
    expect(() => groupKFoldSplits(withNull, { group: 'g', k: 2 })).toThrow(/missing in rows 2, 5/);
  });

  it('timeSplit puts rows before the cutoff in train and at/after it in test', () => {
    const s = timeSplit(table, { column: 't', cutoff: '2020-03-01' });
    expect(s.train.numRows()).toBe(60); // Jan 31 + Feb 29 (2020 is a leap year)
    expect(ids(s.test)[0]).toBe(60);
    expect((s.test.array('t') as Date[])[0]).toEqual(new Date('2020-03-01T00:00:00Z'));
    const strings = aq.table({ t: ['2021-01-02', '2020-05-05', '2022-01-01 10:00'] });
    expect(Array.from(timeSplit(strings, { column: 't', cutoff: new Date('2021-01-02') }).trainIndices)).toEqual([1]);
    expect(
      Array.from(timeSplit(aq.table({ yr: [2019, 2021, 2020] }), { column: 'yr', cutoff: 2020 }).testIndices),
    ).toEqual([1, 2]);
  });

  it('timeSplit names the rows whose time is missing or not a date', () => {
    const withNull = aq.table({ t: [new Date(0), null, new Date(1), null] });
    let err: InputError | undefined;
    try {
      timeSplit(withNull, { column: 't', cutoff: new Date(1) });
    } catch (e) {
      err = e as InputError;
    }
    expect(err).toBeInstanceOf(InputError);
    expect(err!.code).toBe('MISSING_TIME');
    expect(err!.message).toMatch(/missing in rows 2, 4/);
    expect(() => timeSplit(aq.table({ t: ['2020-01-01', 'soon'] }), { column: 't', cutoff: '2020-01-01' })).toThrow(
      /not dates in row 2 \(first: "soon"\)/,
    );
    expect(() => timeSplit(table, { column: 't', cutoff: '2030-01-01' })).toThrow(/no rows in test/);
    expect(() => timeSplit(table, { column: 't', cutoff: 'later' })).toThrow(/is not a date/);
  });
});
