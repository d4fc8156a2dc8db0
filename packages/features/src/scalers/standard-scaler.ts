import type { Matrix, MatrixTransformer } from '@campaign-ml/core';
import { column } from '@campaign-ml/core';
import { FittedScaler } from './affine-scaler';
import { nanMeanStd } from './nan-stats';

export interface StandardScalerOptions {
  withMean?: boolean;
  withStd?: boolean;
}

/**
 * (x - mean) / std per column, like scikit-learn's StandardScaler: population std, NaN ignored
 * when fitting and kept in the output; a constant column gets std 1.
 */
export class StandardScaler implements MatrixTransformer<FittedScaler> {
  readonly params: Readonly<Required<StandardScalerOptions>>;

  constructor(options: StandardScalerOptions = {}) {
    this.params = Object.freeze({ withMean: options.withMean ?? true, withStd: options.withStd ?? true });
  }

  fit(X: Matrix): FittedScaler {
    const center = new Float64Array(X.cols);
    const factor = new Float64Array(X.cols);
    for (let c = 0; c < X.cols; c++) {
      const { mean, std } = nanMeanStd(column(X, c));
      center[c] = this.params.withMean && mean === mean ? mean : 0;
      factor[c] = this.params.withStd && std > 0 ? 1 / std : 1;
    }
    return new FittedScaler('standard', center, factor, 0, X.columns);
  }
}
