import type { Serialized } from '@campaign-ml/core';
import { numericColumn } from '../pipeline/table-columns';
import type { Table, TableStep } from '../pipeline/table-step';
import { FittedColumnwise, num, registerColumnwise, unnum } from './numeric-step';

export interface PlausibilityRule {
  min?: number;
  max?: number;
}

export interface PlausibilityRulesOptions {
  /** Allowed range per column, e.g. `{ Year_Birth: { min: 1930 }, Income: { max: 200000 } }`. */
  rules: Readonly<Record<string, PlausibilityRule>>;
}

/**
 * Values outside a column's plausible [min, max] become missing (NaN), to be imputed next; the
 * group's other columns pass unchanged. `flagged` on the fitted step counts the values removed at fit.
 */
export class PlausibilityRules implements TableStep<FittedPlausibilityRules> {
  readonly input = 'table';
  readonly params: Readonly<PlausibilityRulesOptions>;

  constructor(options: PlausibilityRulesOptions) {
    this.params = Object.freeze({ rules: { ...options.rules } });
  }

  fit(table: Table): FittedPlausibilityRules {
    const cols = table.columnNames();
    const state = cols.map((c): [number | string, number | string] => {
      const r = this.params.rules[c] ?? {};
      return [num(r.min ?? -Infinity), num(r.max ?? Infinity)];
    });
    const fitted = new FittedPlausibilityRules(cols, state, {});
    const flagged: Record<string, number> = {};
    cols.forEach((c, i) => {
      const x = numericColumn(table, c);
      const lo = unnum(state[i][0]);
      const hi = unnum(state[i][1]);
      let count = 0;
      for (let r = 0; r < x.length; r++) if (x[r] < lo || x[r] > hi) count++;
      if (count > 0) flagged[c] = count;
    });
    return new FittedPlausibilityRules(fitted.featureNamesIn, fitted.state, flagged);
  }
}

const KIND = 'features/PlausibilityRules';

export class FittedPlausibilityRules extends FittedColumnwise<[number | string, number | string]> {
  /** Values per column that fell outside the rule at fit (and became missing). */
  readonly flagged: Readonly<Record<string, number>>;

  constructor(
    columns: readonly string[],
    bounds: readonly [number | string, number | string][],
    flagged: Record<string, number>,
  ) {
    super(columns, bounds, columns);
    this.flagged = Object.freeze({ ...flagged });
    Object.freeze(this);
  }

  protected apply(x: Float64Array, b: [number | string, number | string], out: Float64Array): void {
    const lo = unnum(b[0]);
    const hi = unnum(b[1]);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      out[i] = v < lo || v > hi ? NaN : v;
    }
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      columns: [...this.featureNamesIn],
      state: this.state.map((s) => [...s]),
      flagged: { ...this.flagged },
    };
  }
}

registerColumnwise(KIND, (c, s: [number | string, number | string][]) => new FittedPlausibilityRules(c, s, {}));
