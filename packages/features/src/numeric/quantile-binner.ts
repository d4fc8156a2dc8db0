import { ConfigError } from '@campaign-ml/core';
import type { Serialized } from '@campaign-ml/core';
import { numericColumn } from '../pipeline/table-columns';
import type { Table, TableStep } from '../pipeline/table-step';
import { quantileSorted, sortedPresent } from '../scalers/nan-stats';
import { FittedColumnwise, registerColumnwise } from './numeric-step';

export interface QuantileBinnerOptions {
  /** Number of equal-frequency bins (fewer when values repeat). Default 10. */
  bins?: number;
}

/**
 * Equal-frequency (quantile/percentile) bins: `goal.bin` = 0..b-1, from inner edges learned at
 * fit (duplicates removed). Values beyond the fitted range fall in the end bins; missing stays missing.
 */
export class QuantileBinner implements TableStep<FittedQuantileBinner> {
  readonly input = 'table';
  readonly params: Readonly<Required<QuantileBinnerOptions>>;

  constructor(options: QuantileBinnerOptions = {}) {
    const bins = options.bins ?? 10;
    if (!Number.isInteger(bins) || bins < 2)
      throw new ConfigError('INVALID_OPTION', `bins must be an integer >= 2, got ${bins}`, { value: bins });
    this.params = Object.freeze({ bins });
  }

  fit(table: Table): FittedQuantileBinner {
    const cols = table.columnNames();
    const edges = cols.map((c) => {
      const sorted = sortedPresent(numericColumn(table, c));
      const inner: number[] = [];
      for (let b = 1; b < this.params.bins; b++) {
        const q = quantileSorted(sorted, b / this.params.bins);
        if (q === q && (inner.length === 0 || q > inner[inner.length - 1])) inner.push(q);
      }
      return inner;
    });
    return new FittedQuantileBinner(cols, edges);
  }
}

const KIND = 'features/QuantileBinner';

export class FittedQuantileBinner extends FittedColumnwise<number[]> {
  constructor(columns: readonly string[], edges: readonly number[][]) {
    super(
      columns,
      edges,
      columns.map((c) => `${c}.bin`),
    );
    Object.freeze(this);
  }

  protected apply(x: Float64Array, edges: number[], out: Float64Array): void {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v !== v) {
        out[i] = NaN;
        continue;
      }
      // First edge strictly greater than v (bins are [e_{b-1}, e_b)).
      let lo = 0;
      let hi = edges.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (edges[mid] <= v) lo = mid + 1;
        else hi = mid;
      }
      out[i] = lo;
    }
  }

  toJSON(): Serialized {
    return { kind: KIND, version: 1, columns: [...this.featureNamesIn], state: this.state.map((e) => [...e]) };
  }
}

registerColumnwise(KIND, (c, s: number[][]) => new FittedQuantileBinner(c, s));
