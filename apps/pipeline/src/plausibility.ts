import type { ColumnTable } from 'arquero';
import type { Schema } from '@campaign-ml/schema';

// Values far outside what training saw: batch scoring flags them (a `warnings` column) or rejects
// them, so an age of -5 is never scored silently.

/** The plausible range of one numeric input column, from the training range in the bundle's schema. */
export interface PlausibleRange {
  column: string;
  /** The range training saw. */
  min: number;
  max: number;
  /** Values below `low` or above `high` are implausible. */
  low: number;
  high: number;
}

/**
 * Plausible ranges of the schema's number and integer feature columns: the training range widened
 * by half its width on each side, never below 0 when training saw no negative value (a negative
 * age, count or amount is implausible whatever the spread).
 */
export function plausibleRanges(schema: Schema): PlausibleRange[] {
  const out: PlausibleRange[] = [];
  for (const c of schema.columns) {
    if ((c.type !== 'number' && c.type !== 'integer') || c.role !== 'feature') continue;
    if (typeof c.min !== 'number' || typeof c.max !== 'number') continue;
    const half = (c.max - c.min) / 2;
    const low = c.min >= 0 ? Math.max(0, c.min - half) : c.min - half;
    out.push({ column: c.name, min: c.min, max: c.max, low, high: c.max + half });
  }
  return out;
}

/** Per row of a typed table: the implausible values, as one sentence ('' when none). */
export function rangeWarnings(table: ColumnTable, ranges: readonly PlausibleRange[]): string[] {
  const n = table.numRows();
  const out: string[][] = Array.from({ length: n }, () => []);
  const names = new Set(table.columnNames());
  for (const r of ranges) {
    if (!names.has(r.column)) continue;
    const values = table.array(r.column) as ArrayLike<unknown>;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'number' && (v < r.low || v > r.high))
        out[i].push(`"${r.column}" ${v} is far outside the training range ${r.min}..${r.max}`);
    }
  }
  return out.map((w) => w.join('; '));
}
