import type { ColumnTable } from 'arquero';
import { ConfigError } from '@campaign-ml/core';
import { resolveLocation, type ResolvedLocation } from './database-location';
import type { QueryParams, ReadDatabaseOptions } from './database-options';
import { countSqlite, readSqliteChunks } from './sqlite-database';
import { countPostgres, readPostgresChunks } from './postgres-database';

export interface ReadDatabaseChunksOptions extends ReadDatabaseOptions {
  /** Rows per chunk (default 10,000). */
  chunkRows?: number;
}

/** Consecutive rows of a table or query. */
export interface DatabaseChunk {
  table: ColumnTable;
  /** 0-based index of the chunk's first row in the whole result. */
  offset: number;
}

type Source = { table: string; schema?: string } | { query: string; params?: QueryParams };

/** Check the options as readDatabase does and say which database and source they name. */
function resolve(options: ReadDatabaseOptions, what: string): { loc: ResolvedLocation; source: Source } {
  const loc = resolveLocation(options);
  if ((options.table === undefined) === (options.query === undefined)) {
    throw new ConfigError('TABLE_OR_QUERY', `${what} needs exactly one of table or query`, { expected: '{ table } or { query, params? }' });
  }
  if (options.table !== undefined && options.params !== undefined) {
    throw new ConfigError('PARAMS_WITHOUT_QUERY', 'params are only used with query', { expected: '{ query, params }' });
  }
  if (loc.dialect === 'sqlite' && options.schema) {
    throw new ConfigError('SCHEMA_UNSUPPORTED', 'schema applies to PostgreSQL only; SQLite has one schema per file', { value: options.schema });
  }
  if (loc.dialect === 'postgres' && options.params !== undefined && !Array.isArray(options.params)) {
    throw new ConfigError('NAMED_PARAMS_UNSUPPORTED', 'PostgreSQL takes positional params ($1, $2, ...) as an array', { expected: 'an array' });
  }
  const source: Source = options.table !== undefined ? { table: options.table, schema: options.schema } : { query: options.query as string, params: options.params };
  return { loc, source };
}

/**
 * Read a table or a query's rows in chunks of `chunkRows`, with readDatabase's value conventions,
 * so that memory holds one chunk whatever the table's size. PostgreSQL: a server-side cursor in one
 * read-only snapshot. SQLite: one short statement per page (tables by rowid, queries by
 * LIMIT/OFFSET; give a query an ORDER BY for a stable order), so that no lock is held between
 * pages. Always yields at least one chunk (empty, with the column names, for no rows). A missing
 * table, a failing query or an unreachable database is a ConfigError that names it.
 */
export async function* readDatabaseChunks(options: ReadDatabaseChunksOptions): AsyncGenerator<DatabaseChunk> {
  const chunkRows = options.chunkRows ?? 10_000;
  if (!(Number.isInteger(chunkRows) && chunkRows >= 1)) {
    throw new ConfigError('INVALID_OPTION', `chunkRows must be a positive integer, got ${String(chunkRows)}`, { value: chunkRows, expected: 'an integer >= 1' });
  }
  const { loc, source } = resolve(options, 'readDatabaseChunks');
  let offset = 0;
  if (loc.dialect === 'sqlite') {
    const s = 'table' in source ? { table: source.table } : source;
    for (const table of readSqliteChunks(loc.path, s, chunkRows)) {
      yield { table, offset };
      offset += table.numRows();
    }
    return;
  }
  for await (const table of readPostgresChunks(loc.url, source as { table: string } | { query: string; params?: readonly unknown[] }, chunkRows)) {
    yield { table, offset };
    offset += table.numRows();
  }
}

/** How many rows a table or query gives (`SELECT count(*)`; a query runs once more for it). */
export async function countDatabaseRows(options: ReadDatabaseOptions): Promise<number> {
  const { loc, source } = resolve(options, 'countDatabaseRows');
  if (loc.dialect === 'sqlite') return countSqlite(loc.path, 'table' in source ? { table: source.table } : source);
  return countPostgres(loc.url, source as { table: string } | { query: string; params?: readonly unknown[] });
}
