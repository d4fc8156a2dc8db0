import type { ColumnTable } from 'arquero';
import { createRng } from '@campaign-ml/core';

/**
 * A seeded sample of at most `rows` rows of `table` as plain JSON records of `columns` (dates as
 * ISO strings, missing and non-finite values as null), for a bundle's `explain.background`.
 */
export function backgroundSample(
  table: ColumnTable,
  columns: readonly string[],
  options: { rows?: number; seed?: number } = {},
): Record<string, unknown>[] {
  const n = table.numRows();
  const k = Math.min(n, options.rows ?? 100);
  const idx = Array.from(createRng(options.seed ?? 0).sampleIndices(n, k)).sort((a, b) => a - b);
  const arrays = columns.map((c) => table.array(c) as ArrayLike<unknown>);
  return idx.map((r) => {
    const rec: Record<string, unknown> = {};
    columns.forEach((c, i) => {
      const v = arrays[i][r];
      rec[c] =
        v instanceof Date
          ? Number.isNaN(v.getTime())
            ? null
            : v.toISOString()
          : typeof v === 'number' && !Number.isFinite(v)
            ? null
            : (v ?? null);
    });
    return rec;
  });
}
