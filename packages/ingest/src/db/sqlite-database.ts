import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import Database from 'better-sqlite3';
import { ConfigError, describeValue, ParseError } from '@campaign-ml/core';
import { parseDate } from '@campaign-ml/schema';
import { type ColumnKind, planColumns } from './column-kinds';
import { qualifiedName, quoteIdentifier } from './quote-identifier';
import type { IfExists, QueryParams } from './database-options';

export const SQLITE_TYPES: Record<ColumnKind, string> = {
  integer: 'INTEGER',
  number: 'REAL',
  boolean: 'BOOLEAN',
  datetime: 'TIMESTAMP',
  string: 'TEXT',
};

type Decode = 'boolean' | 'datetime' | 'raw';

/** How to read a column back from its declared type (SQLite type affinity, plus BOOL and DATE/TIME). */
function decodeFor(declared: string | null): Decode {
  const t = (declared ?? '').toUpperCase();
  if (t.includes('BOOL')) return 'boolean';
  if (t.includes('DATE') || t.includes('TIME')) return 'datetime';
  return 'raw';
}

/** A value as SQLite can bind it: booleans as 1/0, Dates as ISO 8601 text. */
export function toSqliteValue(v: unknown): unknown {
  if (v === undefined || (typeof v === 'number' && Number.isNaN(v))) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  return v;
}

function bindParams(params: QueryParams | undefined): unknown[] {
  if (params === undefined) return [];
  if (Array.isArray(params)) return [params.map(toSqliteValue)];
  return [Object.fromEntries(Object.entries(params).map(([k, v]) => [k, toSqliteValue(v)]))];
}

export function readSqlite(path: string, sql: string, params?: QueryParams): ColumnTable {
  const db = new Database(path, { readonly: true, fileMustExist: path !== ':memory:' });
  try {
    const stmt = db.prepare(sql);
    if (!stmt.reader)
      throw new ConfigError('NOT_A_QUERY', 'the query returns no rows; readDatabase runs SELECT statements only', {
        value: sql,
      });
    const columns = stmt.columns();
    const rows = stmt.raw(true).all(...bindParams(params)) as unknown[][];
    return decodeRows(columns, rows, 0, 0);
  } finally {
    db.close();
  }
}

/** Rows (arrays) as a table, columns from `skip` on, decoded by declared type; errors name row `offset + i + 1`. */
function decodeRows(
  columns: readonly { name: string; type: string | null }[],
  rows: readonly unknown[][],
  skip: number,
  offset: number,
): ColumnTable {
  const names: string[] = [];
  const out: Record<string, unknown[]> = {};
  for (let j = skip; j < columns.length; j++) {
    const c = columns[j];
    const decode = decodeFor(c.type);
    const values = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i][j];
      if (v === null || decode === 'raw') values[i] = v;
      else if (decode === 'boolean') values[i] = v !== 0 && v !== '0' && v !== 'false';
      else if (typeof v === 'number') values[i] = new Date(v);
      else {
        const d = typeof v === 'string' ? parseDate(v) : undefined;
        const row = offset + i + 1;
        if (!d)
          throw new ParseError(
            'BAD_DATE',
            `column "${c.name}" is declared ${c.type} but row ${row} holds ${describeValue(v)}, not a date`,
            { row, column: c.name, value: v, expected: 'an ISO 8601 date' },
          );
        values[i] = d;
      }
    }
    names.push(c.name);
    out[c.name] = values;
  }
  return aq.table(out, names);
}

/** Open a SQLite file, or a ConfigError that names it. */
export function openSqlite(path: string, readonly: boolean): Database.Database {
  try {
    return new Database(path, readonly ? { readonly: true, fileMustExist: path !== ':memory:' } : {});
  } catch (e) {
    throw new ConfigError('DATABASE_NOT_FOUND', `cannot open SQLite database "${path}": ${(e as Error).message}`, {
      value: path,
    });
  }
}

/** A ConfigError naming a missing table and the tables the file has. */
function checkSqliteTable(db: Database.Database, path: string, table: string): void {
  const names = (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
  if (!names.includes(table)) {
    throw new ConfigError(
      'TABLE_NOT_FOUND',
      `table "${table}" does not exist in SQLite database "${path}" (${names.length ? `it has: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}` : 'it has no tables'})`,
      {
        value: table,
      },
    );
  }
}

export function queryFailed(e: unknown, sql: string): Error {
  if (e instanceof ConfigError || e instanceof ParseError) return e;
  return new ConfigError(
    'QUERY_FAILED',
    `the query failed: ${(e as Error).message} (query: ${sql.length > 200 ? `${sql.slice(0, 200)}...` : sql})`,
    { value: sql },
  );
}

/** Number of rows a table or query gives. */
export function countSqlite(path: string, source: { table: string } | { query: string; params?: QueryParams }): number {
  const db = openSqlite(path, true);
  try {
    if ('table' in source) {
      checkSqliteTable(db, path, source.table);
      return (db.prepare(`SELECT count(*) AS n FROM ${qualifiedName(source.table)}`).get() as { n: number }).n;
    }
    const sql = `SELECT count(*) AS n FROM (${trimQuery(source.query)})`;
    try {
      return (db.prepare(sql).get(...bindParams(source.params)) as { n: number }).n;
    } catch (e) {
      throw queryFailed(e, source.query);
    }
  } finally {
    db.close();
  }
}

const trimQuery = (sql: string) => sql.trim().replace(/;\s*$/, '');

