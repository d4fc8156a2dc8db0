import { ConfigError } from '@campaign-ml/core';
import { checkProbabilities } from './brier-score-loss';
import { binaryInputs } from './roc-curve';

export interface CalibrationCurveOptions {
  /** Number of bins over [0, 1] (default 5). */
  nBins?: number;
  /** 'uniform' (default): equal-width bins; 'quantile': bins holding about the same number of rows. */
  strategy?: 'uniform' | 'quantile';
  posLabel?: number;
}

export interface CalibrationCurve {
  /** Fraction of positives in each non-empty bin. */
  probTrue: Float64Array;
  /** Mean predicted probability in each non-empty bin. */
  probPred: Float64Array;
  /** Rows in each non-empty bin. */
  counts: Float64Array;
}

/** numpy's linear-interpolation percentile of sorted values at fraction q (same rounding). */
function quantileSorted(a: Float64Array, q: number): number {
  const n = a.length;
  const virtual = (n - 1) * q;
  if (virtual >= n - 1) return a[n - 1];
  const prev = Math.floor(virtual);
  const gamma = virtual - prev;
  const diff = a[prev + 1] - a[prev];
  return gamma >= 0.5 ? a[prev + 1] - diff * (1 - gamma) : a[prev] + diff * gamma;
}

/**
 * Reliability diagram data for binary probabilities, as scikit-learn 1.2's `calibration_curve`:
 * empty bins are left out. A probability on an inner edge falls in the lower bin.
 */
export function calibrationCurve(
  yTrue: ArrayLike<number>,
  yProb: ArrayLike<number>,
  options: CalibrationCurveOptions = {},
): CalibrationCurve {
  const nBins = options.nBins ?? 5;
  const strategy = options.strategy ?? 'uniform';
  if (!Number.isInteger(nBins) || nBins < 1) {
    throw new ConfigError('INVALID_OPTION', `nBins must be an integer >= 1, got ${nBins}`, {
      value: nBins,
      expected: 'an integer >= 1',
    });
  }
  if (strategy !== 'uniform' && strategy !== 'quantile') {
    throw new ConfigError('INVALID_OPTION', `strategy must be 'uniform' or 'quantile', got ${String(strategy)}`, {
      value: strategy,
      expected: "'uniform' | 'quantile'",
    });
  }
  const { t, s, posLabel } = binaryInputs(yTrue, yProb, { posLabel: options.posLabel });
  checkProbabilities(s, 'yProb');
  const step = 1 / nBins;
  const edges = new Float64Array(nBins + 1);
  const sorted = strategy === 'quantile' ? Float64Array.from(s).sort() : undefined;
  for (let i = 0; i <= nBins; i++) {
    const q = i === nBins ? 1 : i * step;
    edges[i] = sorted ? quantileSorted(sorted, (q * 100) / 100) : q;
  }
  const sums = new Float64Array(nBins);
  const trues = new Float64Array(nBins);
  const totals = new Float64Array(nBins);
  for (let r = 0; r < s.length; r++) {
    // searchsorted(edges[1:-1], p, side='left'): the number of inner edges strictly below p.
    let lo = 1;
    let hi = nBins;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid] < s[r]) lo = mid + 1;
      else hi = mid;
    }
    const bin = lo - 1;
    sums[bin] += s[r];
    if (t[r] === posLabel) trues[bin] += 1;
    totals[bin] += 1;
  }
  const probTrue: number[] = [];
  const probPred: number[] = [];
  const counts: number[] = [];
  for (let b = 0; b < nBins; b++) {
    if (totals[b] === 0) continue;
    probTrue.push(trues[b] / totals[b]);
    probPred.push(sums[b] / totals[b]);
    counts.push(totals[b]);
  }
  return {
    probTrue: Float64Array.from(probTrue),
    probPred: Float64Array.from(probPred),
    counts: Float64Array.from(counts),
  };
}
