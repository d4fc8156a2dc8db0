import { InputError, type Fold } from '@campaign-ml/core';

/**
 * Expanding-window folds in time (scikit-learn's TimeSeriesSplit on distinct times): the sorted
 * distinct times are cut into k + 1 blocks of about equal rows; fold i validates on block i + 1
 * and trains on every row earlier than that block by more than `purgeMs` (so a training row's
 * label, `purgeMs` ahead of it, is observed before validation starts). Rows of one time are
 * never split across blocks. Indices refer to `times`.
 */
export function timeOrderedFolds(times: ArrayLike<number>, k: number, purgeMs = 0): Fold[] {
  const n = times.length;
  if (!Number.isInteger(k) || k < 2)
    throw new InputError('INVALID_FOLDS', `folds must be an integer >= 2, got ${k}`, { value: k });
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => times[a] - times[b] || a - b);
  // Block starts at distinct-time boundaries nearest to j * n / (k + 1).
  const starts: number[] = [];
  for (let b = 1; b <= k; b++) {
    let j = Math.round((b * n) / (k + 1));
    while (j > 0 && j < n && times[order[j]] === times[order[j - 1]]) j++;
    if (j >= n || (starts.length && j <= starts[starts.length - 1])) continue;
    starts.push(j);
  }
  if (starts.length < 2) {
    throw new InputError(
      'INVALID_FOLDS',
      `cannot make ${k} time-ordered folds from ${n} rows at ${new Set(Array.from(times)).size} distinct times`,
      {
        value: k,
        expected: 'more rows or fewer folds',
      },
    );
  }
  const folds: Fold[] = [];
  for (let b = 0; b < starts.length; b++) {
    const from = starts[b];
    const to = b + 1 < starts.length ? starts[b + 1] : n;
    const limit = times[order[from]] - purgeMs;
    let trainEnd = 0;
    while (trainEnd < from && times[order[trainEnd]] < limit) trainEnd++;
    if (trainEnd === 0) continue;
    folds.push({
      train: Uint32Array.from(order.subarray(0, trainEnd)).sort(),
      test: Uint32Array.from(order.subarray(from, to)).sort(),
    });
  }
  if (folds.length === 0)
    throw new InputError('INVALID_FOLDS', 'no time-ordered fold has training rows; use fewer folds or more history', {
      value: k,
    });
  return folds;
}
