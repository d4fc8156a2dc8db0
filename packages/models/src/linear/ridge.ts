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
import { centerProblem, solveRidgeCholesky } from './least-squares';
import { checkNumber } from './param-checks';

export interface RidgeParams {
  /** L2 strength: minimizes Σ wᵢ(yᵢ − xᵢβ − b)² + alpha·‖β‖² (intercept not penalized). Default 1. */
  alpha?: number;
  /** Fit an intercept. Default true. */
  fitIntercept?: boolean;
}

const KIND = 'models/Ridge';

/**
 * Ridge regression in closed form (Cholesky of XᵀX + αI on centered data), as scikit-learn's Ridge.
 *
 * ```ts
 * const model = new Ridge({ alpha: 10 }).fit(X, y);
 * ```
 */
export class Ridge implements Estimator<FittedLinearRegressor, RidgeParams> {
  readonly params: Readonly<Required<RidgeParams>>;

  constructor(params: RidgeParams = {}) {
    this.params = Object.freeze({
      alpha: checkNumber('Ridge', 'alpha', params.alpha ?? 1, 0, Infinity),
      fitIntercept: params.fitIntercept ?? true,
    });
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedLinearRegressor {
    const yy = checkXy(X, y);
    checkNoMissing(X, 'Ridge');
    const w = checkSampleWeight(opts.sampleWeight, X.rows);
    const prob = centerProblem(X, yy, w, this.params.fitIntercept);
    const coef = solveRidgeCholesky(prob.Xc, prob.yc, prob.n, prob.p, this.params.alpha);
    let intercept = prob.yMean;
    for (let c = 0; c < prob.p; c++) intercept -= prob.xMean[c] * coef[c];
    return new FittedLinearRegressor(KIND, this.params, X.columns, coef, intercept);
  }
}

registerLoader(KIND, FittedLinearRegressor.loader(KIND));
