import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import Database from 'better-sqlite3';
import { ConfigError, InputError } from '@campaign-ml/core';
import { countDatabaseRows, readDatabaseChunks, type ReadDatabaseChunksOptions } from './read-database-chunks';
import { readDatabase } from './read-database';
import { openTableWriter } from './table-writer';
import { writeDatabase } from './write-database';
import { roundTripTable } from './round-trip-table';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cml-ingest-chunks-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => path.join(dir, name);

async function chunks(options: ReadDatabaseChunksOptions): Promise<{ offsets: number[]; tables: ColumnTable[] }> {
  const offsets: number[] = [];
  const tables: ColumnTable[] = [];
  for await (const c of readDatabaseChunks(options)) {
    offsets.push(c.offset);
    tables.push(c.table);
  }
  return { offsets, tables };
}
const objects = (tables: ColumnTable[]) => tables.flatMap((t) => t.objects() as Record<string, unknown>[]);
const tablesIn = (db: string) => {
  const d = new Database(db, { readonly: true });
  const names = (
    d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
  ).map((r) => r.name);
  d.close();
  return names;
};

describe('SQLite chunked reading', () => {
  it('pages a table by rowid: the chunks add up to readDatabase, with global offsets', async () => {
    const db = file('rt.db');
    await writeDatabase(roundTripTable(), { path: db, table: 'campaigns' });
    const whole = await readDatabase({ path: db, table: 'campaigns' });
    for (const chunkRows of [1, 3, 4, 10]) {
      const { offsets, tables } = await chunks({ url: `sqlite:${db}`, table: 'campaigns', chunkRows });
      expect(offsets).toEqual(Array.from({ length: Math.ceil(4 / chunkRows) }, (_, i) => i * chunkRows));
      expect(tables.every((t) => t.columnNames().join() === whole.columnNames().join())).toBe(true);
      expect(objects(tables)).toEqual(whole.objects());
    }
    await expect(countDatabaseRows({ path: db, table: 'campaigns' })).resolves.toBe(4);
  });

  it('pages tables without a usable rowid, views and queries with parameters by LIMIT/OFFSET', async () => {
    const db = file('kinds.db');
    const d = new Database(db);
    d.exec('CREATE TABLE wr (k INTEGER PRIMARY KEY, v TEXT) WITHOUT ROWID');
    d.exec('CREATE TABLE own (rowid TEXT, _rowid_ TEXT, oid TEXT, n INTEGER)');
    const insWr = d.prepare('INSERT INTO wr VALUES (?, ?)');
    const insOwn = d.prepare('INSERT INTO own VALUES (?, ?, ?, ?)');
    for (let i = 0; i < 7; i++) {
      insWr.run(i, `v${i}`);
      insOwn.run(`r${i}`, 'x', 'y', i);
    }
    d.exec('CREATE VIEW evens AS SELECT k, v FROM wr WHERE k % 2 = 0');
    d.close();
    expect(objects((await chunks({ path: db, table: 'wr', chunkRows: 3 })).tables).map((r) => r.k)).toEqual([
      0, 1, 2, 3, 4, 5, 6,
    ]);
    expect(objects((await chunks({ path: db, table: 'own', chunkRows: 2 })).tables).map((r) => [r.rowid, r.n])).toEqual(
      Array.from({ length: 7 }, (_, i) => [`r${i}`, i]),
    );
    expect(objects((await chunks({ path: db, table: 'evens', chunkRows: 3 })).tables).map((r) => r.k)).toEqual([
      0, 2, 4, 6,
    ]);
    const q = await chunks({
      path: db,
      query: 'SELECT k FROM wr WHERE k >= ? ORDER BY k DESC;',
      params: [2],
      chunkRows: 2,
    });
    expect(q.offsets).toEqual([0, 2, 4]);
    expect(objects(q.tables).map((r) => r.k)).toEqual([6, 5, 4, 3, 2]);
    const named = await chunks({
      path: db,
      query: 'SELECT k FROM wr WHERE k < @top ORDER BY k',
      params: { top: 3 },
      chunkRows: 1,
    });
    expect(objects(named.tables).map((r) => r.k)).toEqual([0, 1, 2]);
    await expect(countDatabaseRows({ path: db, query: 'SELECT k FROM wr WHERE k >= ?', params: [2] })).resolves.toBe(5);
    const empty = await chunks({ path: db, query: 'SELECT k, v FROM wr WHERE k > 99' });
    expect(empty.tables).toHaveLength(1);
    expect(empty.tables[0].columnNames()).toEqual(['k', 'v']);
    expect(empty.tables[0].numRows()).toBe(0);
  });

  it('names a missing table, a missing file and a failing query', async () => {
    const db = file('rt.db');
    await expect(chunks({ path: db, table: 'nope' })).rejects.toThrow(ConfigError);
    await expect(chunks({ path: db, table: 'nope' })).rejects.toThrow(
      /table "nope" does not exist in SQLite database ".*rt\.db" \(it has: campaigns\)/,
    );
    await expect(chunks({ url: `sqlite:${file('missing.db')}`, table: 't' })).rejects.toThrow(
      /cannot open SQLite database ".*missing\.db"/,
    );
    await expect(chunks({ path: db, query: 'SELECT missing_col FROM campaigns' })).rejects.toThrow(
      /the query failed: no such column: missing_col/,
    );
    await expect(countDatabaseRows({ path: db, table: 'nope' })).rejects.toThrow(/table "nope" does not exist/);
    await expect(chunks({ path: db })).rejects.toThrow(/exactly one of table or query/);
    await expect(chunks({ path: db, table: 'campaigns', chunkRows: 0 })).rejects.toThrow(
      /chunkRows must be a positive integer/,
    );
    await expect(chunks({ url: 'mysql://u:secret@h/db', table: 't' })).rejects.toThrow(
      /unsupported database URL "mysql:\/\/\*\*\*@h\/db"/,
    );
  });
});

