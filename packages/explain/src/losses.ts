import { ConfigError, type Task } from '@campaign-ml/core';
import { logLoss, meanSquaredError, rocAucScore } from '@campaign-ml/models';

/**
 * A loss (lower is better) of the model's raw scores against the known outcomes: `scores` is what
 * `scoreTable` returns (rows × `classes` probabilities, row-major, for a classifier; one value per
 * row for a regressor), `yTrue` class indices or values.
 */
export type LossFunction = (yTrue: Float64Array, scores: Float64Array, classes: number) => number;

/** Built-in losses by name. */
export type LossName = '1-auc' | 'rmse' | 'cross-entropy';

/** 1 − ROC AUC of the positive class (binary) or 1 − macro-averaged one-vs-rest AUC (multiclass). */
export function oneMinusAuc(yTrue: Float64Array, scores: Float64Array, classes: number): number {
  if (classes === 2) {
    const positive = new Float64Array(yTrue.length);
    for (let r = 0; r < positive.length; r++) positive[r] = scores[r * 2 + 1];
    return 1 - rocAucScore(yTrue, positive);
  }
  return 1 - rocAucScore(yTrue, scores, { classes, average: 'macro', multiClass: 'ovr' });
}

/** Root mean squared error (regression). */
export function rmse(yTrue: Float64Array, scores: Float64Array): number {
  return Math.sqrt(meanSquaredError(yTrue, scores));
}

/** Mean cross-entropy (log loss) of the class probabilities. */
export function crossEntropy(yTrue: Float64Array, scores: Float64Array, classes: number): number {
  return logLoss(yTrue, scores, { classes });
}

/**
 * The loss to use and its name: a function as given (named "custom" unless `name` says otherwise),
 * a built-in name, or the default of dalex's `model_parts` for the task: 1 − AUC for a classifier
 * (multiclass: 1 − macro one-vs-rest AUC), RMSE for a regressor.
 */
export function resolveLoss(task: Task, loss: LossName | LossFunction | undefined): { fn: LossFunction; name: string } {
  if (typeof loss === 'function') return { fn: loss, name: loss.name || 'custom' };
  const name = loss ?? (task === 'regression' ? 'rmse' : '1-auc');
  if (name === 'rmse') return { fn: (y, s) => rmse(y, s), name };
  if (task === 'regression')
    throw new ConfigError('INVALID_OPTION', `loss "${name}" needs class probabilities; use "rmse" for regression`, {
      column: 'loss',
      value: name,
      expected: '"rmse" or a function',
    });
  if (name === '1-auc') return { fn: oneMinusAuc, name };
  if (name === 'cross-entropy') return { fn: crossEntropy, name };
  throw new ConfigError('INVALID_OPTION', `unknown loss "${String(name)}"`, {
    column: 'loss',
    value: name,
    expected: '"1-auc", "rmse", "cross-entropy" or a function (yTrue, scores, classes) => number',
  });
}
