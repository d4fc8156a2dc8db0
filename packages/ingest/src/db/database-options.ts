import type { DatabaseLocation } from './database-location';

/** What to do when the table to write already exists. */
export type IfExists = 'fail' | 'replace' | 'append';

/** Positional parameters (`?` in SQLite, `$1` in PostgreSQL) or named ones (SQLite `@name`). */
export type QueryParams = readonly unknown[] | Record<string, unknown>;

export interface ReadDatabaseOptions extends DatabaseLocation {
  /** Read a whole table... */
  table?: string;
  /** ...in this schema (PostgreSQL). */
  schema?: string;
  /** ...or the rows of a SELECT query. */
  query?: string;
  /** Values for the query's placeholders; always sent as parameters, never spliced into SQL. */
  params?: QueryParams;
}

export interface WriteDatabaseOptions extends DatabaseLocation {
  /** Table to create or append to. */
  table: string;
  /** Schema that holds it (PostgreSQL). */
  schema?: string;
  /** When the table exists: 'fail' (default), 'replace' (drop and recreate) or 'append'. */
  ifExists?: IfExists;
  /** Rows per INSERT statement (capped by the database's parameter limit). Default 500. */
  batchRows?: number;
}
