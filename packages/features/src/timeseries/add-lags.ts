import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { InputError } from '@campaign-ml/core';
import { type PanelOptions, indexPanel, numericColumn, requireColumns, toNullable } from './panel-index';

export interface LagOptions extends PanelOptions {
  columns: readonly string[];
  /** Lags to add: k means 1..k; an array lists them (in steps of `step`). */
  lags: number | readonly number[];
}

export function lagList(lags: number | readonly number[], what: string): number[] {
  const list = typeof lags === 'number' ? Array.from({ length: lags }, (_, i) => i + 1) : [...lags];
  for (const k of list) {
    if (!Number.isInteger(k) || k < 1) {
      throw new InputError('INVALID_OPTION', `${what} must be positive integers, got ${k}`, {
        value: k,
        expected: 'an integer >= 1',
      });
    }
  }
  return list;
}

/**
 * Add `<column>_lag_<k>`: the value of the same entity exactly k periods earlier (null when that
 * period has no row or a missing value). Lags follow time, not row position, so gaps in a sparse
 * panel are respected. Needs at most one row per entity and period. Row order is kept.
 */
export function addLags(table: ColumnTable, opts: LagOptions): ColumnTable {
  requireColumns(table, opts.columns);
  const lags = lagList(opts.lags, 'lags');
  const t = table.reify();
  const idx = indexPanel(t, opts, true);
  const out: Record<string, (number | null)[]> = {};
  const n = idx.order.length;
  for (const col of opts.columns) {
    const v = numericColumn(t, col);
    for (const k of lags) {
      const res = new Float64Array(n).fill(NaN);
      for (let s = 0; s + 1 < idx.bounds.length; s++) {
        const a = idx.bounds[s];
        const b = idx.bounds[s + 1];
        let j = a;
        for (let i = a; i < b; i++) {
          const want = idx.period[idx.order[i]] - k;
          while (j < i && idx.period[idx.order[j]] < want) j++;
          if (idx.period[idx.order[j]] === want) res[idx.order[i]] = v[idx.order[j]];
        }
      }
      out[`${col}_lag_${k}`] = toNullable(res);
    }
  }
  return t.assign(aq.table(out));
}
