import type { ColumnTable } from 'arquero';
import type { ExplainableModel } from './explainable-model';

/** How an explanation treats a column: a number line, a time line, or a set of values. */
export type ColumnKind = 'numeric' | 'datetime' | 'categorical' | 'boolean';

/** The column's kind from the bundle's schema, else from the table's first non-missing value. */
export function columnKind(model: ExplainableModel, table: ColumnTable, column: string): ColumnKind {
  const type = model.document?.schema.columns.find((c) => c.name === column)?.type;
  if (type === 'number' || type === 'integer') return 'numeric';
  if (type === 'datetime') return 'datetime';
  if (type === 'boolean') return 'boolean';
  if (type !== undefined) return 'categorical';
  const values = table.array(column) as ArrayLike<unknown>;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) continue;
    if (typeof v === 'number') return 'numeric';
    if (v instanceof Date) return 'datetime';
    if (typeof v === 'boolean') return 'boolean';
    return 'categorical';
  }
  return 'categorical';
}

/** A missing value as the schema's grammar leaves it in a table: null, undefined, NaN or an invalid date. */
export function isMissing(v: unknown): boolean {
  return (
    v === null ||
    v === undefined ||
    (typeof v === 'number' && Number.isNaN(v)) ||
    (v instanceof Date && Number.isNaN(v.getTime()))
  );
}
