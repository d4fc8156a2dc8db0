import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { describeValue, type Problem, SchemaError } from '@campaign-ml/core';
import type { ColumnSchema, Schema } from './types';
import { columnValues, formatRow } from './column-values';
import { type ColumnConverter, columnConverter, EXPECTED, expectedOf } from './column-converter';
import { missingPredicate } from './missing-tokens';
import { dateShape } from './value-grammar';

export interface RecordValidatorOptions {
  /**
   * Columns a record must carry (the ones the feature pipeline reads). Default: every schema
   * column that is not the target or ignored. The others may be absent.
   */
  required?: readonly string[];
  /** 'reject' (default): a category not seen at training is a problem; 'unseen': it passes. */
  unknownCategories?: 'reject' | 'unseen';
  /** Record fields the schema does not name: a problem (default) or ignored. */
  extraFields?: 'reject' | 'ignore';
  /** Strings that mean missing (besides blanks). Default: the schema's `missingTokens`, else DEFAULT_MISSING_TOKENS. */
  missingTokens?: readonly string[];
}

/** The rows that passed, typed, and a problem for each bad value of the others. */
export interface ValidatedRows {
  /** The good rows in the schema's types: the schema's columns the input has, in schema order. */
  table: ColumnTable;
  /** For each row of `table`, its 0-based index in the input. */
  rows: Int32Array;
  /** Every problem found, `row` = 0-based index of the input record or row; empty when all passed. */
  problems: Problem[];
}

/** Raw records or a table's rows checked and typed by one compiled validator. */
export interface RecordValidator {
  /** The schema columns the validator types (the target and ignored columns excluded). */
  readonly columns: readonly ColumnSchema[];
  /** JSON-like records (API bodies, library calls): field presence, extra fields, then values. */
  records(records: readonly unknown[]): ValidatedRows;
  /**
   * The rows of a table (files, databases): a required column the table lacks throws a
   * SchemaError (no row can be scored); bad values reject their rows. `offset` is added to the row
   * numbers in messages (a chunk of a larger input).
   */
  table(table: ColumnTable, offset?: number): ValidatedRows;
}

/** One column's compiled checks. */
interface ColumnCheck {
  col: ColumnSchema;
  convert: ColumnConverter;
  /** Null is a problem: the column had no missing value at training. */
  notNull: boolean;
  /** The categories seen at training, when the list is complete and unknown ones are rejected. */
  known?: ReadonlySet<string>;
  /** Only numbers are typed: targets keep their labels as written (they are compared as text). */
  passThrough: boolean;
}

function categoryList(col: ColumnSchema): string {
  const c = col.categories ?? [];
  return c.length > 8 ? `${c.slice(0, 8).join(', ')}, ...` : c.join(', ');
}

/**
 * What went wrong with one value, or undefined; `at(row)` is " (row 12)" or " (record 3)", built
 * only for a problem (formatting a row number for every value cost ~20 s on 50M values).
 */
function valueProblem(
  check: ColumnCheck,
  v: unknown,
  typed: unknown,
  at: (row: number) => string,
  row: number,
): Problem | undefined {
  const { col } = check;
  const name = col.name;
  if (typed === undefined) {
    const expected = expectedOf(col);
    const unreal = col.type === 'datetime' && typeof v === 'string' && dateShape(v) !== undefined;
    const found = `${describeValue(v)}${unreal ? ', which is not a real date' : ''}`;
    return {
      code: 'WRONG_TYPE',
      row,
      column: name,
      value: v,
      expected,
      message: `column "${name}" expected ${expected}, found ${found}${at(row)}`,
    };
  }
  if (check.known && !check.known.has(typed as string)) {
    const list = categoryList(col);
    return {
      code: 'UNKNOWN_CATEGORY',
      row,
      column: name,
      value: v,
      expected: `one of: ${list}`,
      message: `column "${name}" has category ${describeValue(v)} not seen in training${at(row)}; expected one of: ${list}`,
    };
  }
  return undefined;
}

/**
 * Compile a validator for a schema, once: the ONE path from raw values to typed rows used by the
 * bundle (library calls), the API (after its JSON Schema check) and batch scoring. Values are read
 * by the value grammar (see value-grammar.ts), so "29.85", 29.85 and " 29.85" are the same number
 * and "yes", "Y", true and 1 the same boolean, whichever door they came in by. Every problem is
 * collected, naming the row, column, value and what was expected.
 */
