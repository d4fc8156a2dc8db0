import * as aq from 'arquero';
import { SchemaError } from '@campaign-ml/core';
import { coerceToSchema } from './coerce-to-schema';
import { inferSchema } from './infer-schema';
import { validate } from './validate';
import type { Schema } from './types';

describe('coerceToSchema', () => {
  it('converts text to the inferred types and the result validates', () => {
    const raw = aq.table({
      id: ['7', '8', '9'],
      goal: ['5500', '10.5', ''],
      ok: ['yes', 'No', 'TRUE'],
      flag: [1, 0, 1],
      at: ['13/01/2020', '01/02/2020 10:30', 'NA'],
      cat: [1, 2, 1],
      keep: ['x', 'y', 'z'],
    });
    const schema = inferSchema(raw, { types: { cat: 'category' } });
    const t = coerceToSchema(raw, schema);
    expect(t.columnNames()).toEqual(raw.columnNames());
    expect(t.array('goal')).toEqual([5500, 10.5, null]);
    expect(t.array('ok')).toEqual([true, false, true]);
    expect(t.array('flag')).toEqual([true, false, true]);
    expect((t.array('at') as unknown[]).map((d) => (d instanceof Date ? d.toISOString() : d))).toEqual([
      '2020-01-13T00:00:00.000Z',
      '2020-02-01T10:30:00.000Z',
      null,
    ]);
    expect(t.array('cat')).toEqual(['1', '2', '1']);
    expect(validate(t, schema).ok).toBe(true);
  });

  it('reports every value it cannot convert in one SchemaError', () => {
    const schema: Schema = {
      rows: 0,
      columns: [
        { name: 'goal', type: 'number', role: 'feature', required: true, missing: 0 },
        { name: 'n', type: 'integer', role: 'feature', required: true, missing: 0 },
        { name: 'b', type: 'boolean', role: 'feature', required: true, missing: 0 },
        { name: 'd', type: 'datetime', role: 'feature', required: true, missing: 0, dateFormat: 'iso' },
        { name: 'gone', type: 'text', role: 'feature', required: true, missing: 0 },
      ],
    };
    const raw = aq.table({
      goal: ['1', '5k', '3'],
      n: ['1', '2.5', 3.5],
      b: ['yes', 'maybe', 2],
      d: ['2020-01-01', 'soon', true],
      extra: [1, 2, 3],
    });
    let err: SchemaError | undefined;
    try {
      coerceToSchema(raw, schema);
    } catch (e) {
      err = e as SchemaError;
    }
    expect(err).toBeInstanceOf(SchemaError);
    expect(err!.problems.map((p) => [p.column, p.row, p.value])).toEqual([
      ['gone', undefined, undefined],
      ['goal', 2, '5k'],
      ['n', 2, '2.5'],
      ['n', 3, 3.5],
      ['b', 2, 'maybe'],
      ['b', 3, 2],
      ['d', 2, 'soon'],
      ['d', 3, true],
    ]);
    expect(err!.problems[1].message).toBe('column "goal" expected a number, found "5k" (row 2)');
  });

  it('keeps integer identifiers as numbers and passes unknown columns through', () => {
    const schema: Schema = {
      rows: 0,
      columns: [{ name: 'id', type: 'identifier', role: 'id', required: true, missing: 0 }],
    };
    const t = coerceToSchema(aq.table({ id: [1, 'b2'], other: [new Date(0), 'x'] }), schema);
    expect(t.array('id')).toEqual([1, 'b2']);
    expect(t.array('other')[0]).toEqual(new Date(0));
  });
});
