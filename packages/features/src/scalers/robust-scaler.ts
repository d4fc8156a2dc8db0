import { ConfigError, column } from '@campaign-ml/core';
import type { Matrix, MatrixTransformer } from '@campaign-ml/core';
import { FittedScaler } from './affine-scaler';
import { quantileSorted, sortedPresent } from './nan-stats';

export interface RobustScalerOptions {
  /** Percentiles of the scale range. Default [25, 75] (the interquartile range). */
  quantileRange?: readonly [number, number];
}

/** (x - median) / IQR per column (scikit-learn's RobustScaler): resistant to outliers; a zero range gets scale 1. */
export class RobustScaler implements MatrixTransformer<FittedScaler> {
  readonly params: Readonly<Required<RobustScalerOptions>>;

  constructor(options: RobustScalerOptions = {}) {
    const quantileRange = options.quantileRange ?? [25, 75];
    if (!(quantileRange[0] >= 0 && quantileRange[0] < quantileRange[1] && quantileRange[1] <= 100)) {
      throw new ConfigError(
        'INVALID_OPTION',
        `quantileRange must be [low, high] percentiles with 0 <= low < high <= 100`,
      );
    }
    this.params = Object.freeze({ quantileRange });
  }

  fit(X: Matrix): FittedScaler {
    const [qlo, qhi] = this.params.quantileRange;
    const center = new Float64Array(X.cols);
    const factor = new Float64Array(X.cols);
    for (let c = 0; c < X.cols; c++) {
      const sorted = sortedPresent(column(X, c));
      const median = quantileSorted(sorted, 0.5);
      const range = quantileSorted(sorted, qhi / 100) - quantileSorted(sorted, qlo / 100);
      center[c] = median === median ? median : 0;
      factor[c] = range > 0 ? 1 / range : 1;
    }
    return new FittedScaler('robust', center, factor, 0, X.columns);
  }
}
