import type { ColumnTable } from 'arquero';
import { ConfigError } from '@campaign-ml/core';
import { resolveLocation } from './database-location';
import type { ReadDatabaseOptions } from './database-options';
import { qualifiedName } from './quote-identifier';
import { readSqlite } from './sqlite-database';
import { readPostgres } from './postgres-database';

/**
 * Read a table or a query's rows into an arquero table with ingest's value conventions: numbers,
 * booleans (SQLite: declared BOOLEAN), Dates (SQLite: declared DATE/TIME/TIMESTAMP; PostgreSQL:
 * date/timestamp/timestamptz, as UTC), strings, and null for missing.
 */
export async function readDatabase(options: ReadDatabaseOptions): Promise<ColumnTable> {
  const loc = resolveLocation(options);
  if ((options.table === undefined) === (options.query === undefined)) {
    throw new ConfigError('TABLE_OR_QUERY', 'readDatabase needs exactly one of table or query', { expected: '{ table } or { query, params? }' });
  }
  if (options.table !== undefined && options.params !== undefined) {
    throw new ConfigError('PARAMS_WITHOUT_QUERY', 'params are only used with query', { expected: '{ query, params }' });
  }
  if (loc.dialect === 'sqlite') {
    if (options.schema) throw new ConfigError('SCHEMA_UNSUPPORTED', 'schema applies to PostgreSQL only; SQLite has one schema per file', { value: options.schema });
    const sql = options.query ?? `SELECT * FROM ${qualifiedName(options.table as string)}`;
    return readSqlite(loc.path, sql, options.params);
  }
  if (options.params !== undefined && !Array.isArray(options.params)) {
    throw new ConfigError('NAMED_PARAMS_UNSUPPORTED', 'PostgreSQL takes positional params ($1, $2, ...) as an array', { expected: 'an array' });
  }
  const sql = options.query ?? `SELECT * FROM ${qualifiedName(options.table as string, options.schema)}`;
  return readPostgres(loc.url, sql, options.params as readonly unknown[] | undefined);
}
