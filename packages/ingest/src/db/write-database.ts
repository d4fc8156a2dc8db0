import type { ColumnTable } from 'arquero';
import type { WriteDatabaseOptions } from './database-options';
import { resolveWriteOptions } from './write-options';
import { writeSqlite } from './sqlite-database';
import { writePostgres } from './postgres-database';

/**
 * Write a table to a database in one transaction with batched, parameterised INSERTs. The table
 * is created with column types from its values: integers, floating numbers, booleans, Dates
 * (SQLite TIMESTAMP as ISO 8601 text; PostgreSQL TIMESTAMPTZ) and text. Resolves to the row count.
 */
export async function writeDatabase(table: ColumnTable, options: WriteDatabaseOptions): Promise<number> {
  const { loc, ifExists, batchRows } = resolveWriteOptions(options);
  if (loc.dialect === 'sqlite') return writeSqlite(table, loc.path, options.table, ifExists, batchRows);
  return writePostgres(table, loc.url, options.table, options.schema, ifExists, batchRows);
}
