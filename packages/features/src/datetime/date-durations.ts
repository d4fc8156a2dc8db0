import { ConfigError, expectKind, registerLoader } from '@campaign-ml/core';
import type { Serialized } from '@campaign-ml/core';
import { makeTable, newColumn } from '../pipeline/table-columns';
import type { FittedTableStep, Table, TableStep } from '../pipeline/table-step';
import { MS_PER_DAY, dateMillis } from './date-values';

export interface DateDurationsOptions {
  /** [from, to] column pairs; default every pair of the group's columns in order (earlier column first). */
  pairs?: readonly (readonly [string, string])[];
}

/** Days between two date columns, `to - from`, as `from→to_days` (fractional; missing when either is). */
export class DateDurations implements TableStep<FittedDateDurations> {
  readonly input = 'table';
  readonly params: Readonly<DateDurationsOptions>;

  constructor(options: DateDurationsOptions = {}) {
    this.params = Object.freeze({ ...options });
  }

  fit(table: Table): FittedDateDurations {
    const cols = table.columnNames();
    const pairs: [string, string][] = this.params.pairs
      ? this.params.pairs.map(([a, b]) => [a, b])
      : cols.flatMap((a, i) => cols.slice(i + 1).map((b): [string, string] => [a, b]));
    for (const [a, b] of pairs) {
      for (const c of [a, b]) {
        if (!cols.includes(c))
          throw new ConfigError(
            'UNKNOWN_COLUMN',
            `DateDurations pair [${a}, ${b}]: column "${c}" is not in the group; add it to the group's columns`,
            { column: c },
          );
      }
    }
    for (const c of cols) dateMillis(table, c);
    return new FittedDateDurations(pairs);
  }
}

const KIND = 'features/DateDurations';

export class FittedDateDurations implements FittedTableStep {
  readonly input = 'table';
  readonly featureNamesIn: readonly string[];
  readonly featureNamesOut: readonly string[];

  constructor(readonly pairs: readonly (readonly [string, string])[]) {
    this.featureNamesIn = Object.freeze([...new Set(pairs.flat())]);
    this.featureNamesOut = Object.freeze(pairs.map(([a, b]) => `${a}→${b}_days`));
    Object.freeze(this);
  }

  transform(table: Table): Table {
    const cache = new Map<string, Float64Array>();
    const get = (c: string): Float64Array => {
      let t = cache.get(c);
      if (!t) cache.set(c, (t = dateMillis(table, c)));
      return t;
    };
    const out = this.pairs.map(([a, b]) => {
      const ta = get(a);
      const tb = get(b);
      const res = newColumn(ta.length);
      for (let i = 0; i < ta.length; i++) res[i] = (tb[i] - ta[i]) / MS_PER_DAY;
      return res;
    });
    return makeTable(this.featureNamesOut, out);
  }

  toJSON(): Serialized {
    return { kind: KIND, version: 1, pairs: this.pairs.map((p) => [...p]) };
  }

  static fromJSON(json: Serialized): FittedDateDurations {
    expectKind(json, KIND, 1);
    return new FittedDateDurations(json.pairs as [string, string][]);
  }
}

registerLoader(KIND, FittedDateDurations.fromJSON);
