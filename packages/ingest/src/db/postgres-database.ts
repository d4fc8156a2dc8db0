import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { Client } from 'pg';
import { ConfigError, describeValue, ParseError } from '@campaign-ml/core';
import { parseDate } from '@campaign-ml/schema';
import { type ColumnPlan, planColumns } from './column-kinds';
import { qualifiedName, quoteIdentifier } from './quote-identifier';
import type { IfExists } from './database-options';

/** PostgreSQL type OIDs we decode; everything else stays text. */
const OID = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  float4: 700,
  float8: 701,
  numeric: 1700,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
} as const;

type Decode = 'boolean' | 'number' | 'datetime' | 'string';

export function decodeFor(oid: number): Decode {
  switch (oid) {
    case OID.bool:
      return 'boolean';
    case OID.int8:
    case OID.int2:
    case OID.int4:
    case OID.oid:
    case OID.float4:
    case OID.float8:
    case OID.numeric:
      return 'number';
    case OID.date:
    case OID.timestamp:
    case OID.timestamptz:
      return 'datetime';
    default:
      return 'string';
  }
}

// Every value arrives as the server's text; we decode by OID ourselves so that timestamps never
// pass through the process's local time zone and int8/numeric become numbers.
export const rawText = { getTypeParser: () => (v: string) => v } as unknown as import('pg').CustomTypesConfig;

export function pgTypeOf(c: ColumnPlan): string {
  switch (c.kind) {
    case 'integer':
      return c.maxAbs > 2147483647 ? 'BIGINT' : 'INTEGER';
    case 'number':
      return 'DOUBLE PRECISION';
    case 'boolean':
      return 'BOOLEAN';
    case 'datetime':
      return 'TIMESTAMPTZ';
    default:
      return 'TEXT';
  }
}

/** A value as a pg parameter: Dates as ISO 8601 (UTC), NaN as null. */
export function toPostgresValue(v: unknown): unknown {
  if (v === undefined || (typeof v === 'number' && Number.isNaN(v))) return null;
  if (v instanceof Date) return v.toISOString();
  return v;
}

/** A connected client with fixed text formats, or a ConfigError naming the server (password hidden). */
export async function connectPostgres(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new ConfigError(
      'DATABASE_UNREACHABLE',
      `cannot connect to PostgreSQL at ${url.replace(/\/\/[^@/]*@/, '//***@')}: ${(e as Error).message}`,
    );
  }
  try {
    // Fixed text formats whatever the server's defaults: ISO dates in UTC, exact floats.
    await client.query("SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET extra_float_digits = 3");
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  return client;
}

async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
  const client = await connectPostgres(url);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function readPostgres(url: string, sql: string, params?: readonly unknown[]): Promise<ColumnTable> {
  return withClient(url, async (client) => {
    const result = await client.query({
      text: sql,
      values: (params ?? []).map(toPostgresValue),
      rowMode: 'array',
      types: rawText,
    });
    return decodePostgresRows(result.fields, result.rows as (string | null)[][], 0);
  });
}

/** Server text rows as a table, decoded by type OID; errors name row `offset + i + 1`. */
export function decodePostgresRows(
  fields: readonly { name: string; dataTypeID: number }[],
  rows: readonly (string | null)[][],
  offset: number,
): ColumnTable {
  const names = fields.map((f) => f.name);
  const out: Record<string, unknown[]> = {};
  fields.forEach((f, j) => {
    const decode = decodeFor(f.dataTypeID);
    const values = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i][j];
      if (v === null || decode === 'string') values[i] = v;
      else if (decode === 'boolean') values[i] = v === 't';
      else if (decode === 'number') {
        const x = Number(v);
        values[i] = Number.isNaN(x) ? null : x;
      } else {
        const d = parseDate(v);
        const row = offset + i + 1;
        if (!d)
          throw new ParseError(
            'BAD_DATE',
            `column "${f.name}" row ${row} holds ${describeValue(v)}, which is not a finite date`,
            { row, column: f.name, value: v },
          );
        values[i] = d;
      }
    }
    out[names[j]] = values;
  });
  return aq.table(out, names);
}

const hideQuery = (sql: string) => (sql.length > 200 ? `${sql.slice(0, 200)}...` : sql);

/** A ConfigError for a missing table or a failing query; other errors pass through. */
function postgresFailure(e: unknown, what: { table?: string; query?: string }): Error {
  if (e instanceof ConfigError || e instanceof ParseError) return e;
  const err = e as Error & { code?: string };
  if (what.table && err.code === '42P01')
    return new ConfigError('TABLE_NOT_FOUND', `table ${what.table} does not exist in the PostgreSQL database`, {
      value: what.table,
    });
  if (what.query)
    return new ConfigError('QUERY_FAILED', `the query failed: ${err.message} (query: ${hideQuery(what.query)})`, {
      value: what.query,
    });
  return err;
}

async function checkPostgresTable(client: Client, target: string): Promise<void> {
  const found = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [target]);
  if (found.rows[0].t === null)
    throw new ConfigError('TABLE_NOT_FOUND', `table ${target} does not exist in the PostgreSQL database`, {
      value: target,
    });
}

