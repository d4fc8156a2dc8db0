import * as aq from 'arquero';
import { InputError, describeValue } from '@campaign-ml/core';
import type { Table } from './table-step';

/**
 * Column access shared by every step. Values follow ingest's conventions: missing is null,
 * numbers are numbers, booleans true/false, dates Date objects, categories strings.
 */

/** The values of a column in row order (the stored array itself when the table is neither filtered nor ordered). */
export function columnValues(table: Table, name: string): ArrayLike<unknown> {
  const col = table.column(name) as unknown;
  if (col === undefined) throw missingColumnError([name], table);
  if (!table.isFiltered() && !table.isOrdered() && (Array.isArray(col) || ArrayBuffer.isView(col))) {
    return col as ArrayLike<unknown>;
  }
  return table.array(name) as unknown as ArrayLike<unknown>;
}

/** Columns up to this many bytes are carved from a shared chunk (newColumn). */
const SMALL_COLUMN_BYTES = 4096;
const CHUNK_BYTES = 1 << 16;
let chunk: ArrayBuffer | null = null;
let chunkUsed = 0;

/**
 * A zeroed Float64Array of n values, for a step's output column. A small batch (a served request
 * of a few rows) gets a view into a shared 64 KB buffer instead of its own: a typed array with its
 * own backing store costs ~0.3-3 µs to make and to collect, and one request through the default
 * ensemble's two recipes makes ~400 of them. Views are never handed out twice; a chunk is freed
 * when no view of it is left. Larger columns are plain arrays.
 */
export function newColumn(n: number): Float64Array {
  const bytes = n * 8;
  if (bytes > SMALL_COLUMN_BYTES) return new Float64Array(n);
  if (chunk === null || chunkUsed + bytes > CHUNK_BYTES) {
    chunk = new ArrayBuffer(CHUNK_BYTES);
    chunkUsed = 0;
  }
  const out = new Float64Array(chunk, chunkUsed, n);
  chunkUsed += bytes;
  return out;
}

/** Throws one InputError naming every required column the table lacks. */
export function requireColumns(table: Table, names: readonly string[], who = 'the pipeline'): void {
  const missing = names.filter((n) => table.column(n) === undefined);
  if (missing.length > 0) throw missingColumnError(missing, table, who);
}

function missingColumnError(missing: readonly string[], table: Table, who = 'the pipeline'): InputError {
  const list = missing.map((m) => `"${m}"`).join(', ');
  const have = table.columnNames();
  const preview = have.length <= 8 ? have.join(', ') : `${have.slice(0, 8).join(', ')}, ...`;
  return new InputError(
    'MISSING_COLUMN',
    `${missing.length === 1 ? 'column' : 'columns'} ${list} ${missing.length === 1 ? 'is' : 'are'} missing from the table but ${who} was fitted with ${missing.length === 1 ? 'it' : 'them'}; add ${missing.length === 1 ? 'it' : 'them'} (null where unknown). The table has: ${preview || '(no columns)'}`,
    { column: missing[0], expected: `columns ${list}` },
  );
}

/**
 * A column as numbers: null/undefined/NaN -> NaN (missing), booleans -> 0/1. Anything else (a
 * string, a Date) is an InputError naming the 1-based row, the column and the value.
 */
export function numericColumn(table: Table, name: string): Float64Array {
  return toNumeric(columnValues(table, name), name);
}

export function toNumeric(values: ArrayLike<unknown>, name: string): Float64Array {
  if (values instanceof Float64Array) return values;
  const n = values.length;
  const out = newColumn(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'number') out[i] = v;
    else if (v === null || v === undefined) out[i] = NaN;
    else if (typeof v === 'boolean') out[i] = v ? 1 : 0;
    else throw notNumberError(name, i, v);
  }
  return out;
}

function notNumberError(name: string, i: number, v: unknown): InputError {
  const hint =
    v instanceof Date
      ? 'use DateParts or DateDurations for date columns'
      : 'encode the column (OneHotEncoder, OrdinalEncoder, ...) or fix the value';
  return new InputError(
    'NOT_NUMERIC',
    `column "${name}" expected a number, found ${describeValue(v)} (row ${i + 1}); ${hint}`,
    { row: i + 1, column: name, value: v, expected: 'a number' },
  );
}

/** A category value as a string key; null/undefined -> null (missing). Numbers and booleans become their text. */
export function categoryKey(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isNaN(v) ? null : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** Build the output table of a step from named columns, in order. */
export function makeTable(names: readonly string[], columns: readonly ArrayLike<unknown>[]): Table {
  const data: Record<string, ArrayLike<unknown>> = {};
  for (let i = 0; i < names.length; i++) data[names[i]] = columns[i];
  // The constructor itself: aq.table would copy the columns object once more on the way.
  return new aq.ColumnTable(data as Record<string, unknown[]>, names as string[]);
}

/** A y vector as a Float64Array with one value per table row. */
export function checkTarget(y: ArrayLike<number> | undefined, rows: number, who: string): Float64Array {
  if (!y) {
    throw new InputError('TARGET_REQUIRED', `${who} needs the target: call fit(table, y) with one label per row`, {
      expected: `${rows} labels`,
    });
  }
  if (y.length !== rows) {
    throw new InputError(
      'LENGTH_MISMATCH',
      `${who}: the table has ${rows} rows but y has ${y.length} labels; they must match`,
      {
        value: y.length,
        expected: `${rows} labels`,
      },
    );
  }
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) {
      throw new InputError(
        'INVALID_LABEL',
        `${who}: label at row ${i + 1} is ${v}; labels must be finite numbers (drop that row first)`,
        {
          row: i + 1,
          value: v,
          expected: 'a finite number',
        },
      );
    }
    out[i] = v;
  }
  return out;
}
