import { checkSameLength, toShares } from './shares';

/**
 * Hellinger distance between two distributions over the same bins (counts or shares):
 * sqrt(1 - sum_i sqrt(p_i q_i)), in [0, 1] (the Bhattacharyya coefficient is clipped to [0, 1]
 * against rounding), as Evidently's and NannyML's hellinger. Like Jensen-Shannon it needs no fill
 * for empty bins; it weighs small bins more than JS does.
 */
export function hellingerDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  checkSameLength(p, q, ['p', 'q']);
  const a = toShares(p, 'p');
  const b = toShares(q, 'q');
  let bc = 0;
  for (let i = 0; i < a.length; i++) bc += Math.sqrt(a[i] * b[i]);
  return Math.sqrt(1 - Math.min(1, Math.max(0, bc)));
}
