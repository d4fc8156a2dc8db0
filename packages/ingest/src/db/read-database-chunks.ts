import type { ColumnTable } from 'arquero';
import { ConfigError } from '@campaign-ml/core';
import type { ReadDatabaseOptions } from './database-options';
import { resolveReadSource } from './read-source';
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
    throw new ConfigError('INVALID_OPTION', `chunkRows must be a positive integer, got ${String(chunkRows)}`, {
      value: chunkRows,
      expected: 'an integer >= 1',
    });
  }
  const { loc, source } = resolveReadSource(options, 'readDatabaseChunks');
  let offset = 0;
  if (loc.dialect === 'sqlite') {
    const s = 'table' in source ? { table: source.table } : source;
    for (const table of readSqliteChunks(loc.path, s, chunkRows)) {
      yield { table, offset };
      offset += table.numRows();
    }
    return;
  }
  for await (const table of readPostgresChunks(
    loc.url,
    source as { table: string } | { query: string; params?: readonly unknown[] },
    chunkRows,
  )) {
    yield { table, offset };
    offset += table.numRows();
  }
}

/** How many rows a table or query gives (`SELECT count(*)`; a query runs once more for it). */
export async function countDatabaseRows(options: ReadDatabaseOptions): Promise<number> {
  const { loc, source } = resolveReadSource(options, 'countDatabaseRows');
  if (loc.dialect === 'sqlite') return countSqlite(loc.path, 'table' in source ? { table: source.table } : source);
  return countPostgres(loc.url, source as { table: string } | { query: string; params?: readonly unknown[] });
}
