import type { ColumnTable } from 'arquero';
import { createRng, groupKFold, InputError, kFold, stratifiedKFold } from '@campaign-ml/core';
import { applyFold, type TableSplit } from './table-split';
import { describeRows, requireColumn } from './take-rows';

export interface KFoldOptions {
  /** Number of folds, >= 2. Default 5. */
  k?: number;
  /** Seed for core's RNG. Default 0. */
  seed?: number;
  /** Shuffle rows before dealing them into folds (default true; false keeps contiguous blocks). */
  shuffle?: boolean;
}

/** k train/test splits; every row is in exactly one test part (core's kFold). */
export function kFoldSplits(table: ColumnTable, options: KFoldOptions = {}): TableSplit[] {
  const rng = options.shuffle === false ? undefined : createRng(options.seed ?? 0);
  return kFold(table.numRows(), options.k ?? 5, rng).map((f) => applyFold(table, f));
}

/** k splits that keep `target`'s class proportions in every fold (core's stratifiedKFold). */
export function stratifiedKFoldSplits(table: ColumnTable, options: KFoldOptions & { target: string }): TableSplit[] {
  const y = requireColumn(table, options.target, 'target');
  const rng = options.shuffle === false ? undefined : createRng(options.seed ?? 0);
  return stratifiedKFold(y, options.k ?? 5, rng).map((f) => applyFold(table, f));
}

/**
 * k splits where all rows of one `group` value land on the same side (core's groupKFold).
 * A missing group is an error (it would silently make one big group of unrelated rows).
 */
export function groupKFoldSplits(
  table: ColumnTable,
  options: Omit<KFoldOptions, 'shuffle'> & { group: string },
): TableSplit[] {
  const g = requireColumn(table, options.group, 'group');
  const missing: number[] = [];
  for (let i = 0; i < g.length; i++) if (g[i] === null || g[i] === undefined) missing.push(i + 1);
  if (missing.length) {
    throw new InputError(
      'MISSING_GROUP',
      `group column "${options.group}" is missing in ${describeRows(missing)}; fill or drop those rows first`,
      {
        column: options.group,
        row: missing[0],
        expected: 'a group value on every row',
      },
    );
  }
  return groupKFold(g, options.k ?? 5, createRng(options.seed ?? 0)).map((f) => applyFold(table, f));
}
