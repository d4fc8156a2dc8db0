import { logBinomialAtMode } from './log-factorial';

// Math's functions bound once: inside jest's vm context every `Math.x` is a slow global lookup.
const { log, log1p, exp, floor, min, max } = Math;

/**
 * The one-sided Kolmogorov-Smirnov (Smirnov) distribution: P(D+_n >= d) for a sample of n,
 * scipy.special.smirnov(n, d). The two-sided distribution uses 2 * smirnov for large d, and the
 * two-sample test's asymptotic p-value reaches it through kolmogorov-distribution.ts.
 *
 * Birnbaum and Tingey's sum (already in Smirnov 1944):
 *
 *   P(D+_n >= d) = sum_{v=0}^{floor(n(1-d))} C(n, v) d (d + v/n)^(v-1) (1 - d - v/n)^(n-v)
 *
 * All terms are positive, so the sum itself is stable; the terms are the risk, being products of
 * numbers of size e^(n log n). Each term is written as
 *
 *   log T_v = log d - log(d + v/n) + logBinomialAtMode(n, v)
 *             + v log1p(d n / v) + (n - v) log1p(-d n / (n - v))
 *
 * (factor v/n out of d + v/n and (n-v)/n out of 1 - d - v/n): no piece is larger than about
 * d n, so a term keeps about 1e-13 relative accuracy at n = 500,000 where the direct product of
 * lgammas keeps 1e-9. scipy (van Mulbregt 2018) gets there with double-double arithmetic instead.
 */
export function smirnovSf(n: number, d: number): number {
  if (!(n >= 1) || !(d >= 0 && d <= 1)) return NaN;
  if (d === 0) return 1;
  if (d === 1) return 0;
  if (n === 1) return 1 - d;
  const last = floor(n * (1 - d));
  let sum = exp(n * log1p(-d)); // v = 0: (1 - d)^n
  const dn = d * n;
  for (let v = 1; v <= last && v < n; v++) {
    const rest = n - v;
    if (dn >= rest) break; // 1 - d - v/n <= 0: this term and the ones after are 0
    const logTerm = log(d) - log(d + v / n) + logBinomialAtMode(n, v) + v * log1p(dn / v) + rest * log1p(-dn / rest);
    sum += exp(logTerm);
  }
  return min(1, max(0, sum));
}
