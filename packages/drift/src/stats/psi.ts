import { checkSameLength, toShares } from './shares';

export interface PsiOptions {
  /**
   * What replaces a zero share before the logarithm (PSI is infinite otherwise), on each side
   * separately:
   *  - 'evidently' (default): the smallest non-zero share of that side divided by 10^6 when it is
   *    at most 1e-4, else 1e-4 (Evidently's get_binned_data);
   *  - a number: that share.
   * The rule applies to every zero, as in Evidently, so a bin empty on both sides can add a little
   * when the two sides' fills differ; leave such bins out when that matters (drift reports do).
   */
  zeroShare?: 'evidently' | number;
}

/**
 * Population stability index, sum_i (r_i - c_i) ln(r_i / c_i), of two binned distributions over
 * the same bins, given as counts or shares (each side is normalized to 1 first).
 *
 * The zero-share rule decides what an empty bin costs: with the default, a new category that
 * holds 1% of current rows against an empty reference bin adds about (0.01 - 1e-4) ln(100) = 0.046.
 * Conventions: < 0.1 stable, 0.1-0.25 moderate shift, > 0.25 large (Evidently's threshold is 0.1).
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, options: PsiOptions = {}): number {
  checkSameLength(reference, current, ['reference', 'current']);
  const r = fillZeros(toShares(reference, 'reference'), options.zeroShare ?? 'evidently');
  const c = fillZeros(toShares(current, 'current'), options.zeroShare ?? 'evidently');
  let sum = 0;
  for (let i = 0; i < r.length; i++) sum += (r[i] - c[i]) * Math.log(r[i] / c[i]);
  return sum;
}

function fillZeros(shares: Float64Array, rule: 'evidently' | number): Float64Array {
  let fill = typeof rule === 'number' ? rule : 0;
  if (rule === 'evidently') {
    let min = Infinity;
    for (const s of shares) if (s > 0 && s < min) min = s;
    fill = min <= 1e-4 ? min / 1e6 : 1e-4;
  }
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
  return shares;
}
