import { ConfigError } from '@campaign-ml/core';
import { resolveLocation, type ResolvedLocation } from './database-location';
import type { IfExists, WriteDatabaseOptions } from './database-options';

const IF_EXISTS = ['fail', 'replace', 'append'];

/**
 * Where and how to write, checked: the resolved database, ifExists (default 'fail'), batchRows
 * (default 500), and the schema only where it applies (PostgreSQL).
 */
export function resolveWriteOptions(options: WriteDatabaseOptions): {
  loc: ResolvedLocation;
  ifExists: IfExists;
  batchRows: number;
} {
  const loc = resolveLocation(options);
  const ifExists = options.ifExists ?? 'fail';
  if (!IF_EXISTS.includes(ifExists)) {
    throw new ConfigError('INVALID_OPTION', `ifExists is "${String(ifExists)}"`, {
      value: ifExists,
      expected: `one of: ${IF_EXISTS.join(', ')}`,
    });
  }
  const batchRows = options.batchRows ?? 500;
  if (!(Number.isInteger(batchRows) && batchRows >= 1))
    throw new ConfigError('INVALID_OPTION', `batchRows must be a positive integer, got ${batchRows}`, {
      value: batchRows,
    });
  if (loc.dialect === 'sqlite' && options.schema) {
    throw new ConfigError('SCHEMA_UNSUPPORTED', 'schema applies to PostgreSQL only; SQLite has one schema per file', {
      value: options.schema,
    });
  }
  return { loc, ifExists, batchRows };
}
