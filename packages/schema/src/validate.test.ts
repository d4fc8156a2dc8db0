import * as aq from 'arquero';
import { SchemaError } from '@campaign-ml/core';
import { assertValid, validate } from './validate';
import type { Schema } from './types';

const schema: Schema = {
  rows: 3,
  columns: [
    { name: 'id', type: 'identifier', role: 'id', required: true, missing: 0 },
    { name: 'goal', type: 'number', role: 'feature', required: true, missing: 0, min: 10, max: 110 },
    { name: 'kids', type: 'integer', role: 'feature', required: false, missing: 1, min: 0, max: 3 },
    {
      name: 'pick',
      type: 'boolean',
      role: 'feature',
      required: true,
      missing: 0,
      categories: ['false', 'true'],
      distinct: 2,
    },
    {
      name: 'at',
      type: 'datetime',
      role: 'time',
      required: true,
      missing: 0,
      min: '2020-01-01T00:00:00.000Z',
      max: '2020-12-31T00:00:00.000Z',
    },
    {
      name: 'cat',
      type: 'category',
      role: 'feature',
      required: false,
      missing: 0,
      categories: ['a', 'b'],
      distinct: 2,
    },
    {
      name: 'state',
      type: 'category',
      role: 'target',
      required: true,
      missing: 0,
      categories: ['ok', 'ko'],
      distinct: 2,
    },
    { name: 'junk', type: 'text', role: 'ignore', required: true, missing: 0 },
  ],
};

const good = (): Record<string, unknown[]> => ({
  id: ['a1', 'a2', 3],
  goal: [10, 50.5, 110],
  kids: [0, null, 3],
  pick: [true, false, true],
  at: [new Date('2020-01-01'), new Date('2020-06-01'), new Date('2020-12-31')],
  cat: ['a', null, 'b'],
  state: ['ok', 'ko', 'ok'],
});

describe('validate', () => {
  it('accepts a table that matches', () => {
    expect(validate(aq.table(good()), schema)).toEqual({ ok: true, problems: [] });
    expect(() => assertValid(aq.table(good()), schema)).not.toThrow();
  });

  it('collects every problem with row, column, value and expected', () => {
    const t = good();
    t.goal = ['5k', 50, 111];
    t.kids = [1.5, null, 4];
    t.pick = ['yes', false, null];
    t.at = [new Date('2019-12-31'), '2020-06-01', new Date('2020-03-01')];
    t.cat = ['c', 'a', 'b'];
    const { ok, problems } = validate(aq.table(t), schema);
    expect(ok).toBe(false);
    const brief = problems.map((p) => [p.code, p.column, p.row]);
    expect(brief).toEqual([
      ['WRONG_TYPE', 'goal', 1],
      ['OUT_OF_RANGE', 'goal', 3],
      ['WRONG_TYPE', 'kids', 1],
      ['OUT_OF_RANGE', 'kids', 3],
      ['WRONG_TYPE', 'pick', 1],
      ['MISSING_VALUE', 'pick', 3],
      ['OUT_OF_RANGE', 'at', 1],
      ['WRONG_TYPE', 'at', 2],
      ['UNKNOWN_CATEGORY', 'cat', 1],
    ]);
    expect(problems[0]).toMatchObject({
      value: '5k',
      expected: 'a number',
      message: 'column "goal" expected a number, found "5k" (row 1)',
    });
    expect(problems[8].message).toMatch(/category "c" not seen in training/);
  });

  it('formats row numbers with thousands separators', () => {
    const n = 1300;
    const goal = Array.from({ length: n }, () => 20);
    goal[1203] = '5k' as never;
    const s: Schema = { rows: n, columns: [schema.columns[1]] };
    const { problems } = validate(aq.table({ goal }), s);
    expect(problems.map((p) => p.message)).toEqual(['column "goal" expected a number, found "5k" (row 1,204)']);
  });

  it('reports missing and extra columns, with options to allow them', () => {
    const t = good();
    delete t.state;
    t.extra = [1, 2, 3];
    const r = validate(aq.table(t), schema);
    expect(r.problems.map((p) => [p.code, p.column])).toEqual([
      ['MISSING_COLUMN', 'state'],
      ['EXTRA_COLUMN', 'extra'],
    ]);
    expect(validate(aq.table(t), schema, { optional: ['state'], allowExtra: true }).ok).toBe(true);
  });

  it('applies range tolerance and can skip ranges and unknown categories', () => {
    const t = good();
    t.goal = [5, 50, 115];
    t.cat = ['zz', 'a', 'b'];
    expect(validate(aq.table(t), schema, { tolerance: 0.1, allowUnknownCategories: true }).ok).toBe(true);
    expect(validate(aq.table(t), schema, { tolerance: 0.01, allowUnknownCategories: true }).problems).toHaveLength(2);
    expect(validate(aq.table(t), schema, { checkRange: false, allowUnknownCategories: true }).ok).toBe(true);
  });

  it('does not check categories when the schema list was capped', () => {
    const s: Schema = {
      rows: 1,
      columns: [
        { name: 'c', type: 'category', role: 'feature', required: true, missing: 0, categories: ['a'], distinct: 40 },
      ],
    };
    expect(validate(aq.table({ c: ['zzz'] }), s).ok).toBe(true);
  });

  it('accepts 0/1 numbers in a boolean column (as inferred from them) but no other number', () => {
    const s: Schema = { rows: 1, columns: [schema.columns[3]] };
    expect(validate(aq.table({ pick: [0, 1, true] }), s).ok).toBe(true);
    expect(validate(aq.table({ pick: [2, 'yes'] }), s).problems.map((p) => p.value)).toEqual([2, 'yes']);
  });

  it('flags NaN in a number column and stops at maxProblems', () => {
    const s: Schema = { rows: 1, columns: [schema.columns[1]] };
    const r = validate(aq.table({ goal: [NaN, 'x', 'y'] }), s, { maxProblems: 2 });
    expect(r.problems).toHaveLength(2);
    expect(r.problems[0].message).toMatch(/found NaN \(use null for missing\)/);
  });

  it('assertValid throws a SchemaError holding all problems', () => {
    const t = good();
    t.goal = ['a', 'b', 'c'];
    t.pick = [1, 0, 2];
    try {
      assertValid(aq.table(t), schema);
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(SchemaError);
      const err = e as SchemaError;
      expect(err.problems).toHaveLength(4);
      expect(err.code).toBe('SCHEMA_MISMATCH');
      expect(err.message).toMatch(
        /column "goal" expected a number, found "a" \(row 1\).*1 more\. See error\.problems for all 4/,
      );
    }
  });
});
