import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';

/** A column's values as arquero stores them: a typed array or a plain array. */
export type ColumnValues = ArrayLike<unknown> & { length: number };

/** A writable array of `length` values of the same kind as `like` (same typed array class, or a plain array). */
export function sameKind(like: ColumnValues, length: number): { [i: number]: unknown; length: number } {
  if (ArrayBuffer.isView(like)) {
    const Ctor = (like as unknown as { constructor: new (n: number) => { [i: number]: unknown; length: number } })
      .constructor;
    return new Ctor(length);
  }
  return new Array<unknown>(length);
}

/**
 * A table of `blocks` copies of `table`'s `columns`, one after another (block b holds rows
 * b·n .. b·n + n − 1), where `fill(column)` may give a column's whole stacked values instead (the
 * varied column of a partial-dependence chunk, a permuted column of importance). One table, so
 * the model scores every block in a single call.
 */
export function stackBlocks(
  table: ColumnTable,
  columns: readonly string[],
  blocks: number,
  fill: (column: string, source: ColumnValues) => ColumnValues | undefined,
): ColumnTable {
  const n = table.numRows();
  const data: Record<string, ColumnValues> = {};
  for (const c of columns) {
    const source = table.array(c) as ColumnValues;
    const own = fill(c, source);
    if (own) {
      data[c] = own;
      continue;
    }
    const out = sameKind(source, n * blocks);
    for (let b = 0; b < blocks; b++) {
      const off = b * n;
      for (let r = 0; r < n; r++) out[off + r] = source[r];
    }
    data[c] = out;
  }
  return aq.table(data as Record<string, ArrayLike<unknown>>, [...columns]);
}

/** The rows `idx` of `table` (its `columns` only), in that order. */
export function takeRows(table: ColumnTable, columns: readonly string[], idx: ArrayLike<number>): ColumnTable {
  const data: Record<string, ColumnValues> = {};
  for (const c of columns) {
    const source = table.array(c) as ColumnValues;
    const out = sameKind(source, idx.length);
    for (let i = 0; i < idx.length; i++) out[i] = source[idx[i]];
    data[c] = out;
  }
  return aq.table(data as Record<string, ArrayLike<unknown>>, [...columns]);
}