/** Number of rows a table or query gives. */
export async function countPostgres(
  url: string,
  source: { table: string; schema?: string } | { query: string; params?: readonly unknown[] },
): Promise<number> {
  return withClient(url, async (client) => {
    if ('table' in source) {
      const target = qualifiedName(source.table, source.schema);
      await checkPostgresTable(client, target);
      return Number((await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${target}`)).rows[0].n);
    }
    try {
      const r = await client.query<{ n: string }>({
        text: `SELECT count(*)::text AS n FROM (${source.query.trim().replace(/;\s*$/, '')}) AS q`,
        values: (source.params ?? []).map(toPostgresValue),
      });
      return Number(r.rows[0].n);
    } catch (e) {
      throw postgresFailure(e, { query: source.query });
    }
  });
}

/**
 * Page through a table or query with a server-side cursor (DECLARE ... NO SCROLL CURSOR, FETCH n)
 * inside one REPEATABLE READ, READ ONLY transaction: one snapshot, one pass, `chunkRows` rows in
 * memory. Yields at least one table (empty, with the column names, when there are no rows).
 */
export async function* readPostgresChunks(
  url: string,
  source: { table: string; schema?: string } | { query: string; params?: readonly unknown[] },
  chunkRows: number,
): AsyncGenerator<ColumnTable> {
  const client = await connectPostgres(url);
  let open = false;
  try {
    const sql =
      'table' in source
        ? `SELECT * FROM ${qualifiedName(source.table, source.schema)}`
        : source.query.trim().replace(/;\s*$/, '');
    const what = 'table' in source ? { table: qualifiedName(source.table, source.schema) } : { query: source.query };
    if (what.table) await checkPostgresTable(client, what.table);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    open = true;
    try {
      await client.query({
        text: `DECLARE cml_chunks NO SCROLL CURSOR FOR ${sql}`,
        values: ('params' in source ? (source.params ?? []) : []).map(toPostgresValue),
      });
    } catch (e) {
      throw postgresFailure(e, what);
    }
    for (let offset = 0; ;) {
      let result;
      try {
        result = await client.query({
          text: `FETCH FORWARD ${chunkRows} FROM cml_chunks`,
          rowMode: 'array',
          types: rawText,
        });
      } catch (e) {
        throw postgresFailure(e, what);
      }
      const rows = result.rows as (string | null)[][];
      if (rows.length > 0 || offset === 0) yield decodePostgresRows(result.fields, rows, offset);
      offset += rows.length;
      if (rows.length < chunkRows) break;
    }
    await client.query('COMMIT');
    open = false;
  } finally {
    if (open) await client.query('ROLLBACK').catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

export async function writePostgres(
  table: ColumnTable,
  url: string,
  name: string,
  schema: string | undefined,
  ifExists: IfExists,
  batchRows: number,
): Promise<number> {
  const plan = planColumns(table);
  const target = qualifiedName(name, schema);
  return withClient(url, async (client) => {
    const found = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [target]);
    const exists = found.rows[0].t !== null;
    if (exists && ifExists === 'fail') {
      throw new ConfigError('TABLE_EXISTS', `table ${target} already exists; pass ifExists: 'replace' or 'append'`, {
        value: name,
      });
    }
    const cols = plan.length;
    const n = table.numRows();
    // PostgreSQL allows 65,535 parameters per statement.
    const perBatch = Math.max(1, Math.min(batchRows, Math.floor(65000 / Math.max(1, cols))));
    const columnList = plan.map((c) => quoteIdentifier(c.name)).join(', ');
    const insertSql = (rows: number) => {
      const tuples: string[] = [];
      for (let r = 0; r < rows; r++) tuples.push(`(${plan.map((_, c) => `$${r * cols + c + 1}`).join(', ')})`);
      return `INSERT INTO ${target} (${columnList}) VALUES ${tuples.join(', ')}`;
    };
    const arrays = plan.map((c) => table.array(c.name) as ArrayLike<unknown>);
    await client.query('BEGIN');
    try {
      if (exists && ifExists === 'replace') await client.query(`DROP TABLE ${target}`);
      if (!exists || ifExists === 'replace') {
        await client.query(
          `CREATE TABLE ${target} (${plan.map((c) => `${quoteIdentifier(c.name)} ${pgTypeOf(c)}`).join(', ')})`,
        );
      }
      if (n > 0 && cols > 0) {
        const fullRows = Math.min(perBatch, n);
        const fullSql = insertSql(fullRows);
        const buffer = new Array<unknown>(fullRows * cols);
        for (let start = 0; start < n; start += perBatch) {
          const rows = Math.min(perBatch, n - start);
          const params = rows === fullRows ? buffer : new Array<unknown>(rows * cols);
          for (let r = 0; r < rows; r++) {
            for (let c = 0; c < cols; c++) params[r * cols + c] = toPostgresValue(arrays[c][start + r]);
          }
          await client.query(rows === fullRows ? fullSql : insertSql(rows), params);
        }
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK');
      throw e;
    }
    return n;
  });
}
