import { checkPair, checkWeights } from './metric-inputs';

export interface RegressionMetricOptions {
  sampleWeight?: ArrayLike<number>;
}

function weightedAverage(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: RegressionMetricOptions,
  f: (t: number, p: number) => number,
): number {
  const [t, p] = checkPair(yTrue, yPred);
  const w = checkWeights(options.sampleWeight, t.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < t.length; i++) {
    const wi = w ? w[i] : 1;
    num += f(t[i], p[i]) * wi;
    den += wi;
  }
  return num / den;
}

const squared = (t: number, p: number): number => (t - p) * (t - p);
const absolute = (t: number, p: number): number => Math.abs(t - p);
const absolutePercentage = (t: number, p: number): number => Math.abs(p - t) / Math.max(Math.abs(t), Number.EPSILON);

/** Mean of (yTrue - yPred)^2. */
export function meanSquaredError(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: RegressionMetricOptions = {},
): number {
  return weightedAverage(yTrue, yPred, options, squared);
}

/** Square root of the mean squared error, in the target's units. */
export function rootMeanSquaredError(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: RegressionMetricOptions = {},
): number {
  return Math.sqrt(meanSquaredError(yTrue, yPred, options));
}

/** Mean of |yTrue - yPred|. */
export function meanAbsoluteError(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: RegressionMetricOptions = {},
): number {
  return weightedAverage(yTrue, yPred, options, absolute);
}

/**
 * Mean of |yPred - yTrue| / max(|yTrue|, machine epsilon), as a fraction (not times 100), as
 * scikit-learn: a zero target gives a huge error rather than Infinity.
 */
export function meanAbsolutePercentageError(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: RegressionMetricOptions = {},
): number {
  return weightedAverage(yTrue, yPred, options, absolutePercentage);
}

/**
 * Coefficient of determination 1 - SS_res / SS_tot. As scikit-learn: 1 for a perfect fit, 0 for an
 * imperfect fit of a constant target, NaN with fewer than two rows.
 */
export function r2Score(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: RegressionMetricOptions = {},
): number {
  const [t, p] = checkPair(yTrue, yPred);
  const w = checkWeights(options.sampleWeight, t.length);
  if (t.length < 2) return NaN;
  let mean = 0;
  let sw = 0;
  for (let i = 0; i < t.length; i++) {
    const wi = w ? w[i] : 1;
    mean += t[i] * wi;
    sw += wi;
  }
  mean /= sw;
  let num = 0;
  let den = 0;
  for (let i = 0; i < t.length; i++) {
    const wi = w ? w[i] : 1;
    num += wi * (t[i] - p[i]) * (t[i] - p[i]);
    den += wi * (t[i] - mean) * (t[i] - mean);
  }
  if (num === 0) return 1;
  if (den === 0) return 0;
  return 1 - num / den;
}
