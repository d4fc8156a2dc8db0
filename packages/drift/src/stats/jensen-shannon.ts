import { InputError } from '@campaign-ml/core';
import { checkSameLength, toShares } from './shares';

/**
 * Jensen-Shannon distance (the square root of the divergence) between two distributions over the
 * same bins, given as counts or shares, as scipy.spatial.distance.jensenshannon(p, q, base):
 * with m = (p + q) / 2, sqrt((KL(p || m) + KL(q || m)) / 2), natural log unless `base` is given.
 * Empty bins need no fill (0 log 0 = 0). Bounded: at most sqrt(ln 2) = 0.8326 in base e and 1 in
 * base 2. The base matters for thresholds: base-2 values are base-e values x 1.2011, so
 * Evidently's 0.1 (base e) and NannyML's (base 2) are different cut-offs.
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>, base?: number): number {
  checkSameLength(p, q, ['p', 'q']);
  if (base !== undefined && !(base > 0 && base !== 1)) {
    throw new InputError('INVALID_OPTION', `jensenShannon base must be positive and not 1 (got ${base})`, {
      value: base,
      expected: 'e.g. 2 or Math.E',
    });
  }
  const a = toShares(p, 'p');
  const b = toShares(q, 'q');
  let left = 0;
  let right = 0;
  for (let i = 0; i < a.length; i++) {
    const m = (a[i] + b[i]) / 2;
    if (a[i] > 0) left += a[i] * Math.log(a[i] / m);
    if (b[i] > 0) right += b[i] * Math.log(b[i] / m);
  }
  let js = left + right;
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(Math.max(0, js / 2));
}
