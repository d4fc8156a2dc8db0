import type { ColumnTable } from 'arquero';
import type { ColumnType } from '@campaign-ml/schema';

/** How drift treats a schema column: numbers and dates on a numeric axis, the rest as categories. */
export type ColumnKind = 'numeric' | 'categorical' | 'datetime';

export function columnKind(type: ColumnType): ColumnKind | undefined {
  if (type === 'number' || type === 'integer') return 'numeric';
  if (type === 'datetime') return 'datetime';
  if (type === 'category' || type === 'boolean') return 'categorical';
  return undefined; // text and identifiers are not compared
}

/**
 * A column's values in row order without a copy when the table holds them as a plain or typed
 * array and is neither filtered nor ordered (tables made from arrays, the validator's output);
 * else table.array(name), which copies (90 ms per 1M values).
 */
export function columnArray(table: ColumnTable, name: string): ArrayLike<unknown> {
  const col = table.column(name) as unknown;
  if (!table.isFiltered() && !table.isOrdered() && (Array.isArray(col) || ArrayBuffer.isView(col)))
    return col as ArrayLike<unknown>;
  return table.array(name) as ArrayLike<unknown>;
}

/**
 * A typed column (schema types: numbers, Dates, null for missing) as doubles: dates as epoch
 * milliseconds (what the bundle's reference keeps), missing as NaN.
 */
export function numericColumn(table: ColumnTable, name: string): Float64Array {
  const values = columnArray(table, name);
  if (values instanceof Float64Array) return values; // read only downstream
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] =
      typeof v === 'number' ? v : v instanceof Date ? v.getTime() : v === null || v === undefined ? NaN : Number(v);
  }
  return out;
}

/** A typed column as category keys, the way the bundle's reference writes them (String(v)); missing as null. */
export function categoryColumn(table: ColumnTable, name: string): (string | null)[] {
  const values = columnArray(table, name);
  const out = new Array<string | null>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === 'string' ? v : v === null || v === undefined ? null : String(v);
  }
  return out;
}
