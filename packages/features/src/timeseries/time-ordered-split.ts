import type { ColumnTable } from 'arquero';
import { InputError } from '@campaign-ml/core';
import { DAY_MS, requireColumns, timeMs } from './panel-index';

export interface TimeSplitOptions {
  /** The time column (Date or epoch ms). */
  time: string;
  /** Rows before the cutoff train, rows at or after it test. */
  cutoff: Date | number;
  /**
   * Drop training rows within this many days before the cutoff (default 0). Set it to the longest
   * horizon target so no training label is observed inside the test period.
   */
  purgeDays?: number;
}

/** Split a table in time: nothing in `train` is at or after the cutoff. */
export function timeOrderedSplit(
  table: ColumnTable,
  opts: TimeSplitOptions,
): { train: ColumnTable; test: ColumnTable } {
  requireColumns(table, [opts.time]);
  const cutoff = opts.cutoff instanceof Date ? opts.cutoff.getTime() : opts.cutoff;
  const purge = opts.purgeDays ?? 0;
  if (!Number.isFinite(cutoff))
    throw new InputError('INVALID_OPTION', 'cutoff must be a valid date', { value: opts.cutoff, expected: 'a Date' });
  if (!(purge >= 0)) throw new InputError('INVALID_OPTION', `purgeDays must be >= 0, got ${purge}`, { value: purge });
  const trainEnd = cutoff - purge * DAY_MS;
  const t = table.array(opts.time) as ArrayLike<unknown>;
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < t.length; i++) {
    const ms = timeMs(t[i], opts.time, i);
    if (ms >= cutoff) test.push(i);
    else if (ms < trainEnd) train.push(i);
  }
  return { train: table.reify(train), test: table.reify(test) };
}
