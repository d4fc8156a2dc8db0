import type { ColumnTable } from 'arquero';

/** The values of one column in table order (filters and orderby applied), as one array. */
export function columnValues(table: ColumnTable, name: string): ArrayLike<unknown> {
  return table.array(name) as ArrayLike<unknown>;
}

/** "1,204": row numbers in messages, written the way a person reads them. */
export function formatRow(row: number): string {
  return row.toLocaleString('en-US');
}
