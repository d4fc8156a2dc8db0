import { expectKind, registerLoader } from '@campaign-ml/core';
import type { Serialized } from '@campaign-ml/core';
import { makeTable, newColumn, numericColumn } from '../pipeline/table-columns';
import type { FittedTableStep, Table } from '../pipeline/table-step';

/**
 * Shared shape of the per-column numeric steps: each input column maps to one output column by
 * a fitted rule. Subclasses give the per-value function and what to serialize.
 */
export abstract class FittedColumnwise<S> implements FittedTableStep {
  readonly input = 'table';
  readonly featureNamesIn: readonly string[];
  readonly featureNamesOut: readonly string[];
  readonly state: readonly S[];

  constructor(columns: readonly string[], state: readonly S[], outNames: readonly string[]) {
    this.featureNamesIn = Object.freeze([...columns]);
    this.state = Object.freeze([...state]);
    this.featureNamesOut = Object.freeze([...outNames]);
  }

  /** Transform one column's values into `out`. */
  protected abstract apply(x: Float64Array, state: S, out: Float64Array): void;

  transform(table: Table): Table {
    const out = this.featureNamesIn.map((name, c) => {
      const x = numericColumn(table, name);
      const res = newColumn(x.length);
      this.apply(x, this.state[c], res);
      return res;
    });
    return makeTable(this.featureNamesOut, out);
  }

  abstract toJSON(): Serialized;
}

/** Register a columnwise fitted class stored as { columns, state } under `kind`. */
export function registerColumnwise<S, F extends FittedColumnwise<S>>(
  kind: string,
  make: (columns: string[], state: S[]) => F,
): (json: Serialized) => F {
  const loader = (json: Serialized): F => {
    expectKind(json, kind, 1);
    return make(json.columns as string[], json.state as S[]);
  };
  registerLoader(kind, loader);
  return loader;
}

/** Serialize numbers that may be non-finite (NaN, ±Infinity) exactly. */
export function num(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

export function unnum(x: number | string | null | undefined): number {
  return x === null || x === undefined ? NaN : Number(x);
}
