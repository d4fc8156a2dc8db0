import type { ColumnSchema, ColumnType } from './types';
import { type DateFormat, parseBooleanLoose, parseDateIn, parseNumeral } from './value-grammar';

/** What each type expects, in the words error messages use. */
export const EXPECTED: Record<ColumnType, string> = {
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean (true/false, yes/no, 1/0)',
  datetime: 'a date',
  category: 'a string',
  text: 'a string',
  identifier: 'a string or an integer',
};

/** Converts one non-missing value to its column's type; `undefined` when it cannot. */
export type ColumnConverter = (v: unknown) => unknown;

/**
 * The converter of one column, compiled once from its schema: numbers (and number strings in the
 * column's decimal convention) to numbers, booleans to true/false, date strings (in `format`, or ISO) to
 * UTC Dates, anything to strings for category/text columns (identifiers keep integers). Missing
 * values are the caller's business: they never reach a converter.
 */
export function columnConverter(col: ColumnSchema, format: DateFormat | undefined = col.dateFormat): ColumnConverter {
  const decimal = col.decimal ?? '.';
  switch (col.type) {
    case 'number':
      return (v) =>
        typeof v === 'number'
          ? Number.isFinite(v)
            ? v
            : undefined
          : typeof v === 'string'
            ? parseNumeral(v, decimal)
            : undefined;
    case 'integer':
      return (v) => {
        const x = typeof v === 'number' ? v : typeof v === 'string' ? parseNumeral(v, decimal) : undefined;
        return x !== undefined && Number.isInteger(x) ? x : undefined;
      };
    case 'boolean':
      return (v) => {
        if (typeof v === 'boolean') return v;
        if (v === 1 || v === 0) return v === 1;
        return typeof v === 'string' ? parseBooleanLoose(v) : undefined;
      };
    case 'datetime':
      return (v) => (v instanceof Date ? v : typeof v === 'string' ? parseDateIn(v, format) : undefined);
    case 'identifier':
      return (v) =>
        typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))
          ? v
          : v instanceof Date
            ? v.toISOString()
            : undefined;
    default:
      return (v) =>
        typeof v === 'string'
          ? v
          : v instanceof Date
            ? v.toISOString()
            : typeof v === 'number' || typeof v === 'boolean'
              ? String(v)
              : undefined;
  }
}

/** What a column expects, with the date format when it is not ISO ("a date (dmy)"). */
export function expectedOf(col: ColumnSchema, format: DateFormat | undefined = col.dateFormat): string {
  if (col.type === 'datetime' && format && format !== 'iso') return `a date (${format})`;
  if ((col.type === 'number' || col.type === 'integer') && col.decimal === ',')
    return `${EXPECTED[col.type]} (decimal comma)`;
  return EXPECTED[col.type];
}
