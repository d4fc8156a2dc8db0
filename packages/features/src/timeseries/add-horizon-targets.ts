import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { type PanelOptions, indexPanel, numericColumn, requireColumns, toNullable } from './panel-index';
import { lagList } from './add-lags';

export interface HorizonOptions extends PanelOptions {
  /** The column to predict ahead (e.g. engagement). */
  column: string;
  /** Horizons in periods (e.g. [7, 14, 21, 28] days, or [1, 2, 3, 4] weeks). */
  horizons: readonly number[];
}

/**
 * Add targets `<column>_ahead_<h>`: the entity's value exactly h periods later (null when absent).
 * These look into the future on purpose — they are labels, never inputs; split the rows in time
 * with `timeOrderedSplit` and `purge` at least the longest horizon. Row order is kept.
 */
export function addHorizonTargets(table: ColumnTable, opts: HorizonOptions): ColumnTable {
  requireColumns(table, [opts.column]);
  const horizons = lagList(opts.horizons, 'horizons');
  const t = table.reify();
  const idx = indexPanel(t, opts, true);
  const v = numericColumn(t, opts.column);
  const n = idx.order.length;
  const out: Record<string, (number | null)[]> = {};
  for (const h of horizons) {
    const res = new Float64Array(n).fill(NaN);
    for (let s = 0; s + 1 < idx.bounds.length; s++) {
      const a = idx.bounds[s];
      const b = idx.bounds[s + 1];
      let j = a;
      for (let i = a; i < b; i++) {
        const want = idx.period[idx.order[i]] + h;
        while (j < b - 1 && idx.period[idx.order[j]] < want) j++;
        if (idx.period[idx.order[j]] === want) res[idx.order[i]] = v[idx.order[j]];
      }
    }
    out[`${opts.column}_ahead_${h}`] = toNullable(res);
  }
  return t.assign(aq.table(out));
}
