import { InputError } from '@campaign-ml/core';
import { normalTwoSided } from './regularized-gamma';

export interface ZTestResult {
  /** z = (p1 - p2) / sqrt(P (1 - P) (1/n1 + 1/n2)), P the pooled share. */
  statistic: number;
  /** Two-sided, 2 P(Z > |z|). */
  pValue: number;
  /** Cohen's h = 2 asin sqrt(p1) - 2 asin sqrt(p2): 0.2 small, 0.5 medium, 0.8 large. */
  effectSize: number;
}

/**
 * Pooled two-proportion Z-test: `count1` of `n1` against `count2` of `n2` (Evidently's z test for
 * two-valued columns). When both samples hold a single and the same value (pooled share 0 or 1)
 * there is nothing to test: z = 0 and p = 1, as Evidently returns.
 *
 * The p-value is 2 P(Z > |z|) computed in the tail (normalTwoSided), not 2 (1 - Phi(|z|)) as
 * Evidently writes it; the two agree to 1e-16 until |z| > 8, where Evidently's becomes 0.
 */
export function zTestProportions(count1: number, n1: number, count2: number, n2: number): ZTestResult {
  for (const [name, count, n] of [
    ['1', count1, n1],
    ['2', count2, n2],
  ] as const) {
    if (!(n > 0) || !(count >= 0) || count > n) {
      throw new InputError(
        'INVALID_PROPORTION',
        `sample ${name}: ${count} of ${n} is not a proportion; need n > 0 and 0 <= count <= n`,
        {
          value: count,
          expected: `a count between 0 and ${n}`,
        },
      );
    }
  }
  const p1 = count1 / n1;
  const p2 = count2 / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const effectSize = 2 * Math.asin(Math.sqrt(p1)) - 2 * Math.asin(Math.sqrt(p2));
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return { statistic: 0, pValue: 1, effectSize };
  const statistic = (p1 - p2) / se;
  return { statistic, pValue: normalTwoSided(statistic), effectSize };
}
