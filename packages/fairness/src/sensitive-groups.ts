import { InputError } from '@campaign-ml/core';

/** One sensitive value of one row: a category, a bin label, a number or a boolean. */
export type SensitiveValue = string | number | boolean;

/**
 * Group labels, one per row: an array (one sensitive column), or an object of such arrays (several
 * columns, whose intersections are the groups).
 */
export type SensitiveFeatures =
  ArrayLike<SensitiveValue | null | undefined> | Record<string, ArrayLike<SensitiveValue | null | undefined>>;

/** A group: its name, its value in each sensitive column, and its row count. */
export interface GroupInfo {
  /** The value, or the values joined by " & " for an intersection (in the order of the columns). */
  name: string;
  /** The value in each sensitive column. */
  key: Record<string, string>;
  rows: number;
}

/** The rows' groups: a code per row (index into `groups`), groups sorted by name. */
export interface Groups {
  columns: string[];
  groups: GroupInfo[];
  codes: Int32Array;
}

/**
 * Encode sensitive features as group codes. Every column must have `n` values and no missing one
 * (a missing sensitive value is an error naming its row and column, not a group of its own).
 * Only observed intersections are groups.
 */
export function groupsOf(sensitive: SensitiveFeatures, n: number, field = 'sensitive'): Groups {
  const byColumn: Record<string, ArrayLike<SensitiveValue | null | undefined>> = isColumnArray(sensitive)
    ? { [field]: sensitive }
    : sensitive;
  const columns = Object.keys(byColumn);
  if (columns.length === 0) {
    throw new InputError(
      'NO_SENSITIVE_FEATURES',
      `${field} names no column; give an array of group labels or an object of them`,
      {
        column: field,
      },
    );
  }
  const values = columns.map((c) => {
    const col = byColumn[c];
    if (!col || typeof col.length !== 'number' || col.length !== n) {
      throw new InputError(
        'LENGTH_MISMATCH',
        `sensitive column "${c}" has ${col?.length} values but there are ${n} rows; they must match`,
        { column: c, value: col?.length, expected: `${n} values` },
      );
    }
    const out = new Array<string>(n);
    for (let r = 0; r < n; r++) {
      const v = col[r];
      if (v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v))) {
        throw new InputError(
          'MISSING_SENSITIVE_VALUE',
          `sensitive column "${c}" is missing at row ${r}; every row needs a group (fill it, e.g. with "unknown", or drop the row)`,
          { row: r, column: c, value: v, expected: 'a group label' },
        );
      }
      out[r] = String(v);
    }
    return out;
  });
  const names = new Array<string>(n);
  for (let r = 0; r < n; r++) {
    names[r] = columns.length === 1 ? values[0][r] : values.map((v) => v[r]).join(' & ');
  }
  const distinct = [...new Set(names)].sort(compareLabels);
  const index = new Map(distinct.map((g, i) => [g, i]));
  const codes = new Int32Array(n);
  const rows = new Array<number>(distinct.length).fill(0);
  const keys = new Array<Record<string, string>>(distinct.length);
  for (let r = 0; r < n; r++) {
    const g = index.get(names[r])!;
    codes[r] = g;
    rows[g]++;
    if (!keys[g]) keys[g] = Object.fromEntries(columns.map((c, j) => [c, values[j][r]]));
  }
  return { columns, groups: distinct.map((name, g) => ({ name, key: keys[g], rows: rows[g] })), codes };
}

function isColumnArray(s: SensitiveFeatures): s is ArrayLike<SensitiveValue | null | undefined> {
  return Array.isArray(s) || ArrayBuffer.isView(s) || typeof (s as { length?: unknown }).length === 'number';
}

/** Numbers in numeric order, then text in code-point order (the order of groups in every result). */
export function compareLabels(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  const xn = a.trim() !== '' && Number.isFinite(x);
  const yn = b.trim() !== '' && Number.isFinite(y);
  if (xn && yn) return x - y;
  if (xn !== yn) return xn ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
