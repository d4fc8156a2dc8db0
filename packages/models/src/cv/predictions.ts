import { InputError, isClassifier, type FittedModel, type Matrix } from '@campaign-ml/core';

/** What a fitted model said about some rows: probabilities and labels, or regression values. */
export type CvPredictions =
  | {
      task: 'classification';
      /** Number of classes (columns of proba). */
      classes: number;
      /** rows x classes, row-major. */
      proba: Float64Array;
      /** Binary: 1 when P(class 1) >= threshold; multiclass: the most probable class (first on ties). */
      labels: Int32Array;
    }
  | { task: 'regression'; values: Float64Array };

/** Class labels from a probability matrix: a threshold on P(class 1) for two classes, argmax otherwise. */
export function labelsFromProba(proba: Float64Array, rows: number, classes: number, threshold: number): Int32Array {
  const labels = new Int32Array(rows);
  if (classes === 2) {
    for (let r = 0; r < rows; r++) labels[r] = proba[r * 2 + 1] >= threshold ? 1 : 0;
    return labels;
  }
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestP = proba[r * classes];
    for (let c = 1; c < classes; c++) {
      const p = proba[r * classes + c];
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    labels[r] = best;
  }
  return labels;
}

/**
 * Predict rows with a fitted model. A classifier fitted on a fold that lacked the highest classes
 * reports fewer classes; its probabilities are widened to `classes` columns with zeros.
 */
export function predictRows(model: FittedModel, X: Matrix, classes: number, threshold: number): CvPredictions {
  if (!isClassifier(model)) return { task: 'regression', values: Float64Array.from(model.predict(X)) };
  const k = model.classes;
  if (k > classes) {
    throw new InputError(
      'CLASS_MISMATCH',
      `the fitted classifier reports ${k} classes but y holds labels 0..${classes - 1}`,
      {
        value: k,
        expected: `at most ${classes} classes`,
      },
    );
  }
  const raw = model.predictProba(X);
  let proba: Float64Array;
  if (k === classes) {
    proba = Float64Array.from(raw);
  } else {
    proba = new Float64Array(X.rows * classes);
    for (let r = 0; r < X.rows; r++) for (let c = 0; c < k; c++) proba[r * classes + c] = raw[r * k + c];
  }
  return { task: 'classification', classes, proba, labels: labelsFromProba(proba, X.rows, classes, threshold) };
}
