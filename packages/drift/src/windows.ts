import { InputError } from '@campaign-ml/core';
import type { ColumnTable } from 'arquero';

/**
 * Windows over the current rows: consecutive blocks of `rows`, or calendar periods of a time
 * column (UTC). Each window is checked on its own, so a report shows when a shift began.
 */
export type WindowOptions =
  { rows: number } | { column: string; period: 'day' | 'week' | 'month' | 'quarter' | 'year' };

export interface Window {
  /** "rows 1-10,000" or the period ("2024-03", "2024-W09" starts Monday 2024-02-26, shown as its first day). */
  label: string;
  /** Indices of the window's rows in the table. */
  rows: Int32Array;
  /** The period's first instant (time windows). */
  start?: string;
}

export function splitWindows(table: ColumnTable, spec: WindowOptions): { windows: Window[]; skipped: number } {
  const n = table.numRows();
  if ('rows' in spec) {
    if (!(spec.rows >= 1) || !Number.isInteger(spec.rows)) {
      throw new InputError('INVALID_OPTION', `window.rows must be a positive integer (got ${spec.rows})`, {
        value: spec.rows,
        expected: 'e.g. 10000',
      });
    }
    const windows: Window[] = [];
    for (let s = 0; s < n; s += spec.rows) {
      const e = Math.min(n, s + spec.rows);
      windows.push({
        label: `rows ${(s + 1).toLocaleString('en-US')}-${e.toLocaleString('en-US')}`,
        rows: Int32Array.from({ length: e - s }, (_, i) => s + i),
      });
    }
    return { windows, skipped: 0 };
  }
  if (!table.columnNames().includes(spec.column)) {
    throw new InputError(
      'MISSING_COLUMN',
      `window column "${spec.column}" is not in the data; name a date column of the table`,
      { column: spec.column, expected: 'a date column' },
    );
  }
  const values = table.array(spec.column) as ArrayLike<unknown>;
  const groups = new Map<number, number[]>();
  let skipped = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const t = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
    if (!Number.isFinite(t)) {
      skipped++;
      continue;
    }
    const start = periodStart(t, spec.period);
    let g = groups.get(start);
    if (!g) groups.set(start, (g = []));
    g.push(i);
  }
  const windows = [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([start, rows]) => ({
      label: periodLabel(start, spec.period),
      start: new Date(start).toISOString(),
      rows: Int32Array.from(rows),
    }));
  return { windows, skipped };
}

function periodStart(t: number, period: 'day' | 'week' | 'month' | 'quarter' | 'year'): number {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = Date.UTC(y, m, d.getUTCDate());
  switch (period) {
    case 'day':
      return day;
    case 'week':
      return day - ((d.getUTCDay() + 6) % 7) * 86400000; // Monday
    case 'month':
      return Date.UTC(y, m, 1);
    case 'quarter':
      return Date.UTC(y, m - (m % 3), 1);
    case 'year':
      return Date.UTC(y, 0, 1);
  }
}

function periodLabel(start: number, period: 'day' | 'week' | 'month' | 'quarter' | 'year'): string {
  const iso = new Date(start).toISOString();
  if (period === 'month') return iso.slice(0, 7);
  if (period === 'quarter') return `${iso.slice(0, 4)}-Q${Math.floor(new Date(start).getUTCMonth() / 3) + 1}`;
  if (period === 'year') return iso.slice(0, 4);
  if (period === 'week') return `week of ${iso.slice(0, 10)}`;
  return iso.slice(0, 10);
}

/** Mean + 3 standard deviations (population) of a metric over reference windows (NannyML's rule). */
export function meanPlus3Sd(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return NaN;
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  const sd = Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / finite.length);
  return mean + 3 * sd;
}

/**
 * Mean + 3 sigma of PSI between the reference and a window of `rows` drawn from the reference
 * itself, over `bins` non-empty bins: PSI is then about chi-square with bins - 1 degrees of
 * freedom times (1/rows + 1/referenceRows), so its mean is (bins - 1) c and its sd sqrt(2 (bins - 1)) c.
 * Used when no reference rows are given to learn the threshold from; the same idea as Yurdakul's
 * data-driven PSI threshold, at a 3-sigma rather than a 99.9% quantile.
 */
export function nullPsiThreshold(bins: number, rows: number, referenceRows: number): number {
  const dof = Math.max(1, bins - 1);
  const c = 1 / rows + 1 / referenceRows;
  return c * (dof + 3 * Math.sqrt(2 * dof));
}