/**
 * Page through a table or a query, `chunkRows` rows at a time, each page its own short statement
 * (so no read lock is held between pages and a writer on the same file can commit). Tables page by
 * rowid (keyset: `WHERE rowid > last ORDER BY rowid`); tables without a rowid, views and queries by
 * LIMIT/OFFSET over the query (give it an ORDER BY for a stable order). Yields at least one table
 * (empty, with the column names, when there are no rows).
 */
export function* readSqliteChunks(
  path: string,
  source: { table: string } | { query: string; params?: QueryParams },
  chunkRows: number,
): Generator<ColumnTable> {
  const db = openSqlite(path, true);
  try {
    let page: (
      after: unknown,
      offset: number,
    ) => { columns: { name: string; type: string | null }[]; rows: unknown[][]; skip: number };
    const userSql = 'table' in source ? `SELECT * FROM ${qualifiedName(source.table)}` : trimQuery(source.query);
    const user = bindParams('table' in source ? undefined : source.params);
    const keyset = 'table' in source ? keysetStatement(db, path, source.table, chunkRows) : undefined;
    if (keyset) {
      page = (after, offset) => {
        const stmt = offset === 0 ? keyset.first : keyset.next;
        return {
          columns: stmt.columns(),
          rows: (offset === 0 ? stmt.raw(true).all() : stmt.raw(true).all(after)) as unknown[][],
          skip: 1,
        };
      };
    } else {
      let stmt: Database.Statement;
      try {
        stmt = db.prepare(`SELECT * FROM (${userSql}) LIMIT @__cml_limit OFFSET @__cml_offset`);
      } catch (e) {
        throw queryFailed(e, userSql);
      }
      const named = (offset: number) => {
        const ours = { __cml_limit: chunkRows, __cml_offset: offset };
        if (user.length === 0) return [ours];
        const u = user[0];
        return Array.isArray(u) ? [...u, ours] : [{ ...(u as object), ...ours }];
      };
      page = (_after, offset) => {
        try {
          return { columns: stmt.columns(), rows: stmt.raw(true).all(...named(offset)) as unknown[][], skip: 0 };
        } catch (e) {
          throw queryFailed(e, userSql);
        }
      };
    }
    let offset = 0;
    let after: unknown = null;
    for (;;) {
      const { columns, rows, skip } = page(after, offset);
      if (rows.length > 0 || offset === 0) yield decodeRows(columns, rows, skip, offset);
      if (rows.length < chunkRows) return;
      if (skip) after = rows[rows.length - 1][0];
      offset += rows.length;
    }
  } finally {
    db.close();
  }
}

/** `SELECT <rowid> AS key, * ... WHERE <rowid> > ? ORDER BY <rowid> LIMIT n`, or undefined when the table has no rowid. */
function keysetStatement(
  db: Database.Database,
  path: string,
  table: string,
  chunkRows: number,
): { first: Database.Statement; next: Database.Statement } | undefined {
  checkSqliteTable(db, path, table);
  const own = new Set(
    (db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as { name: string }[]).map((r) =>
      r.name.toLowerCase(),
    ),
  );
  const alias = ['rowid', '_rowid_', 'oid'].find((a) => !own.has(a));
  if (!alias) return undefined;
  try {
    const select = `SELECT ${alias} AS "__cml_key", * FROM ${qualifiedName(table)}`;
    const first = db.prepare(`${select} ORDER BY ${alias} LIMIT ${chunkRows}`);
    const next = db.prepare(`${select} WHERE ${alias} > ? ORDER BY ${alias} LIMIT ${chunkRows}`);
    return { first, next };
  } catch {
    return undefined; // WITHOUT ROWID tables and views
  }
}

export function writeSqlite(
  table: ColumnTable,
  path: string,
  name: string,
  ifExists: IfExists,
  batchRows: number,
): number {
  const plan = planColumns(table);
  const target = qualifiedName(name);
  const db = new Database(path);
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    if (exists && ifExists === 'fail') {
      throw new ConfigError(
        'TABLE_EXISTS',
        `table "${name}" already exists in ${path}; pass ifExists: 'replace' or 'append'`,
        { value: name },
      );
    }
    const cols = plan.length;
    const n = table.numRows();
    // SQLite allows 32,766 bound values per statement; stay well below.
    const perBatch = Math.max(1, Math.min(batchRows, Math.floor(32000 / Math.max(1, cols))));
    const columnList = plan.map((c) => quoteIdentifier(c.name)).join(', ');
    const rowSlots = `(${plan.map(() => '?').join(', ')})`;
    const insertSql = (rows: number) =>
      `INSERT INTO ${target} (${columnList}) VALUES ${Array.from({ length: rows }, () => rowSlots).join(', ')}`;
    const arrays = plan.map((c) => table.array(c.name) as ArrayLike<unknown>);
    const run = db.transaction(() => {
      if (exists && ifExists === 'replace') db.exec(`DROP TABLE ${target}`);
      if (!exists || ifExists === 'replace') {
        db.exec(
          `CREATE TABLE ${target} (${plan.map((c) => `${quoteIdentifier(c.name)} ${SQLITE_TYPES[c.kind]}`).join(', ')})`,
        );
      }
      if (n === 0 || cols === 0) return;
      const full = db.prepare(insertSql(Math.min(perBatch, n)));
      const buffer = new Array<unknown>(Math.min(perBatch, n) * cols);
      for (let start = 0; start < n; start += perBatch) {
        const rows = Math.min(perBatch, n - start);
        const stmt = rows === Math.min(perBatch, n) ? full : db.prepare(insertSql(rows));
        const params = rows * cols === buffer.length ? buffer : new Array<unknown>(rows * cols);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) params[r * cols + c] = toSqliteValue(arrays[c][start + r]);
        }
        stmt.run(params);
      }
    });
    run();
    return n;
  } finally {
    db.close();
  }
}
