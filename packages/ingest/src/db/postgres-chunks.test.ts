import * as aq from 'arquero';
import { Client } from 'pg';
import { readDatabase } from './read-database';
import { countDatabaseRows, readDatabaseChunks } from './read-database-chunks';
import { openTableWriter } from './table-writer';
import { ConfigError } from '@campaign-ml/core';
import { writeDatabase } from './write-database';
import { roundTripTable } from './round-trip-table';
import { describeWithPostgres } from './postgres-test-server';

describeWithPostgres('PostgreSQL chunked reading and the table writer', (url) => {
  // Unique per run so parallel runs never collide; dropped afterwards.
  const schema = `cml_chunks_test_${process.pid}_${Date.now()}`;
  let admin: Client;
  const tables = async () =>
    (
      await admin.query<{ t: string }>('SELECT tablename AS t FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [
        schema,
      ])
    ).rows.map((r) => r.t);
  const read = async (options: Parameters<typeof readDatabaseChunks>[0]) => {
    const offsets: number[] = [];
    const rows: Record<string, unknown>[] = [];
    for await (const c of readDatabaseChunks(options)) {
      offsets.push(c.offset);
      rows.push(...(c.table.objects() as Record<string, unknown>[]));
    }
    return { offsets, rows };
  };

  beforeAll(async () => {
    admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await writeDatabase(roundTripTable(), { url, schema, table: 'campaigns' });
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  });

  it('reads a table through a cursor in chunks that add up to readDatabase', async () => {
    const whole = await readDatabase({ url, schema, table: 'campaigns' });
    for (const chunkRows of [1, 3, 4, 9]) {
      const { offsets, rows } = await read({ url, schema, table: 'campaigns', chunkRows });
      expect(offsets).toEqual(Array.from({ length: Math.ceil(4 / chunkRows) }, (_, i) => i * chunkRows));
      expect(rows).toEqual(whole.objects());
    }
    await expect(countDatabaseRows({ url, schema, table: 'campaigns' })).resolves.toBe(4);
  });

  it('reads a query with parameters; an empty result is one chunk with the column names', async () => {
    const q = await read({
      url,
      query: `SELECT id, name FROM "${schema}"."campaigns" WHERE id >= $1 ORDER BY id DESC;`,
      params: [2],
      chunkRows: 2,
    });
    expect(q).toEqual({
      offsets: [0, 2],
      rows: [
        { id: 4, name: null },
        { id: 3, name: 'O\'Brien "quoted"' },
        { id: 2, name: '日本語 🚀' },
      ],
    });
    await expect(
      countDatabaseRows({ url, query: `SELECT id FROM "${schema}"."campaigns" WHERE id >= $1`, params: [2] }),
    ).resolves.toBe(3);
    const chunks = [];
    for await (const c of readDatabaseChunks({
      url,
      query: `SELECT id, at FROM "${schema}"."campaigns" WHERE id > 99`,
    }))
      chunks.push(c.table);
    expect(chunks.map((t) => [t.columnNames(), t.numRows()])).toEqual([[['id', 'at'], 0]]);
  });

  it('names a missing table, a failing query and an unreachable database', async () => {
    await expect(read({ url, schema, table: 'nope' })).rejects.toThrow(ConfigError);
    await expect(read({ url, schema, table: 'nope' })).rejects.toThrow(
      `table "${schema}"."nope" does not exist in the PostgreSQL database`,
    );
    await expect(countDatabaseRows({ url, table: 'nope_at_all' })).rejects.toThrow(
      /table "nope_at_all" does not exist/,
    );
    await expect(read({ url, query: `SELECT missing_col FROM "${schema}"."campaigns"` })).rejects.toThrow(
      /the query failed: column "missing_col" does not exist/,
    );
    const bad = new URL(url);
    bad.pathname = `/no_such_db_${process.pid}`;
    await expect(read({ url: bad.toString(), table: 't' })).rejects.toThrow(
      /cannot connect to PostgreSQL at .*no_such_db_\d+.*does not exist/,
    );
  });

  it('writes chunks in one transaction: invisible until commit, nothing left after abort', async () => {
    const w = await openTableWriter({
      url,
      schema,
      table: 'out',
      columns: [
        { name: 'row', kind: 'integer' },
        { name: 'p', kind: 'number' },
        { name: 'label', kind: 'string' },
      ],
    });
    for await (const c of readDatabaseChunks({ url, schema, table: 'campaigns', chunkRows: 3 })) {
      const ids = c.table.array('id') as number[];
      await w.write(
        aq.table({
          row: ids.map((_, i) => c.offset + i + 1),
          p: ids.map((v) => v / 10),
          label: ids.map((v) => (v % 2 ? 'odd' : 'even')),
        }),
      );
      expect(await tables()).toEqual(['campaigns']);
    }
    await expect(w.commit()).resolves.toBe(4);
    expect(await tables()).toEqual(['campaigns', 'out']);
    expect((await readDatabase({ url, schema, table: 'out' })).objects()).toEqual([
      { row: 1, p: 0.1, label: 'odd' },
      { row: 2, p: 0.2, label: 'even' },
      { row: 3, p: 0.3, label: 'odd' },
      { row: 4, p: 0.4, label: 'even' },
    ]);
    const types = await admin.query(
      'SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
      [schema, 'out'],
    );
    expect(types.rows.map((r) => r.data_type)).toEqual(['bigint', 'double precision', 'text']);

    await expect(openTableWriter({ url, schema, table: 'out' })).rejects.toThrow(/already exists; pass ifExists/);
    const aborted = await openTableWriter({ url, schema, table: 'out', ifExists: 'replace' });
    await aborted.write(aq.table({ x: [1] }));
    await aborted.abort();
    expect(await tables()).toEqual(['campaigns', 'out']);
    expect((await readDatabase({ url, schema, table: 'out' })).numRows()).toBe(4);

    const app = await openTableWriter({ url, schema, table: 'out', ifExists: 'append' });
    await app.write(aq.table({ row: [5], p: [0.5], label: ['odd'] }));
    await app.commit();
    expect((await readDatabase({ url, schema, table: 'out' })).array('row')).toEqual([1, 2, 3, 4, 5]);
    const rep = await openTableWriter({ url, schema, table: 'out', ifExists: 'replace' });
    await rep.write(aq.table({ b: [true] }));
    await expect(rep.write(aq.table({ b: [1] }))).rejects.toThrow(
      /column "b" was created as boolean but the chunk starting at row 2 holds integer/,
    );
    expect((await readDatabase({ url, schema, table: 'out' })).numRows()).toBe(5);
    const rep2 = await openTableWriter({ url, schema, table: 'out', ifExists: 'replace' });
    await rep2.write(aq.table({ b: [true] }));
    await rep2.commit();
    expect((await readDatabase({ url, schema, table: 'out' })).objects()).toEqual([{ b: true }]);
    expect(await tables()).toEqual(['campaigns', 'out']);
  });
});
