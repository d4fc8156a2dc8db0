import type { ColumnTable } from 'arquero';
import { ConfigError } from '@campaign-ml/core';
import { resolveLocation } from './database-location';
import type { WriteDatabaseOptions } from './database-options';
import { writeSqlite } from './sqlite-database';
import { writePostgres } from './postgres-database';

const IF_EXISTS = ['fail', 'replace', 'append'];

/**
 * Write a table to a database in one transaction with batched, parameterised INSERTs. The table
 * is created with column types from its values: integers, floating numbers, booleans, Dates
 * (SQLite TIMESTAMP as ISO 8601 text; PostgreSQL TIMESTAMPTZ) and text. Resolves to the row count.
 */
export async function writeDatabase(table: ColumnTable, options: WriteDatabaseOptions): Promise<number> {
  const loc = resolveLocation(options);
  const ifExists = options.ifExists ?? 'fail';
  if (!IF_EXISTS.includes(ifExists)) {
    throw new ConfigError('INVALID_OPTION', `ifExists is "${String(ifExists)}"`, { value: ifExists, expected: `one of: ${IF_EXISTS.join(', ')}` });
  }
  const batchRows = options.batchRows ?? 500;
  if (!(Number.isInteger(batchRows) && batchRows >= 1)) throw new ConfigError('INVALID_OPTION', `batchRows must be a positive integer, got ${batchRows}`, { value: batchRows });
  if (loc.dialect === 'sqlite') {
    if (options.schema) throw new ConfigError('SCHEMA_UNSUPPORTED', 'schema applies to PostgreSQL only; SQLite has one schema per file', { value: options.schema });
    return writeSqlite(table, loc.path, options.table, ifExists, batchRows);
  }
  return writePostgres(table, loc.url, options.table, options.schema, ifExists, batchRows);
}
