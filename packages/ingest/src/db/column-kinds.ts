import type { ColumnTable } from 'arquero';
import { describeValue, InputError } from '@campaign-ml/core';

/** What a table column holds, deciding its SQL type. */
export type ColumnKind = 'integer' | 'number' | 'boolean' | 'datetime' | 'string';

export interface ColumnPlan {
  name: string;
  kind: ColumnKind;
  /** Largest absolute integer (PostgreSQL chooses INTEGER or BIGINT). */
  maxAbs: number;
  /** True when every value was missing (the kind then defaults to string). */
  allMissing?: boolean;
}

function kindOf(v: unknown): ColumnKind | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (v instanceof Date) return 'datetime';
  if (typeof v === 'string') return 'string';
  return undefined;
}

/** One pass per column: its kind (all-null columns are strings); mixed kinds are an InputError. */
export function planColumns(table: ColumnTable): ColumnPlan[] {
  return table.columnNames().map((name) => {
    const values = table.array(name) as ArrayLike<unknown>;
    let kind: ColumnKind | undefined;
    let maxAbs = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) continue;
      const k = kindOf(v);
      if (k === undefined) {
        throw new InputError(
          'UNSUPPORTED_VALUE',
          `column "${name}" holds ${describeValue(v)} (row ${i + 1}), which cannot be stored; use numbers, booleans, Dates or strings`,
          { column: name, row: i + 1, value: v },
        );
      }
      if (typeof v === 'number' && Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
      if (kind === undefined || kind === k) kind = k;
      else if ((kind === 'integer' && k === 'number') || (kind === 'number' && k === 'integer')) kind = 'number';
      else {
        throw new InputError(
          'MIXED_COLUMN',
          `column "${name}" mixes ${kind} and ${k} values (row ${i + 1}: ${describeValue(v)}); coerce it to one type first (coerceToSchema)`,
          {
            column: name,
            row: i + 1,
            value: v,
            expected: `a ${kind}`,
          },
        );
      }
    }
    return kind === undefined ? { name, kind: 'string', maxAbs, allMissing: true } : { name, kind, maxAbs };
  });
}
