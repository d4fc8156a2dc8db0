import type { ColumnTable } from 'arquero';
import { describeValue, InputError } from '@campaign-ml/core';
import { parseDate } from '@campaign-ml/schema';
import { applyFold, type TableSplit } from './table-split';
import { describeRows, requireColumn } from './take-rows';

export interface TimeSplitOptions {
  /** The time column: Dates, ISO date strings or numbers (e.g. epoch ms or years). */
  column: string;
  /** Rows strictly before this go to train, rows at or after it to test. */
  cutoff: Date | string | number;
}

function toTime(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') return parseDate(v)?.getTime();
  return undefined;
}

/** Split by time: train is everything before `cutoff`, test everything at or after it. */
export function timeSplit(table: ColumnTable, options: TimeSplitOptions): TableSplit {
  const values = requireColumn(table, options.column, 'column');
  const cutoff = toTime(options.cutoff);
  if (cutoff === undefined) {
    throw new InputError(
      'INVALID_CUTOFF',
      `cutoff ${describeValue(options.cutoff)} is not a date; pass a Date, an ISO date string or a number`,
      {
        value: options.cutoff,
        expected: 'a Date, ISO date string or number',
      },
    );
  }
  const n = values.length;
  const missing: number[] = [];
  const bad: number[] = [];
  const before = new Uint8Array(n);
  let nTrain = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      missing.push(i + 1);
      continue;
    }
    const t = toTime(v);
    if (t === undefined) bad.push(i + 1);
    else if (t < cutoff) {
      before[i] = 1;
      nTrain++;
    }
  }
  if (missing.length) {
    throw new InputError(
      'MISSING_TIME',
      `time column "${options.column}" is missing in ${describeRows(missing)}; fill or drop those rows before a time split`,
      {
        column: options.column,
        row: missing[0],
        expected: 'a date on every row',
      },
    );
  }
  if (bad.length) {
    throw new InputError(
      'INVALID_TIME',
      `time column "${options.column}" has values that are not dates in ${describeRows(bad)} (first: ${describeValue(values[bad[0] - 1])})`,
      {
        column: options.column,
        row: bad[0],
        value: values[bad[0] - 1],
        expected: 'a Date, ISO date string or number',
      },
    );
  }
  if (nTrain === 0 || nTrain === n) {
    throw new InputError(
      'EMPTY_SPLIT',
      `cutoff ${describeValue(options.cutoff)} puts ${nTrain === 0 ? 'no rows in train' : 'no rows in test'}; choose a cutoff inside the range of "${options.column}"`,
      {
        column: options.column,
        value: options.cutoff,
      },
    );
  }
  const train = new Uint32Array(nTrain);
  const test = new Uint32Array(n - nTrain);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (before[i]) train[a++] = i;
    else test[b++] = i;
  }
  return applyFold(table, { train, test });
}
