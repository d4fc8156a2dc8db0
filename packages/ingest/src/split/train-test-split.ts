import type { ColumnTable } from 'arquero';
import { createRng, trainTestSplitIndices } from '@campaign-ml/core';
import { applyFold, type TableSplit } from './table-split';
import { requireColumn } from './take-rows';

export interface TrainTestSplitOptions {
  /** Share of rows in the test part, between 0 and 1 (exclusive). Default 0.2. */
  testSize?: number;
  /** Seed for core's RNG; the same seed gives the same split. Default 0. */
  seed?: number;
  /** Keep this column's class proportions in both parts (null counts as its own class). */
  stratify?: string;
}

/** One random train/test split of a table's rows (core's trainTestSplitIndices). */
export function trainTestSplit(table: ColumnTable, options: TrainTestSplitOptions = {}): TableSplit {
  return splitTable(table, options, 'stratify');
}

function splitTable(table: ColumnTable, options: TrainTestSplitOptions, stratifyOption: string): TableSplit {
  const stratify = options.stratify !== undefined ? requireColumn(table, options.stratify, stratifyOption) : undefined;
  const fold = trainTestSplitIndices(table.numRows(), {
    testSize: options.testSize ?? 0.2,
    rng: createRng(options.seed ?? 0),
    stratify,
  });
  return applyFold(table, fold);
}

export interface StratifiedSplitOptions {
  /** The class column whose proportions both parts keep. */
  target: string;
  testSize?: number;
  seed?: number;
}

/** trainTestSplit stratified on `target`. */
export function stratifiedSplit(table: ColumnTable, options: StratifiedSplitOptions): TableSplit {
  return splitTable(table, { testSize: options.testSize, seed: options.seed, stratify: options.target }, 'target');
}
