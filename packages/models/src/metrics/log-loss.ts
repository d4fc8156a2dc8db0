import { ConfigError, InputError } from '@campaign-ml/core';
import { checkNotEmpty, checkWeights, finiteArray } from './metric-inputs';
import { scoreColumns } from './score-layout';

export interface LogLossOptions {
  /** Probabilities are clipped to [eps, 1 - eps]; 'auto' (default) is the float64 machine epsilon, as scikit-learn 1.2. */
  eps?: number | 'auto';
  /** Mean loss per row (default) or, when false, the (weighted) sum. */
  normalize?: boolean;
  sampleWeight?: ArrayLike<number>;
  /** Number of classes when yPred is a row-major rows x classes matrix (inferred from its length otherwise). */
  classes?: number;
}

/**
 * Cross-entropy loss. yPred is either P(class 1) per row (binary, yTrue in {0, 1}) or a row-major
 * rows x classes probability matrix (yTrue a class index 0..k-1). As scikit-learn 1.2, probabilities
 * are clipped to [eps, 1 - eps] and then each row is renormalized to sum to 1.
 */
export function logLoss(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: LogLossOptions = {}): number {
  const n = yTrue.length;
  checkNotEmpty(n);
  const k = scoreColumns(n, yPred.length, options.classes, 'yPred');
  const t = finiteArray(yTrue, 'yTrue');
  const p = finiteArray(yPred, 'yPred');
  const w = checkWeights(options.sampleWeight, n);
  const eps = options.eps === undefined || options.eps === 'auto' ? Number.EPSILON : options.eps;
  if (!(typeof eps === 'number' && eps >= 0 && eps < 0.5)) {
    throw new ConfigError('INVALID_OPTION', `eps must be 'auto' or a number in [0, 0.5), got ${String(options.eps)}`, {
      value: options.eps,
      expected: "'auto' or a number in [0, 0.5)",
    });
  }
  const classes = k === 1 ? 2 : k;
  const hi = 1 - eps;
  let total = 0;
  let weightSum = 0;
  for (let i = 0; i < n; i++) {
    const y = t[i];
    if (!(Number.isInteger(y) && y >= 0 && y < classes)) {
      throw new InputError(
        'INVALID_LABEL',
        `yTrue[${i}] is ${y}; with ${classes} classes labels must be class indices 0..${classes - 1}`,
        {
          row: i,
          value: y,
          expected: `an integer 0..${classes - 1}`,
        },
      );
    }
    let pTrue: number;
    let rowSum = 0;
    if (k === 1) {
      const p1 = Math.min(Math.max(p[i], eps), hi);
      const p0 = 1 - p1;
      rowSum = p0 + p1;
      pTrue = y === 1 ? p1 : p0;
    } else {
      for (let c = 0; c < k; c++) rowSum += Math.min(Math.max(p[i * k + c], eps), hi);
      pTrue = Math.min(Math.max(p[i * k + y], eps), hi);
    }
    const loss = -Math.log(pTrue / rowSum);
    const wi = w ? w[i] : 1;
    total += loss * wi;
    weightSum += wi;
  }
  return options.normalize === false ? total : total / weightSum;
}
