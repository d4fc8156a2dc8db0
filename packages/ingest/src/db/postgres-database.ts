import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { Client } from 'pg';
import { ConfigError, describeValue, ParseError } from '@campaign-ml/core';
import { parseDate } from '../schema/value-parsing';
import { type ColumnPlan, planColumns } from './column-kinds';
import { qualifiedName, quoteIdentifier } from './quote-identifier';
import type { IfExists } from './database-options';

/** PostgreSQL type OIDs we decode; everything else stays text. */
const OID = {
  bool: 16, int8: 20, int2: 21, int4: 23, oid: 26, float4: 700, float8: 701, numeric: 1700,
  date: 1082, timestamp: 1114, timestamptz: 1184,
} as const;

type Decode = 'boolean' | 'number' | 'datetime' | 'string';

function decodeFor(oid: number): Decode {
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
const rawText = { getTypeParser: () => (v: string) => v } as unknown as import('pg').CustomTypesConfig;

function pgTypeOf(c: ColumnPlan): string {
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

async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (e) {
    throw new ConfigError('DATABASE_UNREACHABLE', `cannot connect to PostgreSQL at ${url.replace(/\/\/[^@/]*@/, '//***@')}: ${(e as Error).message}`);
  }
  try {
    // Fixed text formats whatever the server's defaults: ISO dates in UTC, exact floats.
    await client.query("SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET extra_float_digits = 3");
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function readPostgres(url: string, sql: string, params?: readonly unknown[]): Promise<ColumnTable> {
  return withClient(url, async (client) => {
    const result = await client.query({ text: sql, values: (params ?? []).map(toPostgresValue), rowMode: 'array', types: rawText });
    const rows = result.rows as (string | null)[][];
    const names = result.fields.map((f) => f.name);
    const out: Record<string, unknown[]> = {};
    result.fields.forEach((f, j) => {
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
          if (!d) throw new ParseError('BAD_DATE', `column "${f.name}" row ${i + 1} holds ${describeValue(v)}, which is not a finite date`, { row: i + 1, column: f.name, value: v });
          values[i] = d;
        }
      }
      out[names[j]] = values;
    });
    return aq.table(out, names);
  });
}

export async function writePostgres(table: ColumnTable, url: string, name: string, schema: string | undefined, ifExists: IfExists, batchRows: number): Promise<number> {
  const plan = planColumns(table);
  const target = qualifiedName(name, schema);
  return withClient(url, async (client) => {
    const found = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [target]);
    const exists = found.rows[0].t !== null;
    if (exists && ifExists === 'fail') {
      throw new ConfigError('TABLE_EXISTS', `table ${target} already exists; pass ifExists: 'replace' or 'append'`, { value: name });
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
        await client.query(`CREATE TABLE ${target} (${plan.map((c) => `${quoteIdentifier(c.name)} ${pgTypeOf(c)}`).join(', ')})`);
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
