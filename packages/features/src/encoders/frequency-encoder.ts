import { expectKind, registerLoader } from '@campaign-ml/core';
import type { Serialized } from '@campaign-ml/core';
import { columnValues, makeTable } from '../pipeline/table-columns';
import type { FittedTableStep, Table, TableStep } from '../pipeline/table-step';
import { codeColumn, indexOf, lookupCodes } from './category-codes';

export interface FrequencyEncoderOptions {
  /** `'fraction'` of fit rows (default) or raw `'count'`. */
  scale?: 'fraction' | 'count';
}

/**
 * Each category -> how often it appeared at fit (`category.frequency`). Missing counts as a
 * category; a category not seen at fit gets 0.
 */
export class FrequencyEncoder implements TableStep<FittedFrequencyEncoder> {
  readonly input = 'table';
  readonly params: Readonly<Required<FrequencyEncoderOptions>>;

  constructor(options: FrequencyEncoderOptions = {}) {
    this.params = Object.freeze({ scale: options.scale ?? 'fraction' });
  }

  fit(table: Table): FittedFrequencyEncoder {
    const n = table.numRows();
    const columns = table.columnNames().map((name) => {
      const { keys, counts } = codeColumn(columnValues(table, name));
      const freq = Array.from(counts, (c) => (this.params.scale === 'count' ? c : c / Math.max(n, 1)));
      return { name, categories: keys, frequencies: freq };
    });
    return new FittedFrequencyEncoder(columns);
  }
}

const KIND = 'features/FrequencyEncoder';

export class FittedFrequencyEncoder implements FittedTableStep {
  readonly input = 'table';
  readonly featureNamesIn: readonly string[];
  readonly featureNamesOut: readonly string[];
  private readonly indexes: readonly Map<string, number>[];

  constructor(private readonly columns: readonly { name: string; categories: string[]; frequencies: number[] }[]) {
    this.indexes = columns.map((c) => indexOf(c.categories));
    this.featureNamesIn = Object.freeze(columns.map((c) => c.name));
    this.featureNamesOut = Object.freeze(columns.map((c) => `${c.name}.frequency`));
    Object.freeze(this);
  }

  transform(table: Table): Table {
    const out = this.columns.map((c, ci) => {
      const codes = lookupCodes(columnValues(table, c.name), this.indexes[ci]);
      const res = new Float64Array(codes.length);
      for (let i = 0; i < codes.length; i++) res[i] = codes[i] < 0 ? 0 : c.frequencies[codes[i]];
      return res;
    });
    return makeTable(this.featureNamesOut, out);
  }

  toJSON(): Serialized {
    return { kind: KIND, version: 1, columns: this.columns };
  }

  static fromJSON(json: Serialized): FittedFrequencyEncoder {
    expectKind(json, KIND, 1);
    return new FittedFrequencyEncoder(json.columns as { name: string; categories: string[]; frequencies: number[] }[]);
  }
}

registerLoader(KIND, FittedFrequencyEncoder.fromJSON);
