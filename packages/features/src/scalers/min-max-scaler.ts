import { ConfigError, column } from '@campaign-ml/core';
import type { Matrix, MatrixTransformer } from '@campaign-ml/core';
import { FittedScaler } from './affine-scaler';
import { nanMax, nanMin } from './nan-stats';

export interface MinMaxScalerOptions {
  /** Output range. Default [0, 1]. */
  featureRange?: readonly [number, number];
}

/** Maps each column's fitted [min, max] onto featureRange (scikit-learn's MinMaxScaler); a constant column maps to the range's low end. */
export class MinMaxScaler implements MatrixTransformer<FittedScaler> {
  readonly params: Readonly<Required<MinMaxScalerOptions>>;

  constructor(options: MinMaxScalerOptions = {}) {
    const featureRange = options.featureRange ?? [0, 1];
    if (!(featureRange[0] < featureRange[1])) {
      throw new ConfigError(
        'INVALID_OPTION',
        `featureRange must be [low, high] with low < high, got [${featureRange.join(', ')}]`,
      );
    }
    this.params = Object.freeze({ featureRange });
  }

  fit(X: Matrix): FittedScaler {
    const [lo, hi] = this.params.featureRange;
    const center = new Float64Array(X.cols);
    const factor = new Float64Array(X.cols);
    for (let c = 0; c < X.cols; c++) {
      const values = column(X, c);
      const min = nanMin(values);
      const range = nanMax(values) - min;
      center[c] = min === min ? min : 0;
      factor[c] = range > 0 ? (hi - lo) / range : 1;
    }
    return new FittedScaler('minmax', center, factor, lo, X.columns);
  }
}
