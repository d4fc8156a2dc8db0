import { expectKind, registerLoader } from '@campaign-ml/core';
import type { Serialized } from '@campaign-ml/core';
import { makeTable, numericColumn, requireColumns } from '../pipeline/table-columns';
import type { FittedTableStep, Table, TableStep } from '../pipeline/table-step';

export interface RateConversionOptions {
  /** Columns to convert, e.g. ['goal']. */
  columns: readonly string[];
  /** The per-row rate column, e.g. 'static_usd_rate'. */
  rate: string;
  /** Appended to each converted name. Default `*${rate}` (`goal*static_usd_rate`); e.g. '_usd'. */
  suffix?: string;
}

/** Converts amounts by a per-row rate: `goal × static_usd_rate` (goal in USD). Missing in either gives missing. */
export class RateConversion implements TableStep<FittedRateConversion> {
  readonly input = 'table';
  readonly params: Readonly<RateConversionOptions>;

  constructor(options: RateConversionOptions) {
    this.params = Object.freeze({ ...options, columns: [...options.columns] });
  }

  fit(table: Table): FittedRateConversion {
    const f = new FittedRateConversion(
      this.params.columns,
      this.params.rate,
      this.params.suffix ?? `*${this.params.rate}`,
    );
    f.transform(table);
    return f;
  }
}

const KIND = 'features/RateConversion';

export class FittedRateConversion implements FittedTableStep {
  readonly input = 'table';
  readonly featureNamesIn: readonly string[];
  readonly featureNamesOut: readonly string[];

  constructor(
    readonly columns: readonly string[],
    readonly rate: string,
    readonly suffix: string,
  ) {
    this.featureNamesIn = Object.freeze([...columns, rate]);
    this.featureNamesOut = Object.freeze(columns.map((c) => c + suffix));
    Object.freeze(this);
  }

  transform(table: Table): Table {
    requireColumns(table, this.featureNamesIn, 'this RateConversion');
    const rate = numericColumn(table, this.rate);
    const out = this.columns.map((c) => {
      const x = numericColumn(table, c);
      const res = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) res[i] = x[i] * rate[i];
      return res;
    });
    return makeTable(this.featureNamesOut, out);
  }

  toJSON(): Serialized {
    return { kind: KIND, version: 1, columns: [...this.columns], rate: this.rate, suffix: this.suffix };
  }

  static fromJSON(json: Serialized): FittedRateConversion {
    expectKind(json, KIND, 1);
    return new FittedRateConversion(json.columns as string[], json.rate as string, json.suffix as string);
  }
}

registerLoader(KIND, FittedRateConversion.fromJSON);
