import { InputError, describeValue } from '@campaign-ml/core';
import { columnValues, newColumn } from '../pipeline/table-columns';
import type { Table } from '../pipeline/table-step';

export const MS_PER_DAY = 86_400_000;

/**
 * A date column as epoch milliseconds (UTC), NaN for missing. Accepts Date objects (ingest's
 * convention), epoch-millisecond numbers and ISO date strings; anything else is an InputError
 * naming the row, column and value.
 */
export function dateMillis(table: Table, name: string): Float64Array {
  const values = columnValues(table, name);
  const n = values.length;
  const out = newColumn(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let t: number;
    if (v === null || v === undefined) t = NaN;
    else if (v instanceof Date) t = v.getTime();
    else if (typeof v === 'number') t = v;
    else if (typeof v === 'string') {
      t = Date.parse(v);
      if (Number.isNaN(t)) throw notDate(name, i, v);
    } else throw notDate(name, i, v);
    out[i] = t;
  }
  return out;
}

function notDate(name: string, i: number, v: unknown): InputError {
  return new InputError(
    'NOT_A_DATE',
    `column "${name}" expected a date, found ${describeValue(v)} (row ${i + 1}); give Date objects or ISO strings such as 2021-03-15T19:42:17Z`,
    { row: i + 1, column: name, value: v, expected: 'a date' },
  );
}
