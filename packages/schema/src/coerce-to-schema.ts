import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { describeValue, type Problem, SchemaError } from '@campaign-ml/core';
import type { Schema } from './types';
import { columnValues, formatRow } from './column-values';
import { columnConverter, EXPECTED, expectedOf } from './column-converter';
import { missingPredicate } from './missing-tokens';
import { type DateFormat, detectDateFormat } from './value-grammar';

export { EXPECTED };

export interface CoerceOptions {
  /** Strings that mean missing (besides blanks); they become null. Default: the schema's `missingTokens`, else DEFAULT_MISSING_TOKENS. */
  missingTokens?: readonly string[];
}

/**
 * Convert a table's values to the schema's types: number strings to numbers (in the column's
 * decimal convention; thousands separators, currency and percent signs allowed), "yes"/"Y"/"on"/1
 * to true and "no"/"N"/"off"/0 to false in boolean columns, date strings (in the column's `dateFormat`, or
 * ISO) to UTC Dates, anything to strings for category/text columns (identifiers keep integers as
 * numbers); blanks and missing tokens to null. Every value that cannot be converted is collected
 * and reported in one SchemaError (nothing is dropped silently). Columns the schema does not name
 * pass through unchanged.
 */
export function coerceToSchema(table: ColumnTable, schema: Schema, options: CoerceOptions = {}): ColumnTable {
  const isMissing = missingPredicate(options.missingTokens ?? schema.missingTokens);
  const problems: Problem[] = [];
  const byName = new Map(schema.columns.map((c) => [c.name, c]));
  const present = new Set(table.columnNames());
  for (const c of schema.columns) {
    if (!present.has(c.name) && c.role !== 'ignore') {
      problems.push({
        code: 'MISSING_COLUMN',
        column: c.name,
        expected: EXPECTED[c.type],
        message: `column "${c.name}" is missing; the schema expects ${EXPECTED[c.type]} column`,
      });
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
      for (let i = 0; i < n; i++)
        if (typeof values[i] === 'string' && !isMissing(values[i])) strings.push(values[i] as string);
      format = strings.length ? (detectDateFormat(strings) ?? 'iso') : 'iso';
    }
    const convert = columnConverter(col, format);
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
        const expected = expectedOf(col, format);
        problems.push({
          code: 'COERCION_FAILED',
          row: i + 1,
          column: name,
          value: v,
          expected,
          message: `column "${name}" expected ${expected}, found ${describeValue(v)} (row ${formatRow(i + 1)})`,
        });
      } else converted[i] = c;
    }
    out[name] = converted;
  }
  if (problems.length)
    throw new SchemaError(problems, `Could not convert ${problems.length} value(s) to the schema's types`);
  return aq.table(out, table.columnNames());
}
