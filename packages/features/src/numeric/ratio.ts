import { expectKind, registerLoader } from '@campaign-ml/core';
import type { Serialized } from '@campaign-ml/core';
import { dateMillis, MS_PER_DAY } from '../datetime/date-values';
import { makeTable, numericColumn, requireColumns } from '../pipeline/table-columns';
import type { FittedTableStep, Table, TableStep } from '../pipeline/table-step';

/** A denominator: a numeric column, or the days between two date columns. */
export type RatioDenominator = string | { readonly from: string; readonly to: string };

export interface RatioOptions {
  numerator: string;
  denominator: RatioDenominator;
  /** Output name. Default `goal/static_usd_rate`, or `goal/(launched_at→deadline_days)` for a date span. */
  name?: string;
}

function denomName(d: RatioDenominator): string {
  return typeof d === 'string' ? d : `(${d.from}→${d.to}_days)`;
}

/**
 * One feature `numerator / denominator`, e.g. goal per campaign day with
 * `{ numerator: 'goal', denominator: { from: 'launched_at', to: 'deadline' } }`. A zero or missing
 * denominator gives missing (NaN), to be imputed or kept for tree models.
 */
export class Ratio implements TableStep<FittedRatio> {
  readonly input = 'table';
  readonly params: Readonly<RatioOptions>;

  constructor(options: RatioOptions) {
    this.params = Object.freeze({ ...options });
  }

  fit(table: Table): FittedRatio {
    const f = new FittedRatio(
      this.params.numerator,
      this.params.denominator,
      this.params.name ?? `${this.params.numerator}/${denomName(this.params.denominator)}`,
    );
    f.transform(table); // check the columns and values now rather than at first use
    return f;
  }
}

const KIND = 'features/Ratio';

export class FittedRatio implements FittedTableStep {
  readonly input = 'table';
  readonly featureNamesIn: readonly string[];
  readonly featureNamesOut: readonly string[];

  constructor(
    readonly numerator: string,
    readonly denominator: RatioDenominator,
    name: string,
  ) {
    this.featureNamesIn = Object.freeze(
      typeof denominator === 'string' ? [numerator, denominator] : [numerator, denominator.from, denominator.to],
    );
    this.featureNamesOut = Object.freeze([name]);
    Object.freeze(this);
  }

  transform(table: Table): Table {
    requireColumns(table, this.featureNamesIn, 'this Ratio');
    const a = numericColumn(table, this.numerator);
    let b: Float64Array;
    if (typeof this.denominator === 'string') b = numericColumn(table, this.denominator);
    else {
      const from = dateMillis(table, this.denominator.from);
      const to = dateMillis(table, this.denominator.to);
      b = new Float64Array(from.length);
      for (let i = 0; i < b.length; i++) b[i] = (to[i] - from[i]) / MS_PER_DAY;
    }
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = b[i] === 0 ? NaN : a[i] / b[i];
    return makeTable(this.featureNamesOut, [out]);
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      numerator: this.numerator,
      denominator: this.denominator,
      name: this.featureNamesOut[0],
    };
  }

  static fromJSON(json: Serialized): FittedRatio {
    expectKind(json, KIND, 1);
    return new FittedRatio(json.numerator as string, json.denominator as RatioDenominator, json.name as string);
  }
}

registerLoader(KIND, FittedRatio.fromJSON);
