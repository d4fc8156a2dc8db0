import { ConfigError, expectKind, registerLoader } from '@campaign-ml/core';
import type { Serialized } from '@campaign-ml/core';
import { categoryKey, columnValues, makeTable } from '../pipeline/table-columns';
import type { FittedTableStep, Table, TableStep } from '../pipeline/table-step';
import { MISSING_KEY, byFrequency, codeColumn, indexOf } from './category-codes';

export interface OrdinalEncoderOptions {
  /** Code order: `'frequency'` (most frequent = 0, default), `'lexical'`, or explicit lists per column. */
  order?: 'frequency' | 'lexical' | Readonly<Record<string, readonly string[]>>;
  /** Code for a category not seen at fit. Default -1. */
  unknownValue?: number;
  /** Code for a missing value. Default NaN (missing: tree models handle it; set -1 otherwise). */
  missingValue?: number;
}

/** Categories -> integer codes 0..k-1 in one feature per column (same name as the column). */
export class OrdinalEncoder implements TableStep<FittedOrdinalEncoder> {
  readonly input = 'table';
  readonly params: Readonly<OrdinalEncoderOptions>;

  constructor(options: OrdinalEncoderOptions = {}) {
    this.params = Object.freeze({ order: 'frequency', unknownValue: -1, missingValue: NaN, ...options });
  }

  fit(table: Table): FittedOrdinalEncoder {
    const order = this.params.order ?? 'frequency';
    const columns = table.columnNames().map((name) => {
      if (typeof order === 'object' && order[name]) return { name, categories: [...order[name]] };
      const { keys, counts } = codeColumn(columnValues(table, name));
      const present = keys.map((_, i) => i).filter((i) => keys[i] !== MISSING_KEY);
      const sorted =
        order === 'lexical'
          ? present.map((i) => keys[i]).sort()
          : byFrequency(keys, counts)
              .filter((i) => keys[i] !== MISSING_KEY)
              .map((i) => keys[i]);
      return { name, categories: sorted };
    });
    return new FittedOrdinalEncoder(columns, this.params.unknownValue ?? -1, this.params.missingValue ?? NaN);
  }
}

const KIND = 'features/OrdinalEncoder';

export class FittedOrdinalEncoder implements FittedTableStep {
  readonly input = 'table';
  readonly featureNamesIn: readonly string[];
  readonly featureNamesOut: readonly string[];
  private readonly indexes: readonly Map<string, number>[];

  constructor(
    private readonly columns: readonly { name: string; categories: string[] }[],
    readonly unknownValue: number,
    readonly missingValue: number,
  ) {
    this.indexes = columns.map((c) => indexOf(c.categories));
    this.featureNamesIn = Object.freeze(columns.map((c) => c.name));
    this.featureNamesOut = this.featureNamesIn;
    Object.freeze(this);
  }

  /** The categories of `column` in code order (code k = categories[k]); e.g. to name an embedding model's codes. */
  categories(column: string): readonly string[] {
    const c = this.columns.find((x) => x.name === column);
    if (!c)
      throw new ConfigError('UNKNOWN_COLUMN', `OrdinalEncoder was not fitted on column "${column}"`, {
        column,
        expected: this.featureNamesIn.join(', '),
      });
    return Object.freeze([...c.categories]);
  }

  transform(table: Table): Table {
    const out = this.columns.map((c, ci) => {
      const values = columnValues(table, c.name);
      const index = this.indexes[ci];
      const res = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const key = categoryKey(values[i]);
        if (key === null) res[i] = this.missingValue;
        else {
          const code = index.get(key);
          res[i] = code === undefined ? this.unknownValue : code;
        }
      }
      return res;
    });
    return makeTable(this.featureNamesOut, out);
  }

  toJSON(): Serialized {
    // NaN is not JSON: store codes as strings when they are not finite.
    return {
      kind: KIND,
      version: 1,
      columns: this.columns,
      unknownValue: String(this.unknownValue),
      missingValue: String(this.missingValue),
    };
  }

  static fromJSON(json: Serialized): FittedOrdinalEncoder {
    expectKind(json, KIND, 1);
    return new FittedOrdinalEncoder(
      json.columns as { name: string; categories: string[] }[],
      Number(json.unknownValue),
      Number(json.missingValue),
    );
  }
}

registerLoader(KIND, FittedOrdinalEncoder.fromJSON);
