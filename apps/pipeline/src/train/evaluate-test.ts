import { isClassifier, type FittedModel, type Matrix } from '@campaign-ml/core';
import { classificationMetrics, regressionMetrics, type Metrics } from '../metrics';

export interface TestEvaluation {
  metrics: Metrics;
  /** Probabilities (rows x classes, row-major) or predicted values of the test rows. */
  scores: Float64Array;
}

/**
 * The evaluate stage: a fitted model's metrics on the test part, which nothing was fitted or
 * chosen on. Classifiers cut P(positive) at `threshold` (binary) for the label metrics.
 */
export function evaluateTest(
  model: FittedModel,
  Xtest: Matrix,
  yTest: Float64Array,
  classes: number,
  threshold = 0.5,
): TestEvaluation {
  if (isClassifier(model)) {
    const proba = model.predictProba(Xtest);
    return { metrics: classificationMetrics(yTest, proba, classes, threshold), scores: proba };
  }
  const pred = model.predict(Xtest);
  return { metrics: regressionMetrics(yTest, pred), scores: pred };
}
