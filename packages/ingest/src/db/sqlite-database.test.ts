import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as aq from 'arquero';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { ConfigError, InputError } from '@campaign-ml/core';
import { readDatabase } from './read-database';
import { writeDatabase } from './write-database';
import { roundTripTable } from './round-trip-table';
import { coerceToSchema } from '@campaign-ml/schema';
import { inferSchema } from '@campaign-ml/schema';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cml-ingest-sqlite-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => path.join(dir, name);

describe('SQLite read/write', () => {
  it('round-trips every value convention exactly', async () => {
    const t = roundTripTable();
    await expect(writeDatabase(t, { path: file('rt.db'), table: 'campaigns' })).resolves.toBe(4);
    const back = await readDatabase({ url: `sqlite:${file('rt.db')}`, table: 'campaigns' });
    expect(back.columnNames()).toEqual(t.columnNames());
    expect(back.objects()).toEqual(t.objects());
    const db = new Database(file('rt.db'), { readonly: true });
    const types = db.prepare('SELECT name, type FROM pragma_table_info(?)').all('campaigns');
    db.close();
    expect(types).toEqual([
      { name: 'id', type: 'INTEGER' },
      { name: 'amount', type: 'REAL' },
      { name: 'big', type: 'INTEGER' },
      { name: 'flag', type: 'BOOLEAN' },
      { name: 'at', type: 'TIMESTAMP' },
      { name: 'name', type: 'TEXT' },
      { name: 'weird "col"; name', type: 'TEXT' },
      { name: 'empty', type: 'TEXT' },
    ]);
  });

  it('reads queries with parameters (never spliced into SQL)', async () => {
    await writeDatabase(roundTripTable(), { path: file('q.db'), table: 'x"; DROP TABLE t; --' });
    const byName = await readDatabase({
      path: file('q.db'),
      query: 'SELECT id, at FROM "x""; DROP TABLE t; --" WHERE name = ?',
      params: ['O\'Brien "quoted"'],
    });
    expect(byName.objects()).toEqual([{ id: 3, at: null }]);
    const named = await readDatabase({
      path: file('q.db'),
      query: 'SELECT id FROM "x""; DROP TABLE t; --" WHERE flag = @f AND at < @when ORDER BY id',
      params: { f: true, when: new Date('2020-01-01') },
    });
    expect(named.array('id')).toEqual([1]);
    const empty = await readDatabase({
      path: file('q.db'),
      query: 'SELECT id, name FROM "x""; DROP TABLE t; --" WHERE id > 99',
    });
    expect(empty.numRows()).toBe(0);
    expect(empty.columnNames()).toEqual(['id', 'name']);
  });

  it('honours ifExists fail, append and replace', async () => {
    const t = aq.table({ a: [1, 2, 3] });
    const loc = { path: file('ie.db'), table: 't' };
    await writeDatabase(t, loc);
    await expect(writeDatabase(t, loc)).rejects.toThrow(/already exists.*ifExists: 'replace' or 'append'/);
    await writeDatabase(t, { ...loc, ifExists: 'append' });
    expect((await readDatabase(loc)).numRows()).toBe(6);
    await writeDatabase(aq.table({ b: ['x'] }), { ...loc, ifExists: 'replace' });
    expect((await readDatabase(loc)).objects()).toEqual([{ b: 'x' }]);
  });

  it('writes in one transaction: a failing batch leaves the table as it was', async () => {
    const db = new Database(file('tx.db'));
    db.exec('CREATE TABLE t (a INTEGER NOT NULL)');
    db.close();
    const t = aq.table({ a: [1, 2, 3, null, 5] });
    let message = 'writeDatabase did not throw';
    try {
      await writeDatabase(t, { path: file('tx.db'), table: 't', ifExists: 'append', batchRows: 2 });
    } catch (e) {
      message = (e as Error).message;
    }
    // On failure, show what the file holds so that the cause can be told apart.
    const check = new Database(file('tx.db'), { readonly: true });
    const state = JSON.stringify({
      ddl: check.prepare('SELECT sql FROM sqlite_master').all(),
      rows: check.prepare('SELECT count(*) AS n FROM t').get(),
    });
    check.close();
    expect(`${message} ${state}`).toMatch(/NOT NULL constraint failed.*"n":0/);
    expect((await readDatabase({ path: file('tx.db'), table: 't' })).numRows()).toBe(0);
  });

  it('batches any row count (remainder batch included)', async () => {
    const n = 1234;
    const t = aq.table({ i: Array.from({ length: n }, (_, i) => i), s: Array.from({ length: n }, (_, i) => `r${i}`) });
    await writeDatabase(t, { path: file('b.db'), table: 'b', batchRows: 100 });
    expect((await readDatabase({ path: file('b.db'), table: 'b' })).objects()).toEqual(t.objects());
  });

  it('rejects mixed columns, unknown options and non-queries clearly', async () => {
    await expect(writeDatabase(aq.table({ a: [1, 'x'] }), { path: file('m.db'), table: 'm' })).rejects.toThrow(
      InputError,
    );
    await expect(writeDatabase(aq.table({ a: [1, 'x'] }), { path: file('m.db'), table: 'm' })).rejects.toThrow(
      /column "a" mixes integer and string values \(row 2: "x"\)/,
    );
    await expect(
      writeDatabase(aq.table({ a: [1] }), { path: file('m.db'), table: 'm', ifExists: 'merge' as never }),
    ).rejects.toThrow(ConfigError);
    await expect(readDatabase({ path: file('m.db') })).rejects.toThrow(/exactly one of table or query/);
    await writeDatabase(aq.table({ a: [1] }), { path: file('m.db'), table: 'm' });
    await expect(readDatabase({ path: file('m.db'), query: 'DELETE FROM m' })).rejects.toThrow(
      /SELECT statements only/,
    );
    await expect(readDatabase({ path: file('m.db'), table: 'm', schema: 'public' })).rejects.toThrow(/PostgreSQL only/);
  });

  it('profiling use case: a CSV-derived table goes in and comes back identical', async () => {
    const csv =
      'ID;Income;Dt_Customer;Response;Education\n5524;58138;2012-09-04;1;Graduation\n2174;;2014-03-08;0;PhD\n4141;71613.5;2013-08-21;0;Master\n';
    const rows = parse(csv, { delimiter: ';' }) as string[][];
    const header = rows[0];
    const raw = aq.table(Object.fromEntries(header.map((h, j) => [h, rows.slice(1).map((r) => r[j])])), header);
    const table = coerceToSchema(raw, inferSchema(raw));
    await writeDatabase(table, { url: `sqlite:${file('profile.db')}`, table: 'customers' });
    const back = await readDatabase({ url: `sqlite:${file('profile.db')}`, table: 'customers' });
    expect(back.objects()).toEqual(table.objects());
    expect(back.get('Dt_Customer', 0)).toEqual(new Date('2012-09-04T00:00:00Z'));
    expect(back.get('Response', 0)).toBe(true);
  });
});
