import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { InputError } from '@campaign-ml/core';

/** A new table with the given rows (positions in table order), in the order given. */
export function takeRows(table: ColumnTable, indices: ArrayLike<number>): ColumnTable {
  const names = table.columnNames();
  const cols: Record<string, unknown[]> = {};
  const k = indices.length;
  for (const name of names) {
    const values = table.array(name) as ArrayLike<unknown>;
    const out = new Array<unknown>(k);
    for (let i = 0; i < k; i++) out[i] = values[indices[i]];
    cols[name] = out;
  }
  return aq.table(cols, names);
}

/** The values of a column the caller names, or an InputError listing the columns there are. */
export function requireColumn(table: ColumnTable, column: string, option: string): ArrayLike<unknown> {
  if (!table.columnNames().includes(column)) {
    throw new InputError('UNKNOWN_COLUMN', `${option} names column "${column}", which the table does not have`, {
      column,
      expected: `one of: ${table.columnNames().join(', ')}`,
    });
  }
  return table.array(column) as ArrayLike<unknown>;
}

/** "rows 3, 17, 40 and 12 more": 1-based rows for a message. */
export function describeRows(rows: readonly number[], shown = 10): string {
  const head = rows
    .slice(0, shown)
    .map((r) => r.toLocaleString('en-US'))
    .join(', ');
  const more = rows.length - Math.min(rows.length, shown);
  return `${rows.length === 1 ? 'row' : 'rows'} ${head}${more > 0 ? ` and ${more} more` : ''}`;
}
