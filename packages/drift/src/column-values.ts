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
 * A typed column (schema types: numbers, Dates, null for missing) as doubles: dates as epoch
 * milliseconds (what the bundle's reference keeps), missing as NaN.
 */
export function numericColumn(table: ColumnTable, name: string): Float64Array {
  const values = table.array(name) as ArrayLike<unknown>;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === 'number' ? v : v instanceof Date ? v.getTime() : v === null || v === undefined ? NaN : Number(v);
  }
  return out;
}

/** A typed column as category keys, the way the bundle's reference writes them (String(v)); missing as null. */
export function categoryColumn(table: ColumnTable, name: string): (string | null)[] {
  const values = table.array(name) as ArrayLike<unknown>;
  const out = new Array<string | null>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v === null || v === undefined ? null : String(v);
  }
  return out;
}
