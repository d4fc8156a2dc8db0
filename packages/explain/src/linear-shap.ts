import { ConfigError, InputError, checkPredictColumns, type Matrix } from '@campaign-ml/core';
import { FittedLinearRegressor, FittedLogisticRegression } from '@campaign-ml/models';
import { expectedOf, type ShapValues } from './shap-values';

export type LinearModel = FittedLogisticRegression | FittedLinearRegressor;

/**
 * Exact SHAP values of a linear model with independent features (shap's LinearExplainer):
 * φ_i = w_i (x_i − mean_i), in the model's linear (margin) space: log-odds for a logistic
 * regression (per class for a multinomial one), the value for a linear regression. The means come
 * from `background` rows or are given as `means`.
 */
export function linearShap(
  model: LinearModel,
  X: Matrix,
  options: { background?: Matrix; means?: ArrayLike<number> },
): ShapValues {
  if (!(model instanceof FittedLogisticRegression) && !(model instanceof FittedLinearRegressor)) {
    throw new InputError('UNSUPPORTED_MODEL', 'linearShap explains logistic and linear regressions', {
      value: (model as { kind?: string })?.kind,
      expected: 'a FittedLogisticRegression or FittedLinearRegressor',
    });
  }
  checkPredictColumns(X, model.columns);
  const F = X.cols;
  let means: Float64Array;
  if (options.means) means = Float64Array.from(options.means);
  else if (options.background && options.background.rows > 0) {
    const B = options.background;
    checkPredictColumns(B, model.columns);
    means = new Float64Array(F);
    for (let c = 0; c < F; c++) {
      let s = 0;
      for (let r = 0; r < B.rows; r++) s += B.data[c * B.rows + r];
      means[c] = s / B.rows;
    }
  } else {
    throw new ConfigError('INVALID_OPTION', 'linearShap needs background rows or feature means', {
      column: 'background',
      expected: 'a Matrix with rows, or means (one per feature)',
    });
  }
  if (means.length !== F) {
    throw new ConfigError('INVALID_OPTION', `means has ${means.length} entries for ${F} features`, {
      column: 'means',
      value: means.length,
      expected: `${F} numbers`,
    });
  }
  const coef = model.coef;
  const intercept = model instanceof FittedLogisticRegression ? model.intercept : new Float64Array([model.intercept]);
  const K = intercept.length;
  const n = X.rows;
  const values = new Float64Array(n * F * K);
  const base = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    base[k] = intercept[k];
    for (let c = 0; c < F; c++) base[k] += coef[k * F + c] * means[c];
  }
  for (let c = 0; c < F; c++) {
    for (let k = 0; k < K; k++) {
      const w = coef[k * F + c];
      for (let r = 0; r < n; r++) values[(r * F + c) * K + k] = w * (X.data[c * n + r] - means[c]);
    }
  }
  return { values, expectedValue: expectedOf(base), output: 'margin', rows: n, features: [...X.columns], outputs: K };
}
