import { InputError } from '@campaign-ml/core';
import { chi2Sf } from './regularized-gamma';
import { checkSameLength } from './shares';

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  dof: number;
}

/**
 * Pearson's chi-square goodness-of-fit test, as scipy.stats.chisquare(observed, expected):
 * sum (o - e)^2 / e over the bins, k - 1 degrees of freedom. `expected` defaults to equal counts
 * and must have the same total as `observed` (to 1e-8, as scipy checks).
 *
 * scipy's edge cases are kept, because Evidently's drift decisions depend on them: a bin with
 * expected 0 and observed > 0 (a category only in current data) gives statistic Infinity and
 * p = 0; a single bin has 0 degrees of freedom and p = NaN; an empty bin on both sides gives NaN.
 * For a comparison of two samples where the reference is itself a sample, chi2Contingency
 * (a homogeneity test) is the sounder choice.
 */
export function chiSquare(observed: ArrayLike<number>, expected?: ArrayLike<number>): ChiSquareResult {
  const k = observed.length;
  if (k === 0) throw new InputError('EMPTY_INPUT', 'chiSquare needs at least one bin');
  let totalObs = 0;
  for (let i = 0; i < k; i++) totalObs += observed[i];
  let exp: ArrayLike<number>;
  if (expected === undefined) exp = new Float64Array(k).fill(totalObs / k);
  else {
    checkSameLength(observed, expected, ['observed', 'expected']);
    let totalExp = 0;
    for (let i = 0; i < k; i++) totalExp += expected[i];
    if (Math.abs(totalObs - totalExp) > 1e-8 * Math.min(totalObs, totalExp)) {
      throw new InputError(
        'LENGTH_MISMATCH',
        `observed counts sum to ${totalObs} but expected counts to ${totalExp}; scale expected to the observed total (as scipy requires, to 1e-8)`,
        { value: totalExp, expected: String(totalObs) },
      );
    }
    exp = expected;
  }
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    const diff = observed[i] - exp[i];
    statistic += (diff * diff) / exp[i];
  }
  const dof = k - 1;
  return { statistic, pValue: chi2Sf(statistic, dof), dof };
}
