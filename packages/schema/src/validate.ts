import type { ColumnTable } from 'arquero';
import { describeValue, type Problem, SchemaError } from '@campaign-ml/core';
import type { ColumnSchema, Schema } from './types';
import { columnValues, formatRow } from './column-values';
import { EXPECTED } from './column-converter';

export interface ValidateOptions {
  /** Columns the schema does not name are fine (default false: each is a problem). */
  allowExtra?: boolean;
  /** Check values against the schema's observed min/max (default true). */
  checkRange?: boolean;
  /**
   * Slack on the observed range, as a share of its width: 0.1 accepts values up to 10% of
   * (max - min) beyond either end. Default 0.
   */
  tolerance?: number;
  /** Categories not seen at inference are fine (default false). */
  allowUnknownCategories?: boolean;
  /** Schema columns that may be absent (e.g. the target when scoring new data). */
  optional?: readonly string[];
  /** Stop after this many problems (default: collect every one). */
  maxProblems?: number;
}

export interface ValidationResult {
  ok: boolean;
  problems: Problem[];
}

class Collector {
  readonly problems: Problem[] = [];
  constructor(private readonly max: number) {}
  get full(): boolean {
    return this.problems.length >= this.max;
  }
  add(p: Problem): void {
    if (!this.full) this.problems.push(p);
  }
}

function typeProblem(col: ColumnSchema, row: number, value: unknown): Problem {
  const expected = EXPECTED[col.type];
  const found = typeof value === 'number' && Number.isNaN(value) ? 'NaN (use null for missing)' : describeValue(value);
  return {
    code: 'WRONG_TYPE',
    row,
    column: col.name,
    value,
    expected,
    message: `column "${col.name}" expected ${expected}, found ${found} (row ${formatRow(row)})`,
  };
}

function rangeProblem(col: ColumnSchema, row: number, value: unknown): Problem {
  const expected = `a value between ${String(col.min)} and ${String(col.max)}`;
  return {
    code: 'OUT_OF_RANGE',
    row,
    column: col.name,
    value,
    expected,
    message: `column "${col.name}" expected ${expected}, found ${describeValue(value)} (row ${formatRow(row)})`,
  };
}

function missingProblem(col: ColumnSchema, row: number): Problem {
  return {
    code: 'MISSING_VALUE',
    row,
    column: col.name,
    value: null,
    expected: EXPECTED[col.type],
    message: `column "${col.name}" is required but missing (row ${formatRow(row)})`,
  };
}

/** Range [lo, hi] with tolerance, or undefined when the schema has none. */
function bounds(col: ColumnSchema, tolerance: number): [number, number] | undefined {
  if (col.min === undefined || col.max === undefined) return undefined;
  const lo = typeof col.min === 'number' ? col.min : Date.parse(col.min);
  const hi = typeof col.max === 'number' ? col.max : Date.parse(col.max);
  if (Number.isNaN(lo) || Number.isNaN(hi)) return undefined;
  const slack = (hi - lo) * tolerance;
  return [lo - slack, hi + slack];
}

function checkColumn(
  col: ColumnSchema,
  values: ArrayLike<unknown>,
  o: Required<Omit<ValidateOptions, 'optional' | 'maxProblems'>>,
  out: Collector,
): void {
  const n = values.length;
  const range = o.checkRange ? bounds(col, o.tolerance) : undefined;
  const lo = range ? range[0] : -Infinity;
  const hi = range ? range[1] : Infinity;
  // Categories are checked only when the schema's list is complete (not capped at inference).
  const known =
    col.type === 'category' && !o.allowUnknownCategories && col.categories && col.distinct === col.categories.length
      ? new Set(col.categories)
      : undefined;
  const type = col.type;
  for (let i = 0; i < n && !out.full; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      if (col.required) out.add(missingProblem(col, i + 1));
      continue;
    }
    switch (type) {
      case 'number':
      case 'integer':
        if (typeof v !== 'number' || !Number.isFinite(v) || (type === 'integer' && !Number.isInteger(v)))
          out.add(typeProblem(col, i + 1, v));
        else if (v < lo || v > hi) out.add(rangeProblem(col, i + 1, v));
        break;
      case 'boolean':
        // 0/1 numbers are accepted: inference reads a 0/1 column as boolean, and a reader that
        // keeps numbers as numbers must still validate against the schema inferred from it.
        if (typeof v !== 'boolean' && v !== 0 && v !== 1) out.add(typeProblem(col, i + 1, v));
        break;
      case 'datetime':
        if (!(v instanceof Date) || Number.isNaN(v.getTime())) out.add(typeProblem(col, i + 1, v));
        else if (range && (v.getTime() < lo || v.getTime() > hi)) out.add(rangeProblem(col, i + 1, v));
        break;
      case 'identifier':
        if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v)))
          out.add(typeProblem(col, i + 1, v));
        break;
      default:
        if (typeof v !== 'string') out.add(typeProblem(col, i + 1, v));
        else if (known && !known.has(v)) {
          const list =
            col.categories!.length > 8 ? `${col.categories!.slice(0, 8).join(', ')}, ...` : col.categories!.join(', ');
          out.add({
            code: 'UNKNOWN_CATEGORY',
            row: i + 1,
            column: col.name,
            value: v,
            expected: `one of: ${list}`,
            message: `column "${col.name}" has category ${describeValue(v)} not seen in training (row ${formatRow(i + 1)}); expected one of: ${list}`,
          });
        }
    }
  }
}

/**
 * Check a table against a schema without changing it: missing and extra columns, wrong types,
 * unknown categories, values outside the observed range and missing values in required columns.
 * Every problem is collected (row is the 1-based data row). Columns with role `ignore` are skipped.
 */
export function validate(table: ColumnTable, schema: Schema, options: ValidateOptions = {}): ValidationResult {
  const out = new Collector(options.maxProblems ?? Infinity);
  const o = {
    allowExtra: options.allowExtra ?? false,
    checkRange: options.checkRange ?? true,
    tolerance: options.tolerance ?? 0,
    allowUnknownCategories: options.allowUnknownCategories ?? false,
  };
  const optional = new Set(options.optional ?? []);
  const present = new Set(table.columnNames());
  const named = new Set(schema.columns.map((c) => c.name));
  for (const col of schema.columns) {
    if (col.role === 'ignore') continue;
    if (!present.has(col.name)) {
      if (!optional.has(col.name)) {
        out.add({
          code: 'MISSING_COLUMN',
          column: col.name,
          expected: EXPECTED[col.type],
          message: `column "${col.name}" is missing; the schema expects ${EXPECTED[col.type]} column`,
        });
      }
      continue;
    }
    checkColumn(col, columnValues(table, col.name), o, out);
  }
  if (!o.allowExtra) {
    for (const name of table.columnNames()) {
      if (!named.has(name)) {
        out.add({
          code: 'EXTRA_COLUMN',
          column: name,
          message: `column "${name}" is not in the schema; drop it or validate with { allowExtra: true }`,
        });
      }
    }
  }
  return { ok: out.problems.length === 0, problems: out.problems };
}

/** validate(), throwing a SchemaError that lists every problem when there is any. */
export function assertValid(table: ColumnTable, schema: Schema, options: ValidateOptions = {}): void {
  const { ok, problems } = validate(table, schema, options);
  if (!ok) throw new SchemaError(problems);
}