export function compileRecordValidator(schema: Schema, options: RecordValidatorOptions = {}): RecordValidator {
  const isMissing = missingPredicate(options.missingTokens ?? schema.missingTokens);
  const rejectUnknown = (options.unknownCategories ?? 'reject') === 'reject';
  const known = new Map(schema.columns.map((c) => [c.name, c]));
  const columns = schema.columns.filter((c) => c.role !== 'target' && c.role !== 'ignore');
  const required = new Set(options.required ?? columns.map((c) => c.name));
  const checks = new Map<string, ColumnCheck>();
  for (const col of schema.columns) {
    if (col.role === 'ignore') continue;
    const complete = col.type === 'category' && col.categories && col.distinct === col.categories.length;
    checks.set(col.name, {
      col,
      convert: columnConverter(col),
      notNull: col.required,
      known: rejectUnknown && complete ? new Set(col.categories) : undefined,
      passThrough: col.role === 'target' && col.type !== 'number' && col.type !== 'integer',
    });
  }

  /** Type `values` into `out`, marking bad rows; problems name rows through `at`. */
  function typeColumn(
    check: ColumnCheck,
    values: ArrayLike<unknown>,
    out: unknown[],
    bad: Uint8Array,
    problems: Problem[],
    at: (i: number) => string,
  ): void {
    const { col, convert } = check;
    // Numbers the reader already produced need no grammar: a finite number is its own value in a
    // number column (and in an integer column when it is whole). Anything else takes the full path.
    const numeric = !check.passThrough && (col.type === 'number' || col.type === 'integer');
    const whole = col.type === 'integer';
    for (let i = 0; i < out.length; i++) {
      const v = values[i];
      if (numeric && typeof v === 'number' && v - v === 0 && (!whole || Number.isInteger(v))) {
        out[i] = v;
        continue;
      }
      if (isMissing(v)) {
        out[i] = null;
        if (check.notNull) {
          bad[i] = 1;
          problems.push({
            code: 'MISSING_VALUE',
            row: i,
            column: col.name,
            value: null,
            expected: EXPECTED[col.type],
            message: `column "${col.name}" is required but missing${at(i)}`,
          });
        }
        continue;
      }
      const typed = check.passThrough ? v : convert(v);
      const problem = valueProblem(check, v, typed, at, i);
      if (problem) {
        bad[i] = 1;
        problems.push(problem);
        out[i] = null;
      } else out[i] = typed;
    }
  }

  function finish(
    names: readonly string[],
    data: Record<string, unknown[]>,
    bad: Uint8Array,
    problems: Problem[],
  ): ValidatedRows {
    const n = bad.length;
    let good = 0;
    for (let i = 0; i < n; i++) good += bad[i] ^ 1;
    const rows = new Int32Array(good);
    for (let i = 0, j = 0; i < n; i++) if (!bad[i]) rows[j++] = i;
    if (good < n) for (const name of names) data[name] = Array.from(rows, (r) => data[name][r]);
    problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    return { table: aq.table(data, [...names]), rows, problems };
  }

  return {
    columns,
    records(records) {
      const n = records.length;
      const bad = new Uint8Array(n);
      const problems: Problem[] = [];
      for (let i = 0; i < n; i++) {
        const rec = records[i] as Record<string, unknown> | null;
        if (!rec || typeof rec !== 'object' || Array.isArray(rec)) {
          bad[i] = 1;
          problems.push({
            code: 'INVALID_RECORD',
            row: i,
            expected: 'an object of field values',
            message: `record ${i} is not an object`,
          });
          continue;
        }
        if (options.extraFields !== 'ignore') {
          for (const key of Object.keys(rec)) {
            if (known.has(key)) continue;
            bad[i] = 1;
            problems.push({
              code: 'EXTRA_FIELD',
              row: i,
              column: key,
              message: `record ${i} has unknown field "${key}"`,
            });
          }
        }
        for (const name of required) {
          if (rec[name] !== undefined || !checks.has(name)) continue;
          bad[i] = 1;
          problems.push({
            code: 'MISSING_FIELD',
            row: i,
            column: name,
            message: `record ${i} is missing required field "${name}"`,
          });
        }
      }
      // A column is in the table when the pipeline reads it or some record carries it.
      const present = schema.columns.filter(
        (c) =>
          checks.has(c.name) &&
          (required.has(c.name) ||
            records.some((r) => r && typeof r === 'object' && (r as Record<string, unknown>)[c.name] !== undefined)),
      );
      const data: Record<string, unknown[]> = {};
      const at = (i: number) => ` (record ${i})`;
      for (const c of present) {
        const values = records.map((r) =>
          r && typeof r === 'object' ? (r as Record<string, unknown>)[c.name] : undefined,
        );
        const out = new Array<unknown>(n);
        const fieldProblems: Problem[] = [];
        typeColumn(checks.get(c.name)!, values, out, bad, fieldProblems, at);
        // A record that is not an object, or lacks the field, already has its problem.
        for (const p of fieldProblems) if (values[p.row!] !== undefined || p.code !== 'MISSING_VALUE') problems.push(p);
        data[c.name] = out;
      }
      return finish(
        present.map((c) => c.name),
        data,
        bad,
        problems,
      );
    },
    table(table, offset = 0) {
      const n = table.numRows();
      const names = new Set(table.columnNames());
      const absent = [...required].filter((name) => checks.has(name) && !names.has(name));
      if (absent.length) {
        throw new SchemaError(
          absent.map((name) => {
            const col = known.get(name)!;
            return {
              code: 'MISSING_COLUMN',
              column: name,
              expected: EXPECTED[col.type],
              message: `column "${name}" is missing; the schema expects ${EXPECTED[col.type]} column`,
            };
          }),
          'The data does not have the columns the model reads',
        );
      }
      const present = schema.columns.filter((c) => checks.has(c.name) && names.has(c.name));
      const bad = new Uint8Array(n);
      const problems: Problem[] = [];
      const data: Record<string, unknown[]> = {};
      const at = (i: number) => ` (row ${formatRow(i + 1 + offset)})`;
      for (const c of present) {
        const out = new Array<unknown>(n);
        typeColumn(checks.get(c.name)!, columnValues(table, c.name), out, bad, problems, at);
        data[c.name] = out;
      }
      return finish(
        present.map((c) => c.name),
        data,
        bad,
        problems,
      );
    },
  };
}
