import type { ColumnTable } from 'arquero';
import type { ReadDatabaseOptions } from './database-options';
import { resolveReadSource } from './read-source';
import { qualifiedName } from './quote-identifier';
import { readSqlite } from './sqlite-database';
import { readPostgres } from './postgres-database';

/**
 * Read a table or a query's rows into an arquero table with ingest's value conventions: numbers,
 * booleans (SQLite: declared BOOLEAN), Dates (SQLite: declared DATE/TIME/TIMESTAMP; PostgreSQL:
 * date/timestamp/timestamptz, as UTC), strings, and null for missing.
 */
export async function readDatabase(options: ReadDatabaseOptions): Promise<ColumnTable> {
  const { loc, source } = resolveReadSource(options, 'readDatabase');
  if (loc.dialect === 'sqlite') {
    const sql = 'query' in source ? source.query : `SELECT * FROM ${qualifiedName(source.table)}`;
    return readSqlite(loc.path, sql, 'query' in source ? source.params : undefined);
  }
  const sql = 'query' in source ? source.query : `SELECT * FROM ${qualifiedName(source.table, source.schema)}`;
  return readPostgres(loc.url, sql, 'query' in source ? (source.params as readonly unknown[] | undefined) : undefined);
}
