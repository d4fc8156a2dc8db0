import { ConfigError, expectKind, registerLoader } from '@campaign-ml/core';
import type { Serialized } from '@campaign-ml/core';
import { categoryKey, columnValues, makeTable, newColumn, toNumeric } from '../pipeline/table-columns';
import type { FittedTableStep, Table, TableStep } from '../pipeline/table-step';
import { nanMeanStd, quantileSorted, sortedPresent } from '../scalers/nan-stats';

export type ImputeStrategy = 'mean' | 'median' | 'mostFrequent' | 'constant';

export interface SimpleImputerOptions {
  /** Default 'mean'. mean/median need numeric columns; mostFrequent and constant work on any column. */
  strategy?: ImputeStrategy;
  /** The fill for 'constant' (default 0 for numeric columns, "(missing)" for categories). */
  fillValue?: number | string;
  /** Add a 0/1 `column.missing` feature for each column that had missing values at fit. */
  addIndicator?: boolean;
}

interface ImputedColumn {
  name: string;
  numeric: boolean;
  fill: number | string;
  indicator: boolean;
}

/**
 * Fills missing values (null/NaN) per column with a statistic learned at fit. Numeric columns come
 * out as numbers (booleans as 0/1); category columns stay strings (follow with an encoder).
 * A column with no values at fit is filled with `fillValue` (default 0 / "(missing)") rather
 * than dropped, so the output shape never depends on the data.
 */
export class SimpleImputer implements TableStep<FittedSimpleImputer> {
  readonly input = 'table';
  readonly params: Readonly<SimpleImputerOptions>;

  constructor(options: SimpleImputerOptions = {}) {
    this.params = Object.freeze({ strategy: 'mean', addIndicator: false, ...options });
  }

  fit(table: Table): FittedSimpleImputer {
    const strategy = this.params.strategy ?? 'mean';
    const columns = table.columnNames().map((name): ImputedColumn => {
      const values = columnValues(table, name);
      const numeric = isNumericColumn(values);
      let missing = 0;
      for (let i = 0; i < values.length; i++) if (isMissing(values[i])) missing++;
      const indicator = (this.params.addIndicator ?? false) && missing > 0;
      const fallback = this.params.fillValue ?? (numeric ? 0 : '(missing)');
      if (numeric) {
        const x = toNumeric(values, name);
        let fill: number | string;
        if (strategy === 'mean') fill = nanMeanStd(x).mean;
        else if (strategy === 'median') fill = quantileSorted(sortedPresent(x), 0.5);
        else if (strategy === 'mostFrequent') fill = mostFrequentNumber(x);
        else fill = fallback;
        if (typeof fill === 'number' && Number.isNaN(fill)) fill = fallback;
        return { name, numeric, fill, indicator };
      }
      if (strategy === 'mean' || strategy === 'median') {
        throw new ConfigError(
          'INVALID_STRATEGY',
          `SimpleImputer strategy "${strategy}" needs numbers but column "${name}" holds categories; use strategy "mostFrequent" or "constant" for it`,
          { column: name, value: strategy, expected: 'mostFrequent or constant' },
        );
      }
      const fill = strategy === 'mostFrequent' ? (mostFrequentKey(values) ?? fallback) : fallback;
      return { name, numeric, fill, indicator };
    });
    return new FittedSimpleImputer(columns);
  }
}

function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

function isNumericColumn(values: ArrayLike<unknown>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    return typeof v === 'number' || typeof v === 'boolean';
  }
  return true; // all missing: treat as numeric
}

function mostFrequentNumber(x: Float64Array): number {
  const sorted = sortedPresent(x);
  let best = NaN;
  let bestCount = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    if (j - i > bestCount) {
      bestCount = j - i;
      best = sorted[i];
    }
    i = j;
  }
  return best; // ties: the smallest value, as scikit-learn
}

function mostFrequentKey(values: ArrayLike<unknown>): string | undefined {
  const counts = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const k = categoryKey(values[i]);
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [k, c] of counts) {
    if (c > bestCount || (c === bestCount && best !== undefined && k < best)) {
      best = k;
      bestCount = c;
    }
  }
  return best;
}

const KIND = 'features/SimpleImputer';

export class FittedSimpleImputer implements FittedTableStep {
  readonly input = 'table';
  readonly featureNamesIn: readonly string[];
  readonly featureNamesOut: readonly string[];

  constructor(private readonly columns: readonly ImputedColumn[]) {
    this.featureNamesIn = Object.freeze(columns.map((c) => c.name));
    this.featureNamesOut = Object.freeze([
      ...columns.map((c) => c.name),
      ...columns.filter((c) => c.indicator).map((c) => `${c.name}.missing`),
    ]);
    Object.freeze(this);
  }

  /** The learned fill per column. */
  get fills(): Readonly<Record<string, number | string>> {
    return Object.fromEntries(this.columns.map((c) => [c.name, c.fill]));
  }

  transform(table: Table): Table {
    const out: ArrayLike<unknown>[] = [];
    const indicators: Float64Array[] = [];
    for (const c of this.columns) {
      const values = columnValues(table, c.name);
      const n = values.length;
      const flag = c.indicator ? newColumn(n) : undefined;
      if (c.numeric) {
        const x = toNumeric(values, c.name);
        const res = newColumn(n);
        const fill = Number(c.fill);
        for (let i = 0; i < n; i++) {
          const v = x[i];
          if (v !== v) {
            res[i] = fill;
            if (flag) flag[i] = 1;
          } else res[i] = v;
        }
        out.push(res);
      } else {
        const res = new Array<unknown>(n);
        for (let i = 0; i < n; i++) {
          const v = values[i];
          if (isMissing(v)) {
            res[i] = c.fill;
            if (flag) flag[i] = 1;
          } else res[i] = v;
        }
        out.push(res);
      }
      if (flag) indicators.push(flag);
    }
    return makeTable(this.featureNamesOut, [...out, ...indicators]);
  }

  toJSON(): Serialized {
    return { kind: KIND, version: 1, columns: this.columns };
  }

  static fromJSON(json: Serialized): FittedSimpleImputer {
    expectKind(json, KIND, 1);
    return new FittedSimpleImputer(json.columns as ImputedColumn[]);
  }
}

registerLoader(KIND, FittedSimpleImputer.fromJSON);
