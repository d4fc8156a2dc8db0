import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { InputError, describeValue } from '@campaign-ml/core';

export interface LastObservedOptions {
  entity: string;
  /** Time column (Date or epoch ms); one row per entity and period. */
  time: string;
  /** Length of a period: 'week' (default) or 'day'. */
  step?: 'day' | 'week';
  column: string;
}

const DAY_MS = 86_400_000;

/**
 * Add `<column>_last` (the entity's latest non-missing value at or before the row's time) and
 * `<column>_periods_since` (how many periods ago it was seen; 0 = this period). Only earlier or
 * equal times are read, so the columns never look ahead. Row order is kept.
 */
export function addLastObserved(
  table: ColumnTable,
  opts: LastObservedOptions,
): { table: ColumnTable; valueColumn: string; weeksSinceColumn: string } {
  const periodMs = (opts.step ?? 'week') === 'week' ? 7 * DAY_MS : DAY_MS;
  const ent = table.array(opts.entity) as ArrayLike<unknown>;
  const tim = table.array(opts.time) as ArrayLike<unknown>;
  const val = table.array(opts.column) as ArrayLike<unknown>;
  const n = table.numRows();
  const code = new Int32Array(n);
  const ms = new Float64Array(n);
  const codes = new Map<unknown, number>();
  for (let i = 0; i < n; i++) {
    let c = codes.get(ent[i]);
    if (c === undefined) codes.set(ent[i], (c = codes.size));
    code[i] = c;
    const t =
      tim[i] instanceof Date ? (tim[i] as Date).getTime() : typeof tim[i] === 'number' ? (tim[i] as number) : NaN;
    if (!Number.isFinite(t)) {
      throw new InputError(
        'INVALID_TIME',
        `column "${opts.time}" holds ${describeValue(tim[i])} at row ${i + 1}; expected a date`,
        { row: i + 1, column: opts.time, value: tim[i] },
      );
    }
    ms[i] = t;
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => code[a] - code[b] || ms[a] - ms[b] || a - b);
  const last = new Array<number | null>(n).fill(null);
  const since = new Array<number | null>(n).fill(null);
  let lastValue = NaN;
  let lastMs = NaN;
  for (let j = 0; j < n; j++) {
    const r = order[j];
    if (j === 0 || code[order[j - 1]] !== code[r]) {
      lastValue = NaN;
      lastMs = NaN;
    }
    const v = val[r];
    if (typeof v === 'number' && v === v) {
      lastValue = v;
      lastMs = ms[r];
    }
    if (lastValue === lastValue) {
      last[r] = lastValue;
      since[r] = Math.round((ms[r] - lastMs) / periodMs);
    }
  }
  const valueColumn = `${opts.column}_last`;
  const weeksSinceColumn = `${opts.column}_periods_since`;
  return {
    table: table.reify().assign(aq.table({ [valueColumn]: last, [weeksSinceColumn]: since })),
    valueColumn,
    weeksSinceColumn,
  };
}
