import type { ColumnTable } from 'arquero';
import { requireColumns } from './panel-index';

export interface DropAllMissingOptions {
  /** Input columns to look at (default: every column not in `except`). */
  columns?: readonly string[];
  /** Columns that are not inputs (entity, time, targets). */
  except?: readonly string[];
}

/** Drop rows whose every input column is missing (null, or NaN); there is nothing to learn from them. */
export function dropAllMissingInputs(table: ColumnTable, opts: DropAllMissingOptions = {}): ColumnTable {
  const except = new Set(opts.except ?? []);
  const cols = opts.columns ?? table.columnNames().filter((c) => !except.has(c));
  requireColumns(table, cols);
  const arrays = cols.map((c) => table.array(c) as ArrayLike<unknown>);
  const n = table.numRows();
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    for (const a of arrays) {
      const v = a[i];
      if (v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v))) {
        keep.push(i);
        break;
      }
    }
  }
  return keep.length === n ? table : table.reify(keep);
}
