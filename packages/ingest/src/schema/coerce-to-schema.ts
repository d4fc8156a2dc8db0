import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { describeValue, type Problem, SchemaError } from '@campaign-ml/core';
import type { ColumnSchema, ColumnType, Schema } from './types';
import { columnValues, formatRow } from './column-values';
import { missingPredicate } from './missing-tokens';
import { type DateFormat, detectDateFormat, isIntegerString, parseBooleanLoose, parseDate, parseNumber } from './value-parsing';

export interface CoerceOptions {
  /** Strings that mean missing (besides blanks); they become null. Default DEFAULT_MISSING_TOKENS. */
  missingTokens?: readonly string[];
}

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

type Converter = (v: unknown) => unknown;

/** Returns the converted value, or `undefined` when the value cannot be converted. */
function converterFor(col: ColumnSchema, format: DateFormat | undefined): Converter {
  switch (col.type) {
    case 'number':
      return (v) => (typeof v === 'number' ? v : typeof v === 'string' ? parseNumber(v) : undefined);
    case 'integer':
      return (v) => {
        if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
        if (typeof v !== 'string') return undefined;
        const x = parseNumber(v);
        return x !== undefined && (isIntegerString(v) || Number.isInteger(x)) ? x : undefined;
      };
    case 'boolean':
      return (v) => {
        if (typeof v === 'boolean') return v;
        if (typeof v === 'string') return parseBooleanLoose(v);
        return v === 1 ? true : v === 0 ? false : undefined;
      };
    case 'datetime':
      return (v) => (v instanceof Date ? v : typeof v === 'string' ? parseDate(v, format) : undefined);
    case 'identifier':
      return (v) => (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)) ? v : v instanceof Date ? v.toISOString() : undefined);
    default:
      return (v) => (typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);
  }
}

/**
 * Convert a table's values to the schema's types: numeric strings to numbers, "yes"/"True"/1 to
 * booleans, date strings (in the column's `dateFormat`) to UTC Dates, anything to strings for
 * category/text columns (identifiers keep integers as numbers); blanks and missing tokens to null. Every value that cannot be
 * converted is collected and reported in one SchemaError (nothing is dropped silently). Columns
 * the schema does not name pass through unchanged.
 */
export function coerceToSchema(table: ColumnTable, schema: Schema, options: CoerceOptions = {}): ColumnTable {
  const isMissing = missingPredicate(options.missingTokens);
  const problems: Problem[] = [];
  const byName = new Map(schema.columns.map((c) => [c.name, c]));
  const present = new Set(table.columnNames());
  for (const c of schema.columns) {
    if (!present.has(c.name) && c.role !== 'ignore') {
      problems.push({ code: 'MISSING_COLUMN', column: c.name, expected: EXPECTED[c.type], message: `column "${c.name}" is missing; the schema expects ${EXPECTED[c.type]} column` });
    }
  }
  const out: Record<string, unknown[]> = {};
  const n = table.numRows();
  for (const name of table.columnNames()) {
    const values = columnValues(table, name);
    const col = byName.get(name);
    if (!col) {
      out[name] = Array.from(values);
      continue;
    }
    let format: DateFormat | undefined = col.dateFormat;
    if (col.type === 'datetime' && !format) {
      const strings: string[] = [];
      for (let i = 0; i < n; i++) if (typeof values[i] === 'string' && !isMissing(values[i])) strings.push(values[i] as string);
      format = strings.length ? detectDateFormat(strings) ?? 'iso' : 'iso';
    }
    const convert = converterFor(col, format);
    const converted = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (isMissing(v)) {
        converted[i] = null;
        continue;
      }
      const c = convert(v);
      if (c === undefined) {
        converted[i] = null;
        const expected = col.type === 'datetime' && format && format !== 'iso' ? `a date (${format})` : EXPECTED[col.type];
        problems.push({
          code: 'COERCION_FAILED', row: i + 1, column: name, value: v, expected,
          message: `column "${name}" expected ${expected}, found ${describeValue(v)} (row ${formatRow(i + 1)})`,
        });
      } else converted[i] = c;
    }
    out[name] = converted;
  }
  if (problems.length) throw new SchemaError(problems, `Could not convert ${problems.length} value(s) to the schema's types`);
  return aq.table(out, table.columnNames());
}
