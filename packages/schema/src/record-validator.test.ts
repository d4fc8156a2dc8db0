import * as aq from 'arquero';
import { createRng, type Rng, SchemaError } from '@campaign-ml/core';
import { coerceToSchema } from './coerce-to-schema';
import { inferSchema } from './infer-schema';
import { compileRecordValidator } from './record-validator';
import type { Schema } from './types';

/** Text as exports write each kind of value, with the messes people leave in them. */
const WRITERS: Record<string, (rng: Rng) => string> = {
  flag: (rng) =>
    rng.int(10) === 0
      ? ['', ' ', 'NA', '?'][rng.int(4)]
      : [
          ['yes', 'no'],
          ['Y', 'N'],
          ['TRUE', 'false'],
          ['on', 'Off'],
          ['1', '0'],
        ][rng.int(5)][rng.int(2)],
  amount: (rng) => {
    const x = Math.round(rng.uniform(-5000, 2_000_000) * 100) / 100;
    const plain = String(x);
    const grouped = x.toLocaleString('en-US', { maximumFractionDigits: 2 });
    return [plain, grouped, ` ${plain} `, x < 0 ? plain : `$${grouped}`, 'n/a', ''][rng.int(6)];
  },
  share: (rng) => [`${rng.int(101)}%`, String(rng.int(101)), '-'][rng.int(3)],
  count: (rng) => [String(rng.int(60)), '', 'N/A'][rng.int(3)],
  when: (rng) => {
    const d = new Date(
      Date.UTC(2015 + rng.int(8), rng.int(12), 1 + rng.int(28), rng.int(24), rng.int(60), rng.int(60), rng.int(1000)),
    );
    const iso = d.toISOString();
    return [iso, iso.slice(0, 10), `${iso.slice(0, 10)} ${iso.slice(11, 19)}`, `${iso.slice(0, 23)}4567Z`, 'NA'][
      rng.int(5)
    ];
  },
  code: (rng) => ['00501', '02134', '10001', '94105'][rng.int(4)],
  label: (rng) => ['Married', 'Single', 'Together', 'Divorced'][rng.int(4)],
};

function generated(rng: Rng, n: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, write] of Object.entries(WRITERS)) out[name] = Array.from({ length: n }, () => write(rng));
  // At least one of each truth value, so the flag column is never a constant.
  out.flag[0] = 'yes';
  out.flag[1] = 'no';
  return out;
}

const comparable = (v: unknown) => (v instanceof Date ? `date:${v.getTime()}` : v);
const columns = (t: aq.ColumnTable) =>
  Object.fromEntries(t.columnNames().map((c) => [c, Array.from(t.array(c) as ArrayLike<unknown>, comparable)]));
const asJson = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

describe('compileRecordValidator: one typing for training, batch scoring and the API', () => {
  it('types generated values the same at training, at predict and from JSON records (property test over 20 seeds)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const text = aq.table(generated(createRng(seed), 150));
      const schema = inferSchema(text);
      expect(Object.fromEntries(schema.columns.map((c) => [c.name, c.type]))).toEqual({
        flag: 'boolean',
        amount: 'number',
        share: 'integer',
        count: 'integer',
        when: 'datetime',
        code: 'category',
        label: 'category',
      });
      const atTraining = coerceToSchema(text, schema);
      const validator = compileRecordValidator(schema, { required: [] });
      const atPredict = validator.table(text);
      expect(atPredict.problems).toEqual([]);
      expect(columns(atPredict.table)).toEqual(columns(atTraining));
      // The API receives JSON: numbers, booleans, ISO strings, null.
      const names = atPredict.table.columnNames();
      const records = Array.from({ length: atPredict.table.numRows() }, (_, r) =>
        Object.fromEntries(names.map((c) => [c, asJson(atPredict.table.get(c, r))])),
      );
      const byApi = validator.records(records);
      expect(byApi.problems).toEqual([]);
      expect(columns(byApi.table)).toEqual(columns(atTraining));
    }
  });

  it('reads the grammar: flags to booleans, amounts with separators and signs, truncated fractions', () => {
    const schema: Schema = {
      rows: 0,
      columns: [
        { name: 'flag', type: 'boolean', role: 'feature', required: false, missing: 0 },
        { name: 'amount', type: 'number', role: 'feature', required: false, missing: 0 },
        { name: 'when', type: 'datetime', role: 'feature', required: false, missing: 0, dateFormat: 'dmy' },
        { name: 'bmi', type: 'number', role: 'feature', required: false, missing: 0, decimal: ',' },
      ],
    };
    const v = compileRecordValidator(schema, { required: [] });
    const { table, problems } = v.records([
      { flag: 'Y', amount: '$1,204.50', when: '25/05/2018', bmi: '27,5' },
      { flag: 'off', amount: ' 12% ', when: '2018-05-25T10:00:00.9999Z', bmi: '1.204,5' },
      { flag: '?', amount: 'NA', when: ' ', bmi: null },
    ]);
    expect(problems).toEqual([]);
    expect(table.array('flag')).toEqual([true, false, null]);
    expect(table.array('amount')).toEqual([1204.5, 12, null]);
    expect((table.array('when') as (Date | null)[]).map((d) => d?.toISOString() ?? null)).toEqual([
      '2018-05-25T00:00:00.000Z',
      '2018-05-25T10:00:00.999Z',
      null,
    ]);
    expect(table.array('bmi')).toEqual([27.5, 1204.5, null]);
  });

  it('names row, column, value and what was expected; rejects only the bad rows', () => {
    const schema = inferSchema(
      aq.table({
        goal: ['1', '2', '3'],
        ok: ['yes', 'no', 'yes'],
        at: ['2020-01-01', '2020-01-02', '2020-01-03'],
        c: ['a', 'b', 'a'],
      }),
    );
    const v = compileRecordValidator(schema);
    const t = aq.table({
      goal: ['5k', '2', '3', '4'],
      ok: ['yes', 'maybe', 'no', 'no'],
      at: ['2020-01-01', '2020-01-02', '2021-02-30', '2020-01-04'],
      c: ['a', 'b', 'a', 'z'],
    });
    const r = v.table(t, 100);
    expect(r.table.numRows()).toBe(0);
    expect(r.problems.map((p) => p.message)).toEqual([
      'column "goal" expected an integer, found "5k" (row 101)',
      'column "ok" expected a boolean (true/false, yes/no, 1/0), found "maybe" (row 102)',
      'column "at" expected a date, found "2021-02-30", which is not a real date (row 103)',
      'column "c" has category "z" not seen in training (row 104); expected one of: a, b',
    ]);
    expect(r.problems.map((p) => [p.row, p.column, p.value])).toEqual([
      [0, 'goal', '5k'],
      [1, 'ok', 'maybe'],
      [2, 'at', '2021-02-30'],
      [3, 'c', 'z'],
    ]);
    expect(() => v.table(aq.table({ goal: ['1'] }))).toThrow(SchemaError);
    const loose = compileRecordValidator(schema, { unknownCategories: 'unseen' }).records([
      { goal: 1, ok: true, at: '2020-01-01', c: 'z' },
      { goal: 2, ok: 1, at: '2020-01-01', c: 'a', extra: 1 },
      'nope',
    ]);
    expect(loose.rows).toEqual(Int32Array.from([0]));
    expect(loose.problems.map((p) => `${p.row}:${p.code}:${p.column ?? ''}`)).toEqual([
      '1:EXTRA_FIELD:extra',
      '2:INVALID_RECORD:',
    ]);
  });
});
