import type { ColumnTable } from 'arquero';
import { createRng, kFold, stratifiedKFold, type Fold, type Task } from '@campaign-ml/core';
import { groupKFoldSplits, stratifiedSplit, timeSplit, trainTestSplit, type TableSplit } from '@campaign-ml/ingest';
import type { PipelineConfig } from '../config';
import type { Progress } from '../progress';

/** The training and test parts, their targets, and the CV folds of the training part. */
export interface TrainTestSplit {
  train: ColumnTable;
  test: ColumnTable;
  yTrain: Float64Array;
  yTest: Float64Array;
  /** Stratified (classification) or plain k folds of the training rows, seeded by the config. */
  folds: Fold[];
}

/** The split stage: a test part nothing fitted ever sees, and the folds every model is compared on. */
export function splitTrainTest(
  table: ColumnTable,
  y: Float64Array,
  task: Task,
  cfg: PipelineConfig,
  progress: Progress,
): TrainTestSplit {
  const split = splitTable(table, cfg, task);
  const yTrain = takeY(y, split.trainIndices);
  const yTest = takeY(y, split.testIndices);
  const k = cfg.tuning.folds;
  const folds: Fold[] =
    task !== 'regression' // classification: every fold keeps the class shares
      ? stratifiedKFold(yTrain, k, createRng(cfg.seed))
      : kFold(yTrain.length, k, createRng(cfg.seed));
  const sizes = `train ${split.train.numRows()} rows, test ${split.test.numRows()} rows`;
  progress.info(`${sizes}, ${folds.length}-fold CV on train`);
  return { train: split.train, test: split.test, yTrain, yTest, folds };
}

function splitTable(table: ColumnTable, cfg: PipelineConfig, task: Task): TableSplit {
  const { method, testSize } = cfg.split;
  if (method === 'time') return timeSplit(table, { column: cfg.split.column!, cutoff: cfg.split.cutoff! });
  if (method === 'group') {
    const k = Math.max(2, Math.round(1 / testSize));
    return groupKFoldSplits(table, { group: cfg.split.group!, k, seed: cfg.seed })[0];
  }
  if (method === 'stratified' && task !== 'regression') {
    return stratifiedSplit(table, { target: cfg.target, testSize, seed: cfg.seed });
  }
  return trainTestSplit(table, { testSize, seed: cfg.seed });
}

/** y for the rows of a split part (indices into the prepared table). */
export function takeY(y: Float64Array, rows: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: rows.length }, (_, i) => y[rows[i]]);
}
