import type { Task } from '@campaign-ml/core';
import { chooseThreshold } from '@campaign-ml/models';
import type { PipelineConfig } from '../config';
import { positiveColumn } from '../metrics';
import type { Candidates } from './ensemble';

/**
 * The threshold stage: for a binary task, the cut of P(positive) that is best by `metric` on the
 * chosen model's out-of-fold predictions of the training part; undefined for other tasks.
 */
export async function chooseBinaryThreshold(
  task: Task,
  best: string,
  candidates: Candidates,
  yTrain: Float64Array,
  metric: PipelineConfig['threshold']['metric'],
): Promise<number | undefined> {
  if (task !== 'binary') return undefined;
  const oof = best === 'ensemble' ? candidates.byName.get(best)!.oof! : await candidates.outOfFold(best);
  if (oof.task !== 'classification') return undefined;
  return chooseThreshold(yTrain, positiveColumn(oof.proba), metric).threshold;
}
