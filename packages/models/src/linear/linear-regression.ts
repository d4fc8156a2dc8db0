import {
  checkSampleWeight,
  checkXy,
  registerLoader,
  type Estimator,
  type FitOptions,
  type Matrix,
} from '@campaign-ml/core';
import { checkNoMissing } from './check-no-missing';
import { FittedLinearRegressor } from './fitted-linear-regressor';
import { centerProblem, solveLeastSquaresQR } from './least-squares';

export interface LinearRegressionParams {
  /** Fit an intercept (centers X and y first). Default true. */
  fitIntercept?: boolean;
}

const KIND = 'models/LinearRegression';

/**
 * Ordinary (optionally weighted) least squares by Householder QR, as scikit-learn's
 * LinearRegression. A column that is an exact combination of others gets coefficient 0.
 *
 * ```ts
 * const model = new LinearRegression().fit(X, y);
 * model.predict(Xtest);
 * ```
 */
export class LinearRegression implements Estimator<FittedLinearRegressor, LinearRegressionParams> {
  readonly params: Readonly<Required<LinearRegressionParams>>;

  constructor(params: LinearRegressionParams = {}) {
    this.params = Object.freeze({ fitIntercept: params.fitIntercept ?? true });
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedLinearRegressor {
    const yy = checkXy(X, y);
    checkNoMissing(X, 'LinearRegression');
    const w = checkSampleWeight(opts.sampleWeight, X.rows);
    const prob = centerProblem(X, yy, w, this.params.fitIntercept);
    const coef = solveLeastSquaresQR(prob.Xc, prob.yc, prob.n, prob.p);
    let intercept = prob.yMean;
    for (let c = 0; c < prob.p; c++) intercept -= prob.xMean[c] * coef[c];
    return new FittedLinearRegressor(KIND, this.params, X.columns, coef, intercept);
  }
}

registerLoader(KIND, FittedLinearRegressor.loader(KIND));
