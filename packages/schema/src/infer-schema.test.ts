import * as aq from 'arquero';
import { ConfigError } from '@campaign-ml/core';
import { inferSchema } from './infer-schema';
import type { ColumnSchema, Schema } from './types';

function col(schema: Schema, name: string): ColumnSchema {
  const c = schema.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

const range = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));

describe('inferSchema', () => {
  it('infers types from typed values', () => {
    const s = inferSchema(
      aq.table({
        x: [1.5, 2, null, 4],
        k: [0, 2, 3, 7],
        b: [true, false, null, true],
        d: [new Date('2020-01-01'), new Date('2021-01-01'), null, new Date('2019-06-01')],
        c: ['a', 'b', 'a', null],
      }),
    );
    expect(s.rows).toBe(4);
    expect(s.columns.map((c) => [c.name, c.type])).toEqual([
      ['x', 'number'],
      ['k', 'integer'],
      ['b', 'boolean'],
      ['d', 'datetime'],
      ['c', 'category'],
    ]);
    expect(col(s, 'x')).toMatchObject({ min: 1.5, max: 4, missing: 1, required: false, distinct: 3, role: 'feature' });
    expect(col(s, 'k')).toMatchObject({ min: 0, max: 7, missing: 0, required: true });
    expect(col(s, 'd')).toMatchObject({ min: '2019-06-01T00:00:00.000Z', max: '2021-01-01T00:00:00.000Z' });
    expect(col(s, 'b').categories).toEqual(['true', 'false']);
  });

  it('reads the same types from text values', () => {
    const s = inferSchema(
      aq.table({
        x: ['1.5', '2', '', '-4e2'],
        k: ['0', '2', 'NA', '7'],
        b: ['True', 'False', 'yes', 'no'],
        d: ['2017-06-03 16:05:54', '2018-01-01', '2019-02-03T10:00:00Z', null],
      }),
    );
    expect(s.columns.map((c) => c.type)).toEqual(['number', 'integer', 'boolean', 'datetime']);
    expect(col(s, 'x')).toMatchObject({ min: -400, max: 2, missing: 1 });
    expect(col(s, 'k').missing).toBe(1);
    expect(col(s, 'd')).toMatchObject({ dateFormat: 'iso', min: '2017-06-03T16:05:54.000Z' });
  });

  it('detects day-first and month-first dates over the whole column', () => {
    const dmy = inferSchema(aq.table({ d: ['01/02/2020', '13/01/2020'] }));
    expect(col(dmy, 'd')).toMatchObject({
      type: 'datetime',
      dateFormat: 'dmy',
      min: '2020-01-13T00:00:00.000Z',
      max: '2020-02-01T00:00:00.000Z',
    });
    const mdy = inferSchema(aq.table({ d: ['01/02/2020', '01/13/2020'] }));
    expect(col(mdy, 'd')).toMatchObject({ dateFormat: 'mdy', min: '2020-01-02T00:00:00.000Z' });
    // Both day > 12 in first place and > 12 in second: not one date format, so a category.
    expect(col(inferSchema(aq.table({ d: ['13/01/2020', '01/13/2020'] })), 'd').type).toBe('category');
    // Impossible dates are not dates.
    expect(col(inferSchema(aq.table({ d: ['2021-02-30', '2021-01-01'] })), 'd').type).not.toBe('datetime');
  });

  it('takes 0/1 numbers as boolean only when both appear and the name is not a count', () => {
    const s = inferSchema(
      aq.table({
        resp: [0, 1, 1, 0],
        zeros: [0, 0, 0, 0],
        three: [0, 1, 2, 1],
        num_kids: [0, 1, 0, 1],
        txt: ['0', '1', '1', '0'],
      }),
    );
    expect(col(s, 'resp')).toMatchObject({ type: 'boolean', categories: ['false', 'true'] });
    expect(col(s, 'zeros').type).toBe('integer');
    expect(col(s, 'three').type).toBe('integer');
    expect(col(s, 'num_kids').type).toBe('integer');
    expect(col(s, 'txt').type).toBe('boolean');
    expect(col(inferSchema(aq.table({ r: [0, 1] }), { zeroOneAsBoolean: false }), 'r').type).toBe('integer');
  });

  it('finds identifiers, text and categories among strings', () => {
    const n = 250;
    const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
    const s = inferSchema(
      aq.table({
        id: range(n, (i) => 1000 + i * 7),
        code: range(n, (i) => `C-${(i * 7919) % 100000}`),
        name: range(n, (i) => `Project ${i}: ${words[i % 8]} of ${words[(i * 3) % 8]} things`),
        category: range(n, (i) => words[i % 5]),
        // Not in row order: unique integers that rise with the rows are identifiers (see below).
        amount: range(n, (i) => ((i * 7919) % 1009) * 13),
        small: range(n, (i) => i % 7),
      }),
    );
    expect(col(s, 'id')).toMatchObject({ type: 'identifier', role: 'id', distinct: n });
    expect(col(s, 'code')).toMatchObject({ type: 'identifier', role: 'id' });
    expect(col(s, 'name').type).toBe('text');
    expect(col(s, 'name').categories).toBeUndefined();
    expect(col(s, 'category')).toMatchObject({ type: 'category', distinct: 5 });
    // Integer-valued with many distinct values is a continuous amount; few distinct is an integer.
    expect(col(s, 'amount').type).toBe('number');
    expect(col(s, 'small').type).toBe('integer');
  });

  it('orders categories by frequency (ties first-seen) and caps them', () => {
    const s = inferSchema(aq.table({ c: ['b', 'a', 'c', 'a', 'c', 'a', 'd'] }));
    expect(col(s, 'c').categories).toEqual(['a', 'c', 'b', 'd']);
    const capped = inferSchema(aq.table({ c: range(100, (i) => `v${i % 30}`) }), {
      maxCategories: 10,
      types: { c: 'category' },
    });
    expect(col(capped, 'c').categories).toHaveLength(10);
    expect(col(capped, 'c').distinct).toBe(30);
  });

  it('applies type and role overrides and the target shorthand', () => {
    const t = aq.table({ id: [1, 2, 3], y: ['a', 'b', 'a'], w: [1, 2, 1], z: ['1', '2', '3'] });
    const s = inferSchema(t, { types: { z: 'category' }, roles: { w: 'weight', id: 'ignore' }, target: 'y' });
    expect(col(s, 'z')).toMatchObject({ type: 'category', categories: ['1', '2', '3'] });
    expect(col(s, 'w').role).toBe('weight');
    expect(col(s, 'y').role).toBe('target');
    expect(col(s, 'id')).toMatchObject({ type: 'identifier', role: 'ignore' });
  });

  it('rejects overrides that name unknown columns, types or roles', () => {
    const t = aq.table({ a: [1] });
    expect(() => inferSchema(t, { types: { b: 'number' } })).toThrow(ConfigError);
    expect(() => inferSchema(t, { types: { a: 'float' as never } })).toThrow(/not a column type/);
    expect(() => inferSchema(t, { roles: { a: 'label' as never } })).toThrow(/not a column role/);
    expect(() => inferSchema(t, { target: 'nope' })).toThrow(/roles names column "nope"/);
  });

  it('keeps an all-missing column as an optional category', () => {
    const s = inferSchema(aq.table({ e: [null, '', '  '] }));
    expect(col(s, 'e')).toMatchObject({ type: 'category', missing: 3, required: false, distinct: 0 });
  });
});
