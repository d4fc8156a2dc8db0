import { ConfigError } from '@campaign-ml/core';
import type { ColumnRole, ColumnSchema, ColumnType, Schema } from '@campaign-ml/schema';
import { columnValues } from './table-columns';
import type { Table } from './table-step';

/**
 * Which columns a ColumnPipeline group takes: a list of names, or a filter by type, role and/or
 * name pattern against the Schema (all given conditions must hold). Filters by type or pattern
 * only pick `feature` and `time` columns unless `roles` says otherwise; a list of names picks
 * exactly those columns.
 */
export type ColumnSelector =
  | readonly string[]
  | {
      names?: readonly string[];
      types?: readonly ColumnType[];
      roles?: readonly ColumnRole[];
      /** A RegExp, or its source text. */
      pattern?: RegExp | string;
      /** Names never picked by this selector. */
      exclude?: readonly string[];
    };

const DEFAULT_ROLES: readonly ColumnRole[] = ['feature', 'time'];

/** Resolve a selector to column names, in table order, skipping `excluded` columns. */
export function resolveSelector(
  selector: ColumnSelector,
  table: Table,
  schema: Schema,
  excluded: ReadonlySet<string>,
  groupName: string,
): string[] {
  const present = new Set(table.columnNames());
  if (Array.isArray(selector)) {
    const names = selector as readonly string[];
    const absent = names.filter((n) => !present.has(n));
    if (absent.length > 0) {
      throw new ConfigError(
        'UNKNOWN_COLUMN',
        `group "${groupName}" names ${absent.map((a) => `"${a}"`).join(', ')}, which the table does not have; fix the name or remove it`,
        { column: absent[0], value: absent[0] },
      );
    }
    return names.filter((n) => !excluded.has(n));
  }
  const s = selector as Exclude<ColumnSelector, readonly string[]>;
  const pattern =
    s.pattern === undefined ? undefined : typeof s.pattern === 'string' ? new RegExp(s.pattern) : s.pattern;
  const roles = s.roles ?? (s.names ? undefined : DEFAULT_ROLES);
  const exclude = new Set(s.exclude ?? []);
  const byName = new Map(schema.columns.map((c) => [c.name, c] as const));
  const out: string[] = [];
  for (const name of table.columnNames()) {
    if (excluded.has(name) || exclude.has(name)) continue;
    const col = byName.get(name);
    if (!col) continue;
    if (s.names && !s.names.includes(name)) continue;
    if (s.types && !s.types.includes(col.type)) continue;
    if (roles && !roles.includes(col.role)) continue;
    if (pattern && !pattern.test(name)) continue;
    out.push(name);
  }
  return out;
}

/**
 * A minimal schema read off the values when none is given: numbers -> number, booleans ->
 * boolean, Dates -> datetime, anything else -> category; every role `feature`; with missing
 * counts, number/date ranges and the distinct count of category columns (capped past 10,000).
 * ingest's inferSchema gives a fuller one.
 */
export function schemaFromTable(table: Table): Schema {
  const rows = table.numRows();
  const columns: ColumnSchema[] = table.columnNames().map((name) => {
    const values = columnValues(table, name);
    let type: ColumnType | undefined;
    let missing = 0;
    let min = Infinity;
    let max = -Infinity;
    const seen = new Set<unknown>();
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
        missing++;
        continue;
      }
      if (type === undefined) {
        type =
          typeof v === 'number'
            ? 'number'
            : typeof v === 'boolean'
              ? 'boolean'
              : v instanceof Date
                ? 'datetime'
                : 'category';
      }
      if (type === 'number' || type === 'datetime') {
        const x = v instanceof Date ? v.getTime() : (v as number);
        if (x < min) min = x;
        if (x > max) max = x;
      } else if (seen.size <= 10_000) seen.add(v);
    }
    const col: ColumnSchema = { name, type: type ?? 'number', role: 'feature', required: missing === 0, missing };
    if (type === 'number' && min <= max) Object.assign(col, { min, max });
    if (type === 'datetime' && min <= max)
      Object.assign(col, { min: new Date(min).toISOString(), max: new Date(max).toISOString() });
    if (type === 'category' || type === 'boolean') col.distinct = seen.size;
    return col;
  });
  return { columns, rows };
}
