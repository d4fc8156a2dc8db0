import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import Database from 'better-sqlite3';
import { ConfigError, describeValue, ParseError } from '@campaign-ml/core';
import { parseDate } from '../schema/value-parsing';
import { type ColumnKind, planColumns } from './column-kinds';
import { qualifiedName, quoteIdentifier } from './quote-identifier';
import type { IfExists, QueryParams } from './database-options';

const SQLITE_TYPES: Record<ColumnKind, string> = {
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
    if (!stmt.reader) throw new ConfigError('NOT_A_QUERY', 'the query returns no rows; readDatabase runs SELECT statements only', { value: sql });
    const columns = stmt.columns();
    const rows = stmt.raw(true).all(...bindParams(params)) as unknown[][];
    const names = columns.map((c) => c.name);
    const out: Record<string, unknown[]> = {};
    columns.forEach((c, j) => {
      const decode = decodeFor(c.type);
      const values = new Array<unknown>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const v = rows[i][j];
        if (v === null || decode === 'raw') values[i] = v;
        else if (decode === 'boolean') values[i] = v !== 0 && v !== '0' && v !== 'false';
        else if (typeof v === 'number') values[i] = new Date(v);
        else {
          const d = typeof v === 'string' ? parseDate(v) : undefined;
          if (!d) throw new ParseError('BAD_DATE', `column "${c.name}" is declared ${c.type} but row ${i + 1} holds ${describeValue(v)}, not a date`, { row: i + 1, column: c.name, value: v, expected: 'an ISO 8601 date' });
          values[i] = d;
        }
      }
      out[names[j]] = values;
    });
    return aq.table(out, names);
  } finally {
    db.close();
  }
}

export function writeSqlite(table: ColumnTable, path: string, name: string, ifExists: IfExists, batchRows: number): number {
  const plan = planColumns(table);
  const target = qualifiedName(name);
  const db = new Database(path);
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    if (exists && ifExists === 'fail') {
      throw new ConfigError('TABLE_EXISTS', `table "${name}" already exists in ${path}; pass ifExists: 'replace' or 'append'`, { value: name });
    }
    const cols = plan.length;
    const n = table.numRows();
    // SQLite allows 32,766 bound values per statement; stay well below.
    const perBatch = Math.max(1, Math.min(batchRows, Math.floor(32000 / Math.max(1, cols))));
    const columnList = plan.map((c) => quoteIdentifier(c.name)).join(', ');
    const rowSlots = `(${plan.map(() => '?').join(', ')})`;
    const insertSql = (rows: number) => `INSERT INTO ${target} (${columnList}) VALUES ${Array.from({ length: rows }, () => rowSlots).join(', ')}`;
    const arrays = plan.map((c) => table.array(c.name) as ArrayLike<unknown>);
    const run = db.transaction(() => {
      if (exists && ifExists === 'replace') db.exec(`DROP TABLE ${target}`);
      if (!exists || ifExists === 'replace') {
        db.exec(`CREATE TABLE ${target} (${plan.map((c) => `${quoteIdentifier(c.name)} ${SQLITE_TYPES[c.kind]}`).join(', ')})`);
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
