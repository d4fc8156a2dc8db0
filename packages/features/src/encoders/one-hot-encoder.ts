import { ConfigError, InputError, describeValue, expectKind, registerLoader } from '@campaign-ml/core';
import type { Serialized } from '@campaign-ml/core';
import { columnValues, makeTable, newColumn } from '../pipeline/table-columns';
import type { FittedTableStep, Table, TableStep } from '../pipeline/table-step';
import { MISSING_KEY, byFrequency, codeColumn, indexOf, keyLabel, lookupCodes } from './category-codes';

export interface OneHotEncoderOptions {
  /**
   * Categories seen fewer times than this at fit (a count >= 1, or a fraction of rows < 1) are
   * grouped into one `column=(other)` feature. Default 1 (keep every category).
   */
  minFrequency?: number;
  /** Keep at most this many categories per column (the most frequent); the rest go to `(other)`. */
  maxCategories?: number;
  /**
   * A category not seen at fit: `'zero'` (default) gives all-zero features for that row,
   * `'other'` sets the `column=(other)` feature (created even when nothing was infrequent),
   * `'error'` throws an InputError naming the row, column and value.
   */
  handleUnknown?: 'zero' | 'other' | 'error';
}

interface ColumnCoding {
  name: string;
  /** Kept category keys (MISSING_KEY for null), in output order. */
  categories: string[];
  /** Whether a `(other)` feature follows the categories. */
  other: boolean;
  /** Categories seen at fit but grouped into `(other)` (infrequent). */
  infrequent: string[];
}

/**
 * One 0/1 feature per category: `category=Music`. A missing value seen at fit is a category of its
 * own (`category=(missing)`); missing in new data when none was seen at fit counts as unknown.
 */
export class OneHotEncoder implements TableStep<FittedOneHotEncoder> {
  readonly input = 'table';
  readonly params: Readonly<Required<OneHotEncoderOptions>>;

  constructor(options: OneHotEncoderOptions = {}) {
    const minFrequency = options.minFrequency ?? 1;
    if (!(minFrequency > 0))
      throw new ConfigError('INVALID_OPTION', `minFrequency must be > 0, got ${minFrequency}`, { value: minFrequency });
    this.params = Object.freeze({
      minFrequency,
      maxCategories: options.maxCategories ?? Infinity,
      handleUnknown: options.handleUnknown ?? 'zero',
    });
  }

  fit(table: Table): FittedOneHotEncoder {
    const n = table.numRows();
    const { minFrequency, maxCategories, handleUnknown } = this.params;
    const minCount = minFrequency < 1 ? minFrequency * n : minFrequency;
    const columns = table.columnNames().map((name): ColumnCoding => {
      const { keys, counts } = codeColumn(columnValues(table, name));
      const order = byFrequency(keys, counts);
      const kept = order.filter((i) => counts[i] >= minCount).slice(0, maxCategories);
      const keptSet = new Set(kept);
      const infrequent = order.filter((i) => !keptSet.has(i)).map((i) => keys[i]);
      return {
        name,
        categories: kept.map((i) => keys[i]),
        other: infrequent.length > 0 || handleUnknown === 'other',
        infrequent,
      };
    });
    return new FittedOneHotEncoder(columns, handleUnknown);
  }
}

const KIND = 'features/OneHotEncoder';

export class FittedOneHotEncoder implements FittedTableStep {
  readonly input = 'table';
  readonly featureNamesIn: readonly string[];
  readonly featureNamesOut: readonly string[];
  readonly handleUnknown: 'zero' | 'other' | 'error';
  private readonly columns: readonly ColumnCoding[];
  private readonly indexes: readonly Map<string, number>[];

  constructor(columns: readonly ColumnCoding[], handleUnknown: 'zero' | 'other' | 'error') {
    this.columns = columns;
    this.handleUnknown = handleUnknown;
    this.indexes = columns.map((c) => {
      const index = indexOf(c.categories);
      for (const key of c.infrequent) index.set(key, c.categories.length);
      return index;
    });
    this.featureNamesIn = Object.freeze(columns.map((c) => c.name));
    this.featureNamesOut = Object.freeze(
      columns.flatMap((c) => [
        ...c.categories.map((k) => `${c.name}=${keyLabel(k)}`),
        ...(c.other ? [`${c.name}=(other)`] : []),
      ]),
    );
    Object.freeze(this);
  }

  /** Kept categories of a column (null stands for missing). */
  categories(column: string): (string | null)[] | undefined {
    return this.columns.find((c) => c.name === column)?.categories.map((k) => (k === MISSING_KEY ? null : k));
  }

  transform(table: Table): Table {
    const n = table.numRows();
    const out: Float64Array[] = [];
    this.columns.forEach((c, ci) => {
      const values = columnValues(table, c.name);
      const codes = lookupCodes(values, this.indexes[ci]);
      const k = c.categories.length;
      const cols = Array.from({ length: k + (c.other ? 1 : 0) }, () => newColumn(n));
      // Infrequent categories map to index k, the (other) feature; unknown ones to -1.
      const toOther = this.handleUnknown === 'other';
      for (let i = 0; i < n; i++) {
        const code = codes[i];
        if (code >= 0) cols[code][i] = 1;
        else if (toOther) cols[k][i] = 1;
        else if (this.handleUnknown === 'error') this.unknown(c, i, values[i]);
      }
      out.push(...cols);
    });
    return makeTable(this.featureNamesOut, out);
  }

  private unknown(c: ColumnCoding, i: number, v: unknown): never {
    const shown = [...c.categories, ...c.infrequent].slice(0, 5).map(keyLabel).join(', ');
    throw new InputError(
      'UNKNOWN_CATEGORY',
      `column "${c.name}" has category ${describeValue(v)} at row ${i + 1}, which was not seen at fit (known: ${shown}${c.categories.length + c.infrequent.length > 5 ? ', ...' : ''}); refit, or use handleUnknown: 'zero' or 'other'`,
      {
        row: i + 1,
        column: c.name,
        value: v,
        expected: `one of the ${c.categories.length + c.infrequent.length} fitted categories`,
      },
    );
  }

  toJSON(): Serialized {
    return { kind: KIND, version: 1, handleUnknown: this.handleUnknown, columns: this.columns.map((c) => ({ ...c })) };
  }

  static fromJSON(json: Serialized): FittedOneHotEncoder {
    expectKind(json, KIND, 1);
    return new FittedOneHotEncoder(json.columns as ColumnCoding[], json.handleUnknown as 'zero' | 'other' | 'error');
  }
}

registerLoader(KIND, FittedOneHotEncoder.fromJSON);
