import { InputError } from '@campaign-ml/core';
import { finiteArray } from './metric-inputs';
import { binaryInputs, type CurveOptions } from './roc-curve';
import { scoreColumn } from './score-layout';

/** Probabilities must lie in [0, 1]. */
export function checkProbabilities(p: Float64Array, name: string): void {
  for (let i = 0; i < p.length; i++) {
    if (p[i] < 0 || p[i] > 1) {
      throw new InputError('NOT_PROBABILITIES', `${name}[${i}] is ${p[i]}; probabilities must lie in [0, 1]`, {
        row: i,
        value: p[i],
        expected: 'a number in [0, 1]',
      });
    }
  }
}

/**
 * Mean squared difference between P(positive) and the outcome (1 for posLabel, else 0); lower is better.
 * yProb is one probability per row, or a row-major rows x 2 matrix (column posLabel is used).
 */
export function brierScoreLoss(yTrue: ArrayLike<number>, yProb: ArrayLike<number>, options: CurveOptions = {}): number {
  const n = yTrue.length;
  const prob =
    yProb.length === 2 * n && n > 0 ? scoreColumn(finiteArray(yProb, 'yProb'), n, 2, options.posLabel ?? 1) : yProb;
  const { t, s, w, posLabel } = binaryInputs(yTrue, prob, options);
  checkProbabilities(s, 'yProb');
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = (t[i] === posLabel ? 1 : 0) - s[i];
    const wi = w ? w[i] : 1;
    num += d * d * wi;
    den += wi;
  }
  return num / den;
}
