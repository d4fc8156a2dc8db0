import { ConfigError } from '@campaign-ml/core';
import {
  accuracyScore,
  averagePrecisionScore,
  balancedAccuracyScore,
  brierScoreLoss,
  f1Score,
  logLoss,
  matthewsCorrcoef,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  precisionScore,
  r2Score,
  recallScore,
  rocAucScore,
  rootMeanSquaredError,
  specificityScore,
} from '../metrics';
import type { CvPredictions } from './predictions';

/** A metric computed from a fold's predictions. */
export interface CvScorer {
  name: string;
  /** Which predictions it needs; 'any' for custom scorers that handle both. */
  task: 'classification' | 'regression' | 'any';
  /** Only meaningful with two classes. */
  binaryOnly?: boolean;
  /** True for scores (higher is better), false for losses. */
  greaterIsBetter: boolean;
  score(yTrue: Float64Array, predictions: CvPredictions): number;
}

/** A user metric for cross-validation. */
export interface CustomScorer {
  name: string;
  score(yTrue: Float64Array, predictions: CvPredictions): number;
  greaterIsBetter?: boolean;
}

type Pred<T extends CvPredictions['task']> = Extract<CvPredictions, { task: T }>;

function cls(
  name: string,
  greaterIsBetter: boolean,
  f: (y: Float64Array, p: Pred<'classification'>) => number,
  binaryOnly = false,
): CvScorer {
  return {
    name,
    task: 'classification',
    greaterIsBetter,
    binaryOnly,
    score: (y, p) => f(y, p as Pred<'classification'>),
  };
}

function reg(name: string, greaterIsBetter: boolean, f: (y: Float64Array, v: Float64Array) => number): CvScorer {
  return { name, task: 'regression', greaterIsBetter, score: (y, p) => f(y, (p as Pred<'regression'>).values) };
}

/** Probability of class 1 per row (binary). */
function positive(p: Pred<'classification'>): Float64Array {
  const n = p.labels.length;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) out[r] = p.proba[r * p.classes + 1];
  return out;
}

/** Ranking scores: P(class 1) for two classes, the whole matrix otherwise. */
const ranking = (p: Pred<'classification'>): Float64Array => (p.classes === 2 ? positive(p) : p.proba);

const SCORERS: Record<string, CvScorer> = {
  accuracy: cls('accuracy', true, (y, p) => accuracyScore(y, p.labels)),
  balancedAccuracy: cls('balancedAccuracy', true, (y, p) => balancedAccuracyScore(y, p.labels)),
  precision: cls('precision', true, (y, p) => precisionScore(y, p.labels), true),
  recall: cls('recall', true, (y, p) => recallScore(y, p.labels), true),
  f1: cls('f1', true, (y, p) => f1Score(y, p.labels), true),
  specificity: cls('specificity', true, (y, p) => specificityScore(y, p.labels), true),
  precisionMacro: cls('precisionMacro', true, (y, p) => precisionScore(y, p.labels, { average: 'macro' })),
  recallMacro: cls('recallMacro', true, (y, p) => recallScore(y, p.labels, { average: 'macro' })),
  f1Macro: cls('f1Macro', true, (y, p) => f1Score(y, p.labels, { average: 'macro' })),
  f1Weighted: cls('f1Weighted', true, (y, p) => f1Score(y, p.labels, { average: 'weighted' })),
  f1Micro: cls('f1Micro', true, (y, p) => f1Score(y, p.labels, { average: 'micro' })),
  mcc: cls('mcc', true, (y, p) => matthewsCorrcoef(y, p.labels)),
  rocAuc: cls('rocAuc', true, (y, p) => rocAucScore(y, ranking(p), p.classes > 2 ? { classes: p.classes } : {})),
  rocAucWeighted: cls('rocAucWeighted', true, (y, p) =>
    rocAucScore(y, ranking(p), p.classes > 2 ? { classes: p.classes, average: 'weighted' } : {}),
  ),
  averagePrecision: cls('averagePrecision', true, (y, p) =>
    averagePrecisionScore(y, ranking(p), p.classes > 2 ? { classes: p.classes } : {}),
  ),
  logLoss: cls('logLoss', false, (y, p) => logLoss(y, p.proba, { classes: p.classes })),
  brier: cls('brier', false, (y, p) => brierScoreLoss(y, positive(p)), true),
  mse: reg('mse', false, meanSquaredError),
  rmse: reg('rmse', false, rootMeanSquaredError),
  mae: reg('mae', false, meanAbsoluteError),
  mape: reg('mape', false, meanAbsolutePercentageError),
  r2: reg('r2', true, r2Score),
};

/** Built-in metric names accepted by crossValidate. */
export type MetricName =
  | 'accuracy'
  | 'balancedAccuracy'
  | 'precision'
  | 'recall'
  | 'f1'
  | 'specificity'
  | 'precisionMacro'
  | 'recallMacro'
  | 'f1Macro'
  | 'f1Weighted'
  | 'f1Micro'
  | 'mcc'
  | 'rocAuc'
  | 'rocAucWeighted'
  | 'averagePrecision'
  | 'logLoss'
  | 'brier'
  | 'mse'
  | 'rmse'
  | 'mae'
  | 'mape'
  | 'r2';

export const METRIC_NAMES = Object.keys(SCORERS) as MetricName[];

/** The scorer for a built-in name or a custom metric; ConfigError for an unknown name. */
export function resolveScorer(metric: MetricName | CustomScorer): CvScorer {
  if (typeof metric === 'string') {
    const s = Object.prototype.hasOwnProperty.call(SCORERS, metric) ? SCORERS[metric] : undefined;
    if (!s) {
      throw new ConfigError(
        'UNKNOWN_METRIC',
        `unknown metric "${metric}"; use one of ${METRIC_NAMES.join(', ')} or pass { name, score }`,
        {
          value: metric,
          expected: `one of ${METRIC_NAMES.join(', ')}`,
        },
      );
    }
    return s;
  }
  if (!metric || typeof metric.name !== 'string' || typeof metric.score !== 'function') {
    throw new ConfigError(
      'INVALID_METRIC',
      'a custom metric must be { name: string, score(yTrue, predictions): number }',
      {
        expected: '{ name, score }',
      },
    );
  }
  return { name: metric.name, task: 'any', greaterIsBetter: metric.greaterIsBetter ?? true, score: metric.score };
}

/** Default metrics when none are given. */
export function defaultMetrics(task: 'binary' | 'multiclass' | 'regression'): MetricName[] {
  if (task === 'binary') return ['rocAuc', 'logLoss', 'accuracy', 'f1'];
  if (task === 'multiclass') return ['accuracy', 'logLoss', 'f1Macro', 'rocAuc'];
  return ['rmse', 'mae', 'r2'];
}
