import { chi2Contingency } from './stats/chi2-contingency';
import { psi } from './stats/psi';

/** Thresholds of the robust test: a column drifts when BOTH are passed. */
export interface RobustThresholds {
  /** Significance level of the chi-square test. Default 0.05. */
  pValue: number;
  /** PSI at or above which a shift is large enough to matter. Default 0.1 (0.1-0.25 "moderate", > 0.25 "large"). */
  psi: number;
}

export const ROBUST_DEFAULTS: RobustThresholds = { pValue: 0.05, psi: 0.1 };

export interface TestResult {
  /** The test that produced `pValue` (and `statistic`), in words. */
  test: string;
  statistic: number;
  /** null for distance-only tests (Evidently's Wasserstein and Jensen-Shannon). */
  pValue: number | null;
  /** Effect size beside the p-value: how far apart the distributions are, whatever the sample size. */
  effect: { name: string; value: number };
  /** The drift score Evidently compares with its threshold (p-value or distance); robust: the PSI. */
  score: number;
  threshold: { pValue?: number; effect?: number };
  drifted: boolean;
}

/**
 * The robust test of one column: chi-square homogeneity test of reference counts (bundle shares x
 * training rows) against current counts over the frozen bins, and PSI over the same bins as the
 * effect size. Significance alone flags every trivial shift once samples are large (a 1M-row
 * window detects a 0.3% change at p < 1e-10); effect alone flags noise in small windows. Both
 * must agree. Bins empty on both sides are left out (they carry no information, and scipy's
 * test refuses them).
 */
export function robustTest(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  thresholds: RobustThresholds = ROBUST_DEFAULTS,
): TestResult {
  const ref: number[] = [];
  const cur: number[] = [];
  let refTotal = 0;
  let curTotal = 0;
  for (let i = 0; i < reference.length; i++) {
    if (reference[i] === 0 && current[i] === 0) continue;
    ref.push(reference[i]);
    cur.push(current[i]);
    refTotal += reference[i];
    curTotal += current[i];
  }
  const threshold = { pValue: thresholds.pValue, effect: thresholds.psi };
  if (refTotal === 0 || curTotal === 0) {
    return {
      test: 'chi-square (frozen bins)',
      statistic: NaN,
      pValue: null,
      effect: { name: 'psi', value: NaN },
      score: NaN,
      threshold,
      drifted: false,
    };
  }
  const { statistic, pValue } = ref.length < 2 ? { statistic: 0, pValue: 1 } : chi2Contingency([ref, cur]);
  const value = psi(ref, cur);
  return {
    test: 'chi-square (frozen bins)',
    statistic,
    pValue,
    effect: { name: 'psi', value },
    score: value,
    threshold,
    drifted: pValue < thresholds.pValue && value >= thresholds.psi,
  };
}
