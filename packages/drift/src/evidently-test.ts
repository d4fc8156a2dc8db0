import { evidentlyBinnedShares, unionValueCounts, type Values } from './evidently-bins';
import type { TestResult } from './robust-test';
import { chiSquare } from './stats/chi-square';
import { hellingerDistance } from './stats/hellinger-distance';
import { jensenShannon } from './stats/jensen-shannon';
import { ks2SampSorted } from './stats/ks-2samp';
import { sortFloat64 } from '@campaign-ml/core';
import { wassersteinSorted, populationStd } from './stats/wasserstein-distance';
import { zTestProportions } from './stats/z-test-proportions';

export type EvidentlyTestName = 'ks' | 'wasserstein' | 'chisquare' | 'z' | 'jensenshannon' | 'psi' | 'hellinger';

/** Evidently's default thresholds: p-value tests 0.05, distances 0.1 (PSI too). */
export const EVIDENTLY_THRESHOLDS: Record<EvidentlyTestName, number> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
  hellinger: 0.1,
};

/**
 * Evidently's default test for a column (registry._get_default_stattest), from n = reference rows
 * after missing values are dropped and u = distinct values of reference and current together:
 *
 *   | column      | n <= 1000                         | n > 1000                 |
 *   | numerical   | u <= 5: chi-square if u > 2 else Z | u <= 5: Jensen-Shannon  |
 *   |             | u > 5: KS                          | u > 5: Wasserstein normed|
 *   | categorical | chi-square if u > 2 else Z         | Jensen-Shannon           |
 */
export function evidentlyDefaultTest(kind: 'numerical' | 'categorical', n: number, u: number): EvidentlyTestName {
  if (n <= 1000) {
    if (kind === 'numerical' && u > 5) return 'ks';
    return u > 2 ? 'chisquare' : 'z';
  }
  if (kind === 'numerical' && u > 5) return 'wasserstein';
  return 'jensenshannon';
}

/** Sorted copy of numeric values (they arrive without NaN). */
function sorted(values: Float64Array): Float64Array {
  return sortFloat64(values.slice());
}

/**
 * One column the way Evidently tests it: the same test, the same binning, the same direction of
 * the threshold (KS p <= 0.05; chi-square and Z p < 0.05; distances >= 0.1). `reference` and
 * `current` hold the non-missing values. The effect size beside a p-value is reported, not used:
 * KS's D, Cramer's V for chi-square, Cohen's h for Z.
 */
export function evidentlyTest(
  test: EvidentlyTestName,
  kind: 'numerical' | 'categorical',
  reference: Values,
  current: Values,
  threshold = EVIDENTLY_THRESHOLDS[test],
): TestResult {
  const numerical = kind === 'numerical';
  switch (test) {
    case 'ks': {
      const r = ks2SampSorted(sorted(reference as Float64Array), sorted(current as Float64Array));
      return {
        test: 'K-S p_value',
        statistic: r.statistic,
        pValue: r.pValue,
        effect: { name: 'ks D', value: r.statistic },
        score: r.pValue,
        threshold: { pValue: threshold },
        drifted: r.pValue <= threshold,
      };
    }
    case 'wasserstein': {
      const ref = sorted(reference as Float64Array);
      const value = wassersteinSorted(ref, sorted(current as Float64Array)) / Math.max(populationStd(ref), 0.001);
      return distance('Wasserstein distance (normed)', 'wasserstein normed', value, threshold);
    }
    case 'jensenshannon': {
      const b = evidentlyBinnedShares(reference, current, numerical, false);
      return distance('Jensen-Shannon distance', 'jensen-shannon', jensenShannon(b.reference, b.current), threshold);
    }
    case 'psi': {
      // On the filled shares as they are (Evidently does not renormalize after the fill).
      const b = evidentlyBinnedShares(reference, current, numerical, true);
      let value = 0;
      for (let k = 0; k < b.reference.length; k++)
        value += (b.reference[k] - b.current[k]) * Math.log(b.reference[k] / b.current[k]);
      return distance('PSI', 'psi', value, threshold);
    }
    case 'hellinger': {
      const b = evidentlyBinnedShares(reference, current, numerical, false);
      return distance('Hellinger distance', 'hellinger', hellingerDistance(b.reference, b.current), threshold);
    }
    case 'chisquare': {
      // f_exp = reference counts scaled to the current total, over the union of values.
      const c = unionValueCounts(reference, current);
      const scale = current.length / reference.length;
      const r = chiSquare(
        c.current,
        Array.from(c.reference, (n) => n * scale),
      );
      const cramer = Math.sqrt(r.statistic / (current.length * Math.max(1, c.keys.length - 1)));
      return {
        test: 'chi-square p_value',
        statistic: r.statistic,
        pValue: r.pValue,
        effect: { name: "cramer's v", value: cramer },
        score: r.pValue,
        threshold: { pValue: threshold },
        drifted: r.pValue < threshold,
      };
    }
    case 'z': {
      const first = unionValueCounts(reference, current).keys[0];
      let c1 = 0;
      let c2 = 0;
      for (let i = 0; i < reference.length; i++) if (reference[i] !== first) c1++;
      for (let i = 0; i < current.length; i++) if (current[i] !== first) c2++;
      const r = zTestProportions(c1, reference.length, c2, current.length);
      return {
        test: 'Z-test p_value',
        statistic: r.statistic,
        pValue: r.pValue,
        effect: { name: "cohen's h", value: r.effectSize },
        score: r.pValue,
        threshold: { pValue: threshold },
        drifted: r.pValue < threshold,
      };
    }
  }
}

function distance(test: string, name: string, value: number, threshold: number): TestResult {
  return {
    test,
    statistic: value,
    pValue: null,
    effect: { name, value },
    score: value,
    threshold: { effect: threshold },
    drifted: value >= threshold,
  };
}
