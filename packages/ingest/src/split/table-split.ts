import type { ColumnTable } from 'arquero';
import type { Fold } from '@campaign-ml/core';
import { takeRows } from './take-rows';

/** A train/test pair of tables and the row positions (in the input table) each came from. */
export interface TableSplit {
  train: ColumnTable;
  test: ColumnTable;
  trainIndices: Uint32Array;
  testIndices: Uint32Array;
}

/** Apply a core Fold to a table. Rows keep the input table's order within each part. */
export function applyFold(table: ColumnTable, fold: Fold): TableSplit {
  return {
    train: takeRows(table, fold.train),
    test: takeRows(table, fold.test),
    trainIndices: fold.train,
    testIndices: fold.test,
  };
}
