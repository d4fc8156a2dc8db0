import type { Serialized } from '@campaign-ml/core';
import { numericColumn } from '../pipeline/table-columns';
import type { Table, TableStep } from '../pipeline/table-step';
import { FittedColumnwise, registerColumnwise } from './numeric-step';

export interface Log1pOptions {
  /** Only transform columns whose absolute skewness at fit exceeds this (others pass unchanged). Default: transform all. */
  skewThreshold?: number;
}

/**
 * Signed log1p, sign(x)·log(1 + |x|): tames heavy right tails and is defined for every number.
 * Transformed columns are named `log1p(goal)`; untouched ones keep their name.
 */
export class Log1pTransformer implements TableStep<FittedLog1p> {
  readonly input = 'table';
  readonly params: Readonly<Log1pOptions>;

  constructor(options: Log1pOptions = {}) {
    this.params = Object.freeze({ ...options });
  }

  fit(table: Table): FittedLog1p {
    const cols = table.columnNames();
    const state = cols.map((c) =>
      this.params.skewThreshold === undefined
        ? true
        : Math.abs(skewness(numericColumn(table, c))) > this.params.skewThreshold,
    );
    return new FittedLog1p(cols, state);
  }
}

/** Sample skewness (Fisher-Pearson, biased) of the non-NaN values; 0 for constant columns. */
export function skewness(x: Float64Array): number {
  let n = 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] === x[i]) {
      n++;
      s += x[i];
    }
  }
  if (n < 3) return 0;
  const m = s / n;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - m;
    if (d === d) {
      m2 += d * d;
      m3 += d * d * d;
    }
  }
  m2 /= n;
  m3 /= n;
  return m2 > 0 ? m3 / Math.pow(m2, 1.5) : 0;
}

const KIND = 'features/Log1pTransformer';

export class FittedLog1p extends FittedColumnwise<boolean> {
  constructor(columns: readonly string[], transformed: readonly boolean[]) {
    super(
      columns,
      transformed,
      columns.map((c, i) => (transformed[i] ? `log1p(${c})` : c)),
    );
    Object.freeze(this);
  }

  protected apply(x: Float64Array, on: boolean, out: Float64Array): void {
    if (!on) {
      out.set(x);
      return;
    }
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      out[i] = v < 0 ? -Math.log1p(-v) : Math.log1p(v);
    }
  }

  toJSON(): Serialized {
    return { kind: KIND, version: 1, columns: [...this.featureNamesIn], state: [...this.state] };
  }
}

registerColumnwise(KIND, (c, s: boolean[]) => new FittedLog1p(c, s));
