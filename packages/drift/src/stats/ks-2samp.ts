import { InputError } from '@campaign-ml/core';
import { ksExactInside, ksExactSquare } from './ks-exact';
import { kolmogorovSf } from './kolmogorov-distribution';
import { sortedFinite } from './sorted-sample';

// Math's functions bound once: inside jest's vm context every `Math.x` is a slow global lookup.
const { abs, max, min } = Math;

export interface Ks2SampOptions {
  /**
   * 'auto' (default, as scipy): exact while both samples have at most 10,000 values, else the
   * asymptotic distribution. 'exact' falls back to 'asymp' when lcm(n1, n2) passes 2^31 - 1.
   */
  method?: 'auto' | 'exact' | 'asymp';
}

export interface Ks2SampResult {
  /** D = max |F1(x) - F2(x)| over the pooled values (ties counted with side 'right'). */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
  /** How the p-value was computed. */
  method: 'exact' | 'asymp';
  sizes: [number, number];
}

/** scipy's MAX_AUTO_N: the largest sample size per side for which 'auto' is exact. */
export const KS_MAX_EXACT_N = 10000;

/**
 * Two-sample Kolmogorov-Smirnov test, two-sided, as scipy.stats.ks_2samp(a, b) (scipy 1.10-1.17):
 * the same statistic, the same exact/asymptotic choice and p-values to 1e-10 (fixtures in
 * __fixtures__/stats.json). NaN and infinite values are dropped first (scipy would sort NaN last
 * and count it; a drift check wants the values it has).
 */
export function ks2Samp(a: ArrayLike<number>, b: ArrayLike<number>, options: Ks2SampOptions = {}): Ks2SampResult {
  return ks2SampSorted(sortedFinite(a), sortedFinite(b), options);
}

/** ks2Samp on samples already sorted ascending and free of NaN (drift reports sort once per column). */
export function ks2SampSorted(x: Float64Array, y: Float64Array, options: Ks2SampOptions = {}): Ks2SampResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) {
    throw new InputError('EMPTY_INPUT', `ks2Samp needs two non-empty samples (got ${n1} and ${n2} finite values)`);
  }
  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  // Walk the pooled distinct values; at each, i of x and j of y are <= it. The gap in units of
  // 1/lcm is the integer i n2/g - j n1/g, so the maximum is found exactly; the statistic is then
  // formed as scipy forms it, i/n1 - j/n2, so both print the same digits.
  let i = 0;
  let j = 0;
  let best = 0;
  let bi = 0;
  let bj = 0;
  while (i < n1 || j < n2) {
    const v = i < n1 && (j >= n2 || x[i] <= y[j]) ? x[i] : y[j];
    while (i < n1 && x[i] === v) i++;
    while (j < n2 && y[j] === v) j++;
    const gap = abs(i * n2g - j * n1g);
    if (gap > best) {
      best = gap;
      bi = i;
      bj = j;
    }
  }
  const d = abs(bi / n1 - bj / n2);
  const requested = options.method ?? 'auto';
  let method: 'exact' | 'asymp' =
    requested === 'auto' ? (max(n1, n2) <= KS_MAX_EXACT_N ? 'exact' : 'asymp') : requested;
  if (method === 'exact' && n1g >= 2147483647 / n2g) method = 'asymp';
  if (method === 'exact') {
    const lcm = n1g * n2;
    const h = best; // = round(D * lcm), exactly
    if (h === 0) return { statistic: 0, pValue: 1, method, sizes: [n1, n2] };
    const p = n1 === n2 ? ksExactSquare(n1, h) : ksExactInside(n1, n2, g, h);
    if (p >= 0 && p <= 1) return { statistic: h / lcm, pValue: p, method, sizes: [n1, n2] };
    method = 'asymp';
  }
  const m = max(n1, n2);
  const n = min(n1, n2);
  const en = (m * n) / (m + n);
  const p = kolmogorovSf(roundHalfEven(en), d);
  return { statistic: d, pValue: min(1, max(0, p)), method, sizes: [n1, n2] };
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
}

/** numpy's round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