describe('SQLite table writer', () => {
  it('streams chunks into a staging table and publishes it at commit, while the same file is read page by page', async () => {
    const db = file('same.db');
    const n = 2500;
    await writeDatabase(aq.table({ i: Array.from({ length: n }, (_, i) => i) }), { path: db, table: 'src' });
    const w = await openTableWriter({
      path: db,
      table: 'out',
      columns: [
        { name: 'i', kind: 'integer' },
        { name: 'half', kind: 'number' },
      ],
    });
    for await (const c of readDatabaseChunks({ path: db, table: 'src', chunkRows: 300 })) {
      const i = c.table.array('i') as number[];
      await w.write(aq.table({ half: i.map((v) => v / 2), i }));
      expect(tablesIn(db).filter((t) => t === 'out')).toEqual([]);
    }
    await expect(w.commit()).resolves.toBe(n);
    expect(tablesIn(db)).toEqual(['out', 'src']);
    const back = await readDatabase({ path: db, table: 'out' });
    expect(back.columnNames()).toEqual(['i', 'half']);
    expect(back.array('half')).toEqual(Array.from({ length: n }, (_, i) => i / 2));
  });

  it("drops staging tables of killed writers when a writer opens, and leaves running writers' alone", async () => {
    const db = file('stale.db');
    // A pid that no longer runs: a child that has exited.
    const dead = Number(
      execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }),
    );
    const running = await openTableWriter({ path: db, table: 'scores' });
    await running.write(aq.table({ a: [1] }));
    await writeDatabase(aq.table({ a: [0] }), { path: db, table: `scores__staging_${dead}_0badc0de` });
    await writeDatabase(aq.table({ a: [0] }), { path: db, table: 'scores__staging_notes' });
    expect(tablesIn(db).filter((t) => t.startsWith('scores__staging_'))).toHaveLength(3);
    const next = await openTableWriter({ path: db, table: 'scores', ifExists: 'replace' });
    const left = tablesIn(db).filter((t) => t.startsWith('scores__staging_'));
    expect(left).not.toContain(`scores__staging_${dead}_0badc0de`);
    expect(left).toContain('scores__staging_notes');
    expect(left.filter((t) => t.startsWith(`scores__staging_${process.pid}_`))).toHaveLength(1);
    await next.abort();
    await running.commit();
    expect(tablesIn(db)).toEqual(['scores', 'scores__staging_notes']);
  });

  it('abort leaves nothing; ifExists fail (at open and at commit), replace and append', async () => {
    const db = file('ie.db');
    const w = await openTableWriter({ path: db, table: 't' });
    await w.write(aq.table({ a: [1, 2] }));
    await w.abort();
    await w.abort();
    expect(tablesIn(db)).toEqual([]);
    await writeDatabase(aq.table({ a: [1, 2] }), { path: db, table: 't' });
    await expect(openTableWriter({ path: db, table: 't' })).rejects.toThrow(/table "t" already exists/);
    const late = await openTableWriter({ path: db, table: 'u' });
    await late.write(aq.table({ a: [1] }));
    await writeDatabase(aq.table({ a: [9] }), { path: db, table: 'u' });
    await expect(late.commit()).rejects.toThrow(/table "u" already exists/);
    expect(tablesIn(db)).toEqual(['t', 'u']);
    const app = await openTableWriter({ path: db, table: 't', ifExists: 'append' });
    await app.write(aq.table({ a: [3] }));
    await app.write(aq.table({ a: [4, 5] }));
    await app.commit();
    expect((await readDatabase({ path: db, table: 't' })).array('a')).toEqual([1, 2, 3, 4, 5]);
    const rep = await openTableWriter({ path: db, table: 't', ifExists: 'replace' });
    await rep.write(aq.table({ b: ['x'] }));
    await rep.commit();
    expect((await readDatabase({ path: db, table: 't' })).objects()).toEqual([{ b: 'x' }]);
    expect(tablesIn(db)).toEqual(['t', 'u']);
  });

  it('creates an empty table from the given columns, and refuses chunks that do not fit', async () => {
    const db = file('plan.db');
    const e = await openTableWriter({
      path: db,
      table: 'empty',
      columns: [
        { name: 'row', kind: 'integer' },
        { name: 'label', kind: 'string' },
      ],
    });
    await e.commit();
    const back = await readDatabase({ path: db, table: 'empty' });
    expect([back.columnNames(), back.numRows()]).toEqual([['row', 'label'], 0]);
    const w = await openTableWriter({ path: db, table: 'w' });
    await w.write(aq.table({ a: [1, 2], s: [null, null] }));
    await expect(w.write(aq.table({ a: [1.5], s: [null] }))).rejects.toThrow(InputError);
    expect(tablesIn(db)).toEqual(['empty']);
    const w2 = await openTableWriter({ path: db, table: 'w2' });
    await w2.write(aq.table({ a: [1] }));
    await expect(w2.write(aq.table({ b: [1] }))).rejects.toThrow(
      /chunk starting at row 2 has no column "a" and extra column "b"/,
    );
    await expect(w2.commit()).rejects.toThrow(/already committed or aborted/);
    const none = await openTableWriter({ path: db, table: 'none' });
    await expect(none.commit()).rejects.toThrow(/nothing was written to table "none"/);
    expect(tablesIn(db)).toEqual(['empty']);
  });
});
