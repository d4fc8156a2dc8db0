import type { ColumnTable } from 'arquero';
import { ConfigError } from '@campaign-ml/core';
import { readDatabase, readTable } from '@campaign-ml/ingest';

/** Where the rows come from: a file, or a database table or query. */
export interface InputOptions {
  /** A CSV/TSV (streamed), XLSX/JSON/NDJSON/Parquet (read whole) file. */
  data?: string;
  /** A database: `postgres://...`, `sqlite:path` or a SQLite file path. */
  db?: string;
  /** ...its table... */
  table?: string;
  /** ...or a SELECT query. */
  query?: string;
}

export type ResolvedInput =
  { kind: 'file'; path: string } | { kind: 'db'; url: string; table?: string; query?: string };

/** A database URL as messages show it: without the password. */
export const hidePassword = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

/** Check the input flags: exactly one of --data or --db, and with --db exactly one of --table or --query. */
export function resolveInput(o: InputOptions): ResolvedInput {
  if (Boolean(o.data) === Boolean(o.db)) {
    const message = o.data
      ? 'give either --data <file> or --db <url>, not both'
      : 'no input: give --data <file> or --db <url> with --table <name> or --query "<select>"';
    throw new ConfigError('INPUT_SOURCE', message, {
      expected: '--data <file> | --db <url> --table <name> | --db <url> --query "<select>"',
    });
  }
  if (o.data) {
    if (o.table !== undefined || o.query !== undefined) {
      const message = '--table and --query read from a database: give --db <url> instead of --data';
      throw new ConfigError('INPUT_SOURCE', message, { value: o.table ?? o.query });
    }
    return { kind: 'file', path: o.data };
  }
  if ((o.table === undefined) === (o.query === undefined)) {
    const message = `--db ${hidePassword(o.db as string)} needs exactly one of --table <name> or --query "<select>"`;
    throw new ConfigError('INPUT_SOURCE', message, { expected: '--table or --query' });
  }
  return { kind: 'db', url: o.db as string, table: o.table, query: o.query };
}

/** A short description of the input for messages and reports (no password). */
export function describeInput(input: ResolvedInput): string {
  if (input.kind === 'file') return input.path;
  return `${input.table !== undefined ? `table ${input.table}` : 'query'} in ${hidePassword(input.url)}`;
}

/** The whole input as one table (evaluate needs every row at once). */
export async function readInput(input: ResolvedInput): Promise<ColumnTable> {
  if (input.kind === 'file') return readTable(input.path);
  return readDatabase({ url: input.url, table: input.table, query: input.query });
}
