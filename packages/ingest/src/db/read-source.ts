import { ConfigError } from '@campaign-ml/core';
import { resolveLocation, type ResolvedLocation } from './database-location';
import type { QueryParams, ReadDatabaseOptions } from './database-options';

export type ReadSource = { table: string; schema?: string } | { query: string; params?: QueryParams };

/** Check a read's options (readDatabase, readDatabaseChunks, countDatabaseRows) and say which database and source they name. */
export function resolveReadSource(
  options: ReadDatabaseOptions,
  what: string,
): { loc: ResolvedLocation; source: ReadSource } {
  const loc = resolveLocation(options);
  if ((options.table === undefined) === (options.query === undefined)) {
    throw new ConfigError('TABLE_OR_QUERY', `${what} needs exactly one of table or query`, {
      expected: '{ table } or { query, params? }',
    });
  }
  if (options.table !== undefined && options.params !== undefined) {
    throw new ConfigError('PARAMS_WITHOUT_QUERY', 'params are only used with query', { expected: '{ query, params }' });
  }
  if (loc.dialect === 'sqlite' && options.schema) {
    throw new ConfigError('SCHEMA_UNSUPPORTED', 'schema applies to PostgreSQL only; SQLite has one schema per file', {
      value: options.schema,
    });
  }
  if (loc.dialect === 'postgres' && options.params !== undefined && !Array.isArray(options.params)) {
    throw new ConfigError('NAMED_PARAMS_UNSUPPORTED', 'PostgreSQL takes positional params ($1, $2, ...) as an array', {
      expected: 'an array',
    });
  }
  const source: ReadSource =
    options.table !== undefined
      ? { table: options.table, schema: options.schema }
      : { query: options.query as string, params: options.params };
  return { loc, source };
}
