import { ConfigError } from '@campaign-ml/core';
import type { Serialized } from '@campaign-ml/core';
import { numericColumn } from '../pipeline/table-columns';
import type { Table, TableStep } from '../pipeline/table-step';
import { quantileSorted, sortedPresent } from '../scalers/nan-stats';
import { FittedColumnwise, num, registerColumnwise, unnum } from './numeric-step';

export interface ClipperOptions {
  /** Fixed bounds per column: `{ Income: [0, 200000] }` (use ±Infinity for one-sided). */
  bounds?: Readonly<Record<string, readonly [number, number]>>;
  /** For columns without fixed bounds: clip to these fitted quantiles. Default [0.01, 0.99]. */
  quantiles?: readonly [number, number];
}

/** Clips values into [low, high] per column (winsorizing); names kept, missing stays missing. */
export class Clipper implements TableStep<FittedClipper> {
  readonly input = 'table';
  readonly params: Readonly<ClipperOptions>;

  constructor(options: ClipperOptions = {}) {
    const q = options.quantiles ?? [0.01, 0.99];
    if (!(q[0] >= 0 && q[0] < q[1] && q[1] <= 1))
      throw new ConfigError('INVALID_OPTION', 'quantiles must be [low, high] with 0 <= low < high <= 1');
    this.params = Object.freeze({ ...options, quantiles: q });
  }

  fit(table: Table): FittedClipper {
    const cols = table.columnNames();
    const state = cols.map((c): [number | string, number | string] => {
      const fixed = this.params.bounds?.[c];
      if (fixed) return [num(fixed[0]), num(fixed[1])];
      const sorted = sortedPresent(numericColumn(table, c));
      const [qlo, qhi] = this.params.quantiles ?? [0.01, 0.99];
      return [num(quantileSorted(sorted, qlo)), num(quantileSorted(sorted, qhi))];
    });
    return new FittedClipper(cols, state);
  }
}

const KIND = 'features/Clipper';

export class FittedClipper extends FittedColumnwise<[number | string, number | string]> {
  constructor(columns: readonly string[], bounds: readonly [number | string, number | string][]) {
    super(columns, bounds, columns);
    Object.freeze(this);
  }

  protected apply(x: Float64Array, b: [number | string, number | string], out: Float64Array): void {
    const lo = unnum(b[0]);
    const hi = unnum(b[1]);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      out[i] = v < lo ? lo : v > hi ? hi : v;
    }
  }

  toJSON(): Serialized {
    return { kind: KIND, version: 1, columns: [...this.featureNamesIn], state: this.state.map((s) => [...s]) };
  }
}

registerColumnwise(KIND, (c, s: [number | string, number | string][]) => new FittedClipper(c, s));
