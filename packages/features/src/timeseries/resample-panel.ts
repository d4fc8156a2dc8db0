import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { InputError } from '@campaign-ml/core';
import {
  type PanelStep,
  indexPanel,
  numericColumn,
  periodEnd,
  periodOf,
  requireColumns,
  timeMs,
  toNullable,
} from './panel-index';

export type PanelAggregate = 'sum' | 'mean' | 'last' | 'first' | 'min' | 'max';

export interface PanelResampleOptions {
  entity: string;
  /** Time column of the daily panel (Date or epoch ms). */
  time: string;
  /** How to aggregate each column into a period. Columns not listed are dropped. */
  aggregate: Readonly<Record<string, PanelAggregate>>;
  /** Target period (default 'week', Monday to Sunday UTC). */
  to?: PanelStep;
  /**
   * Emit every period between an entity's first and last observation, empty ones with nulls and
   * a count of 0 (default true), so lags count periods rather than rows.
   */
  fillGaps?: boolean;
  /** Name of the column counting observed rows (days) per period (default 'observed_days'). */
  countColumn?: string;
}

/**
 * Resample a sparse daily per-entity panel to weekly (or daily) rows: sum / mean / last / first /
 * min / max per column over the non-missing values of the period (null when the period has none),
 * plus the number of observed rows. Each output row is stamped with the last day of its period
 * (the Sunday of a week, 00:00 UTC), the first moment all its values are known — so a row never
 * carries information from after its own time. Output is sorted by entity (first-seen order), then time.
 */
export function resamplePanel(table: ColumnTable, opts: PanelResampleOptions): ColumnTable {
  const to = opts.to ?? 'week';
  const fill = opts.fillGaps ?? true;
  const countName = opts.countColumn ?? 'observed_days';
  const cols = Object.keys(opts.aggregate);
  requireColumns(table, cols);
  for (const c of cols) {
    const a = opts.aggregate[c];
    if (!['sum', 'mean', 'last', 'first', 'min', 'max'].includes(a)) {
      throw new InputError(
        'INVALID_AGGREGATE',
        `aggregate for "${c}" is "${String(a)}"; use sum, mean, last, first, min or max`,
        {
          column: c,
          value: a,
          expected: 'sum | mean | last | first | min | max',
        },
      );
    }
  }
  const idx = indexPanel(table, { entity: opts.entity, time: opts.time, step: 'day' }, false);
  const ent = table.array(opts.entity) as ArrayLike<unknown>;
  const tim = table.array(opts.time) as ArrayLike<unknown>;
  const values = cols.map((c) => numericColumn(table, c));
  const n = idx.order.length;

  // First pass: output period per sorted row, and the number of output rows.
  const outPeriod = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const r = idx.order[j];
    outPeriod[j] = periodOf(timeMs(tim[r], opts.time, r), to);
  }
  let rows = 0;
  for (let s = 0; s + 1 < idx.bounds.length; s++) {
    const a = idx.bounds[s];
    const b = idx.bounds[s + 1];
    if (fill) rows += outPeriod[b - 1] - outPeriod[a] + 1;
    else for (let j = a; j < b; j++) if (j === a || outPeriod[j] !== outPeriod[j - 1]) rows++;
  }
  const outEntity = new Array<unknown>(rows);
  const outTime = new Array<Date>(rows);
  const outCount = new Float64Array(rows);
  const outVals = cols.map(() => new Float64Array(rows).fill(NaN));
  const seen = cols.map(() => new Float64Array(rows));

  let o = -1;
  for (let s = 0; s + 1 < idx.bounds.length; s++) {
    const a = idx.bounds[s];
    const b = idx.bounds[s + 1];
    const e = ent[idx.order[a]];
    let p = outPeriod[a] - 1;
    for (let j = a; j < b; j++) {
      const target = outPeriod[j];
      while (p < target) {
        p = fill ? p + 1 : target;
        o++;
        outEntity[o] = e;
        outTime[o] = periodEnd(p, to);
      }
      outCount[o]++;
      const r = idx.order[j];
      for (let c = 0; c < cols.length; c++) {
        const v = values[c][r];
        if (v !== v) continue;
        const cur = outVals[c][o];
        const k = seen[c][o]++;
        switch (opts.aggregate[cols[c]]) {
          case 'sum':
          case 'mean':
            outVals[c][o] = k === 0 ? v : cur + v;
            break;
          case 'last':
            outVals[c][o] = v;
            break;
          case 'first':
            if (k === 0) outVals[c][o] = v;
            break;
          case 'min':
            if (k === 0 || v < cur) outVals[c][o] = v;
            break;
          case 'max':
            if (k === 0 || v > cur) outVals[c][o] = v;
            break;
        }
      }
    }
  }
  for (let c = 0; c < cols.length; c++) {
    if (opts.aggregate[cols[c]] !== 'mean') continue;
    for (let i = 0; i < rows; i++) if (seen[c][i] > 0) outVals[c][i] /= seen[c][i];
  }
  const data: Record<string, unknown[]> = { [opts.entity]: outEntity, [opts.time]: outTime };
  cols.forEach((c, i) => (data[c] = toNullable(outVals[i])));
  data[countName] = Array.from(outCount);
  return aq.table(data);
}
