import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTableWithInfo } from './read-table';

const shared = path.resolve(__dirname, '../../../../../shared/data');
const hasShared = fs.existsSync(path.join(shared, 'kickstarter', 'kickstarter.csv'));
const d = hasShared ? describe : describe.skip;

const key = (v: unknown): unknown => (v instanceof Date ? v.getTime() : v);

d('real data', () => {
  it('kickstarter.csv and Kickstarter.xlsx give the same table', async () => {
    const csv = await readTableWithInfo(path.join(shared, 'kickstarter', 'kickstarter.csv'));
    const xlsx = await readTableWithInfo(path.join(shared, 'kickstarter', 'Kickstarter.xlsx'));
    expect(csv.table.numCols()).toBe(46);
    expect(csv.table.numRows()).toBe(15215);
    expect(xlsx.table.columnNames()).toEqual(csv.table.columnNames());
    expect(xlsx.columnTypes).toEqual(csv.columnTypes);
    expect(csv.columnTypes).toMatchObject({
      goal: 'number',
      deadline: 'date',
      spotlight: 'boolean',
      state: 'string',
      'staff_pick.1': 'boolean',
    });
    let mismatches = 0;
    for (const name of csv.table.columnNames()) {
      const a = csv.table.array(name) as unknown[];
      const b = xlsx.table.array(name) as unknown[];
      expect(b.length).toBe(a.length);
      for (let i = 0; i < a.length; i++) if (key(a[i]) !== key(b[i])) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(csv.warnings).toEqual([]);
  }, 60_000);

  it('marketing_campaign.csv: ; delimiter, BOM, 24 missing incomes, dates', async () => {
    const r = await readTableWithInfo(path.join(shared, 'marketing', 'marketing_campaign.csv'));
    expect(r.delimiter).toBe(';');
    expect(r.table.numRows()).toBe(2240);
    expect(r.table.numCols()).toBe(29);
    expect(r.table.columnNames()[0]).toBe('ID');
    expect((r.table.array('Income') as unknown[]).filter((v) => v === null)).toHaveLength(24);
    expect(r.columnTypes.Dt_Customer).toBe('date');
    expect((r.table.get('Dt_Customer', 0) as Date).getTime()).toBe(Date.UTC(2012, 8, 4));
  });
});
