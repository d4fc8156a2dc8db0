import * as aq from 'arquero';
import { Client } from 'pg';
import { readDatabase } from './read-database';
import { writeDatabase } from './write-database';
import { roundTripTable } from './round-trip-table';
import { describeWithPostgres } from './postgres-test-server';

describeWithPostgres('PostgreSQL read/write', (url) => {
  // Unique per run so parallel runs never collide; dropped afterwards.
  const schema = `cml_ingest_test_${process.pid}_${Date.now()}`;
  let admin: Client;

  beforeAll(async () => {
    admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  });

  it('round-trips numbers, integers, nulls, booleans, dates and unicode exactly', async () => {
    const t = roundTripTable();
    await expect(writeDatabase(t, { url, schema, table: 'campaigns' })).resolves.toBe(4);
    const back = await readDatabase({ url, schema, table: 'campaigns' });
    expect(back.columnNames()).toEqual(t.columnNames());
    expect(back.objects()).toEqual(t.objects());
    const types = await admin.query(
      'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
      [schema, 'campaigns'],
    );
    expect(types.rows.map((r) => r.data_type)).toEqual([
      'integer',
      'double precision',
      'bigint',
      'boolean',
      'timestamp with time zone',
      'text',
      'text',
      'text',
    ]);
  });

  it('reads queries with positional parameters and decodes server types', async () => {
    const q = await readDatabase({
      url,
      query: `SELECT id, name FROM "${schema}"."campaigns" WHERE at < $1 AND flag = $2 ORDER BY id`,
      params: [new Date('2020-01-01'), true],
    });
    expect(q.objects()).toEqual([{ id: 1, name: 'naïve café' }]);
    const typed = await readDatabase({
      url,
      query:
        "SELECT 12345678901::int8 AS i8, 1.25::numeric AS num, DATE '2021-03-04' AS d, TIMESTAMP '2021-03-04 05:06:07.5' AS ts, 'x'::varchar AS v, NULL::int AS n",
    });
    expect(typed.objects()).toEqual([
      {
        i8: 12345678901,
        num: 1.25,
        d: new Date('2021-03-04T00:00:00Z'),
        ts: new Date('2021-03-04T05:06:07.500Z'),
        v: 'x',
        n: null,
      },
    ]);
    await expect(readDatabase({ url, query: 'SELECT $1::int AS a', params: { a: 1 } })).rejects.toThrow(
      /positional params/,
    );
  });

  it('honours ifExists and rolls back a failed write', async () => {
    const loc = { url, schema, table: 'ie' };
    await writeDatabase(aq.table({ a: [1, 2] }), loc);
    await expect(writeDatabase(aq.table({ a: [3] }), loc)).rejects.toThrow(/already exists/);
    await writeDatabase(aq.table({ a: [3] }), { ...loc, ifExists: 'append' });
    expect((await readDatabase(loc)).array('a')).toEqual([1, 2, 3]);
    await admin.query(`ALTER TABLE "${schema}"."ie" ALTER COLUMN a SET NOT NULL`);
    await expect(
      writeDatabase(aq.table({ a: [4, 5, null] }), { ...loc, ifExists: 'append', batchRows: 2 }),
    ).rejects.toThrow(/null value/);
    expect((await readDatabase(loc)).array('a')).toEqual([1, 2, 3]);
    await writeDatabase(aq.table({ b: [true] }), { ...loc, ifExists: 'replace' });
    expect((await readDatabase(loc)).objects()).toEqual([{ b: true }]);
  });
});
