import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { parse } from 'csv-parse/sync';
import { coerceToSchema } from '@campaign-ml/schema';
import { inferSchema } from '@campaign-ml/schema';
import { readDatabase } from './read-database';
import { writeDatabase } from './write-database';

const shared = path.resolve(__dirname, '../../../../../shared/data');
const hasShared = fs.existsSync(shared);
const d = hasShared ? describe : describe.skip;

function readCsv(file: string, delimiter: string): ColumnTable {
  const rows = parse(fs.readFileSync(file), { delimiter, bom: true }) as string[][];
  const header = rows[0];
  const cols: Record<string, (string | null)[]> = {};
  header.forEach((h, j) => {
    cols[h] = rows.slice(1).map((r) => (r[j] === '' ? null : r[j]));
  });
  const raw = aq.table(cols, header);
  return coerceToSchema(raw, inferSchema(raw));
}

/** Index of the first value that differs (Dates by time, everything else by ===), or -1. */
function firstDifference(a: ArrayLike<unknown>, b: ArrayLike<unknown>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x instanceof Date ? !(y instanceof Date) || x.getTime() !== y.getTime() : x !== y) return i;
  }
  return -1;
}

d('database round trip of the real data (the customer-profiling use case)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cml-ingest-real-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('marketing_campaign.csv goes into SQLite and comes back identical', async () => {
    const table = readCsv(path.join(shared, 'marketing/marketing_campaign.csv'), ';');
    const db = path.join(dir, 'profile.db');
    await expect(writeDatabase(table, { path: db, table: 'customers' })).resolves.toBe(2240);
    const back = await readDatabase({ path: db, table: 'customers' });
    expect(back.columnNames()).toEqual(table.columnNames());
    const differences = table.columnNames().map((name) => [name, firstDifference(table.array(name), back.array(name))]);
    expect(differences.filter(([, i]) => i !== -1)).toEqual([]);
    expect(back.get('Income', 0)).toBe(58138);
    expect(back.get('Dt_Customer', 0)).toEqual(new Date('2012-09-04T00:00:00Z'));
    expect(back.array('Income').filter((v) => v === null)).toHaveLength(24);
  });
});
