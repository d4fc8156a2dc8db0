import type { ColumnTable } from 'arquero';
import { InputError, describeValue } from '@campaign-ml/core';

/** The time unit of a panel: one row per entity per day, or per week (weeks start on Monday, UTC). */
export type PanelStep = 'day' | 'week';

export interface PanelOptions {
  /** The entity column (e.g. `profile_id`). */
  entity: string;
  /** The time column: Date values (UTC) or epoch milliseconds. */
  time: string;
  /** The panel's time unit (default 'day'). Lags, windows and horizons count in this unit. */
  step?: PanelStep;
}

export const DAY_MS = 86_400_000;

/** Period number of a time: days since 1970-01-01, or weeks (Monday-based) since then. */
export function periodOf(ms: number, step: PanelStep): number {
  const day = Math.floor(ms / DAY_MS);
  return step === 'day' ? day : Math.floor((day + 3) / 7);
}

/** The last day of a period, at 00:00 UTC (the day itself, or the Sunday ending the week). */
export function periodEnd(period: number, step: PanelStep): Date {
  return new Date((step === 'day' ? period : period * 7 + 3) * DAY_MS);
}

export function timeMs(value: unknown, column: string, row: number): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : NaN;
  if (!Number.isFinite(ms)) {
    throw new InputError(
      'INVALID_TIME',
      `column "${column}" holds ${describeValue(value)} at row ${row + 1}; expected a date (drop rows without a time first)`,
      {
        row: row + 1,
        column,
        value,
        expected: 'a Date or epoch milliseconds',
      },
    );
  }
  return ms;
}

export function requireColumns(table: ColumnTable, columns: readonly string[]): void {
  const names = table.columnNames();
  for (const c of columns) {
    if (!names.includes(c)) {
      throw new InputError(
        'UNKNOWN_COLUMN',
        `column "${c}" is not in the table (columns: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''})`,
        {
          column: c,
          expected: 'a column of the table',
        },
      );
    }
  }
}

/**
 * Rows ordered by entity then period, with per-row entity code and period number. `unique`
 * demands at most one row per entity and period (lags and horizons need it).
 */
export interface PanelIndex {
  readonly order: Uint32Array;
  readonly entity: Int32Array;
  readonly period: Float64Array;
  /** Segment starts in `order` for each entity, plus a final end. */
  readonly bounds: Uint32Array;
}

export function indexPanel(table: ColumnTable, opts: PanelOptions, unique: boolean): PanelIndex {
  const step = opts.step ?? 'day';
  requireColumns(table, [opts.entity, opts.time]);
  const ent = table.array(opts.entity) as ArrayLike<unknown>;
  const tim = table.array(opts.time) as ArrayLike<unknown>;
  const n = ent.length;
  const entity = new Int32Array(n);
  const period = new Float64Array(n);
  const codes = new Map<unknown, number>();
  for (let i = 0; i < n; i++) {
    const e = ent[i];
    let c = codes.get(e);
    if (c === undefined) codes.set(e, (c = codes.size));
    entity[i] = c;
    period[i] = periodOf(timeMs(tim[i], opts.time, i), step);
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => entity[a] - entity[b] || period[a] - period[b] || a - b);
  const starts: number[] = [];
  for (let j = 0; j < n; j++) {
    const r = order[j];
    if (j === 0 || entity[order[j - 1]] !== entity[r]) starts.push(j);
    else if (unique && period[order[j - 1]] === period[r]) {
      throw new InputError(
        'DUPLICATE_PERIOD',
        `entity ${describeValue(ent[r])} has two rows for the ${step} of ${periodEnd(period[r], step).toISOString().slice(0, 10)} (rows ${order[j - 1] + 1} and ${r + 1}); resample the panel to one row per ${step} first`,
        { row: r + 1, column: opts.time, value: tim[r] },
      );
    }
  }
  starts.push(n);
  return { order, entity, period, bounds: Uint32Array.from(starts) };
}

/** Numeric values of a column (null/undefined/non-numbers become NaN). */
export function numericColumn(table: ColumnTable, column: string): Float64Array {
  const v = table.array(column) as ArrayLike<unknown>;
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    out[i] = typeof x === 'number' ? x : typeof x === 'boolean' ? Number(x) : x instanceof Date ? x.getTime() : NaN;
  }
  return out;
}

/** NaN back to null for table columns (the ingest convention for missing). */
export function toNullable(values: Float64Array): (number | null)[] {
  const out = new Array<number | null>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] === values[i] ? values[i] : null;
  return out;
}
