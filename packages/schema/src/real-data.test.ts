import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { parse } from 'csv-parse/sync';
import { inferSchema } from './infer-schema';
import { coerceToSchema } from './coerce-to-schema';
import { validate } from './validate';
import type { Schema } from './types';

const shared = path.resolve(__dirname, '../../../../shared/data');
const hasShared = fs.existsSync(shared);
const d = hasShared ? describe : describe.skip;

/** The file as plain text cells (empty cell -> null), so inference sees what a reader sees. */
function readCsvAsText(file: string, delimiter: string): ColumnTable {
  const rows = parse(fs.readFileSync(file), { delimiter, bom: true }) as string[][];
  const header = rows[0];
  const cols: Record<string, (string | null)[]> = {};
  header.forEach((h, j) => {
    const values = new Array<string | null>(rows.length - 1);
    for (let i = 1; i < rows.length; i++) values[i - 1] = rows[i][j] === '' ? null : rows[i][j];
    cols[h] = values;
  });
  return aq.table(cols, header);
}

const typeOf = (s: Schema, name: string) => s.columns.find((c) => c.name === name)?.type;

d('inferSchema on the real datasets', () => {
  it('Kickstarter: sensible types, and the coerced table validates', () => {
    const raw = readCsvAsText(path.join(shared, 'kickstarter/kickstarter.csv'), ',');
    const s = inferSchema(raw, { target: 'state' });
    expect(s.rows).toBe(15215);
    expect(s.columns).toHaveLength(46);
    expect(typeOf(s, 'id')).toBe('identifier');
    expect(typeOf(s, 'name')).toBe('text');
    expect(typeOf(s, 'goal')).toBe('number');
    expect(typeOf(s, 'category')).toBe('category');
    expect(typeOf(s, 'launched_at')).toBe('datetime');
    expect(typeOf(s, 'staff_pick')).toBe('boolean');
    expect(typeOf(s, 'state')).toBe('category');
    expect(typeOf(s, 'deadline_month')).toBe('integer');
    const state = s.columns.find((c) => c.name === 'state')!;
    expect(state).toMatchObject({ role: 'target', categories: ['successful', 'failed', 'canceled', 'live'] });
    expect(s.columns.find((c) => c.name === 'main_category')).toMatchObject({ missing: 278, required: false });

    const table = coerceToSchema(raw, s);
    expect(table.get('launched_at', 0)).toEqual(new Date('2017-06-03T16:05:54Z'));
    expect(table.get('staff_pick', 0)).toBe(false);
    expect(validate(table, s)).toEqual({ ok: true, problems: [] });
    // The raw text does not validate (validation coerces nothing), and it says why.
    const rawCheck = validate(raw, s, { maxProblems: 1 });
    expect(rawCheck.problems[0].message).toBe('column "goal" expected a number, found "5500" (row 1)');
  });

  it('marketing: Income number with 24 missing, ID identifier, Response boolean, Dt_Customer datetime', () => {
    const raw = readCsvAsText(path.join(shared, 'marketing/marketing_campaign.csv'), ';');
    const s = inferSchema(raw);
    expect(s.rows).toBe(2240);
    expect(s.columns[0].name).toBe('ID'); // byte-order mark removed
    expect(s.columns.find((c) => c.name === 'Income')).toMatchObject({ type: 'number', missing: 24, max: 666666 });
    expect(s.columns.find((c) => c.name === 'ID')).toMatchObject({ type: 'identifier', role: 'id' });
    // Exactly the values 0 and 1 -> boolean (documented choice; override with types: { Response: 'integer' }).
    expect(typeOf(s, 'Response')).toBe('boolean');
    expect(s.columns.find((c) => c.name === 'Dt_Customer')).toMatchObject({ type: 'datetime', dateFormat: 'iso' });
    expect(typeOf(s, 'Kidhome')).toBe('integer');
    expect(typeOf(s, 'Education')).toBe('category');
    const typed = coerceToSchema(raw, s);
    expect(validate(typed, s).ok).toBe(true);
    // A table holding 0/1 as numbers (as readers keep them) validates against the same schema.
    const numeric = typed.derive({ Response: (r: { Response: boolean }) => (r.Response ? 1 : 0) });
    expect(validate(numeric, s).ok).toBe(true);
  });
});
