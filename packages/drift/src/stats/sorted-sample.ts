import { sortFloat64 } from '@campaign-ml/core';

/** The finite values of a sample, sorted ascending, in a new Float64Array (NaN and +-Infinity dropped). */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  let k = 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v - v === 0) out[k++] = v; // finite: Infinity - Infinity and NaN - NaN are NaN
  }
  const kept = k === n ? out : out.slice(0, k);
  return sortFloat64(kept);
}
