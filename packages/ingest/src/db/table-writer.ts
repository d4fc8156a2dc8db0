import type { ColumnTable } from 'arquero';
import type { ColumnKind } from './column-kinds';
import type { WriteDatabaseOptions } from './database-options';
import { resolveWriteOptions } from './write-options';
import { openSqliteTableWriter } from './sqlite-table-writer';
import { openPostgresTableWriter } from './postgres-table-writer';

/** Writes a table chunk by chunk; nothing shows under the table's name until `commit`. */
export interface TableWriter {
  /** Append a chunk (same columns every time). Resolves to the rows written so far. */
  write(chunk: ColumnTable): Promise<number>;
  /** Publish the rows under the table's name (honouring ifExists). Resolves to the rows written. */
  commit(): Promise<number>;
  /** Drop what was written; the table's name is left as it was. Safe after a failure, and twice. */
  abort(): Promise<void>;
}

export interface TableWriterOptions extends WriteDatabaseOptions {
  /**
   * Column names and kinds of the table to create. Without it they come from the first chunk, and a
   * later chunk whose values are of another kind (a decimal in an integer column, a number in a
   * column that was all missing) is an InputError: give `columns` when chunks may differ.
   */
  columns?: readonly { name: string; kind: ColumnKind }[];
}

/**
 * Open a writer that streams chunks into a database table, for outputs larger than memory.
 *
 * Rows go to a staging table next to the target (`<table>__staging_<pid>_<random>`), which `commit`
 * renames to the target (ifExists 'replace' drops the old one first; 'append' copies the rows in
 * and drops the staging table). PostgreSQL does all of it in one transaction, so a failed,
 * aborted or killed run leaves nothing. SQLite commits each chunk to the staging table (so a
 * reader of the same file is never locked out between chunks); `abort` drops it. Only a killed
 * process can leave a `__staging_` table behind, and the next writer of that table drops it once
 * that process is gone. 'fail' (the default) is checked when the writer opens and again at commit.
 */
export async function openTableWriter(options: TableWriterOptions): Promise<TableWriter> {
  const { loc, ifExists, batchRows } = resolveWriteOptions(options);
  const fixed = options.columns?.map((c) => ({ name: c.name, kind: c.kind, maxAbs: Number.MAX_SAFE_INTEGER }));
  if (loc.dialect === 'sqlite') return openSqliteTableWriter(loc.path, options.table, ifExists, batchRows, fixed);
  return openPostgresTableWriter(loc.url, options.table, options.schema, ifExists, batchRows, fixed);
}
