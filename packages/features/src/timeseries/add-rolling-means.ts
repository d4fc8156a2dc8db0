import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { type PanelOptions, indexPanel, numericColumn, requireColumns, toNullable } from './panel-index';
import { lagList } from './add-lags';

export interface RollingOptions extends PanelOptions {
  columns: readonly string[];
  /** Window lengths in periods (e.g. [7, 28] days, or [4] weeks). */
  windows: readonly number[];
  /**
   * Include the row's own period (default true: the window is [t-w+1, t], all known at t).
   * With false the window is [t-w, t-1], strictly before the row.
   */
  includeCurrent?: boolean;
}

/**
 * Add `<column>_mean_<w>`: the mean of the entity's non-missing values over the past w periods
 * (by time, not by rows; null when there are none). Never uses a later period. Row order is kept.
 */
export function addRollingMeans(table: ColumnTable, opts: RollingOptions): ColumnTable {
  requireColumns(table, opts.columns);
  const windows = lagList(opts.windows, 'windows');
  const shift = opts.includeCurrent === false ? 1 : 0;
  const t = table.reify();
  const idx = indexPanel(t, opts, true);
  const n = idx.order.length;
  const out: Record<string, (number | null)[]> = {};
  for (const col of opts.columns) {
    const v = numericColumn(t, col);
    for (const w of windows) {
      const res = new Float64Array(n).fill(NaN);
      for (let s = 0; s + 1 < idx.bounds.length; s++) {
        const a = idx.bounds[s];
        const b = idx.bounds[s + 1];
        let lo = a; // first row inside the window
        let hi = a; // first row after the window
        let sum = 0;
        let cnt = 0;
        for (let i = a; i < b; i++) {
          const end = idx.period[idx.order[i]] - shift; // inclusive
          const start = end - w + 1;
          while (hi < b && idx.period[idx.order[hi]] <= end) {
            const x = v[idx.order[hi++]];
            if (x === x) {
              sum += x;
              cnt++;
            }
          }
          while (lo < hi && idx.period[idx.order[lo]] < start) {
            const x = v[idx.order[lo++]];
            if (x === x) {
              sum -= x;
              cnt--;
            }
          }
          if (cnt > 0) res[idx.order[i]] = sum / cnt;
        }
      }
      out[`${col}_mean_${w}`] = toNullable(res);
    }
  }
  return t.assign(aq.table(out));
}
