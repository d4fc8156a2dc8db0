import { type FittedModel, type Matrix, InputError, isClassifier } from '@campaign-ml/core';

/** Scores a fitted model on data; higher is better (e.g. accuracy, ROC AUC, R², minus RMSE). */
export type Scorer = (model: FittedModel, X: Matrix, y: ArrayLike<number>) => number;

/** Default scorer: accuracy for classifiers, R² for regressors. Pass e.g. a ROC AUC scorer for ranking tasks. */
export const defaultScorer: Scorer = (model, X, y) => {
  if (isClassifier(model)) {
    const p = model.predict(X);
    let hit = 0;
    for (let i = 0; i < y.length; i++) if (p[i] === y[i]) hit++;
    return hit / y.length;
  }
  const p = model.predict(X);
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= y.length;
  let ssr = 0;
  let sst = 0;
  for (let i = 0; i < y.length; i++) {
    ssr += (y[i] - p[i]) ** 2;
    sst += (y[i] - mean) ** 2;
  }
  return sst > 0 ? 1 - ssr / sst : 0;
};

/** A fitted model that reports per-feature importances in one of the usual ways. */
interface WithImportances {
  featureImportances?: (() => ArrayLike<number>) | ArrayLike<number>;
  coef?: ArrayLike<number>;
}

/**
 * Importances of a fitted model: `featureImportances()` (trees), else |coef| (linear models;
 * for a classes × features coefficient matrix, the L1 norm over classes, as scikit-learn).
 */
export function modelImportances(model: FittedModel, cols: number): Float64Array {
  const m = model as unknown as WithImportances;
  let raw: ArrayLike<number> | undefined;
  if (typeof m.featureImportances === 'function') raw = m.featureImportances();
  else if (m.featureImportances && typeof m.featureImportances === 'object') raw = m.featureImportances;
  if (raw && raw.length === cols) return Float64Array.from(raw);
  const coef = m.coef;
  if (coef && coef.length > 0 && coef.length % cols === 0) {
    const out = new Float64Array(cols);
    for (let i = 0; i < coef.length; i++) out[i % cols] += Math.abs(coef[i]);
    return out;
  }
  throw new InputError(
    'NO_IMPORTANCES',
    `the fitted model exposes no featureImportances() or coef for ${cols} features; use a tree or linear model, or importance: 'permutation'`,
    { expected: 'featureImportances() or coef' },
  );
}
