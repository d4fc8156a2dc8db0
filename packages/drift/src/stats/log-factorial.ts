import { gammaln } from 'simple-statistics';

// Math's functions bound once: inside jest's vm context every `Math.x` is a slow global lookup.
const { log } = Math;

/**
 * Stirling's remainder delta(m) = log m! - [(m + 1/2) log m - m + log sqrt(2 pi)], m >= 1.
 *
 * The Kolmogorov and Smirnov distributions multiply binomial coefficients by powers whose logs
 * are each of size n log n; written with delta, the large parts cancel on paper instead of in
 * floating point (see smirnov-distribution.ts). Below 15 it is read off log Gamma; from 15 on,
 * the asymptotic series with the Bernoulli coefficients B_2k / (2k (2k - 1)) is exact to 1e-17
 * (the first omitted term, 691 / (360360 m^11), is below 2e-16 at m = 15).
 */
const LOG_SQRT_2PI = 0.9189385332046728;
const small: number[] = [0];
for (let m = 1; m < 15; m++) small.push(gammaln(m + 1) - ((m + 0.5) * log(m) - m + LOG_SQRT_2PI));

export function stirlingRemainder(m: number): number {
  if (m < 15) return small[m];
  const r = 1 / m;
  const r2 = r * r;
  return r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 / 1188))));
}

/** log(n! / n^n), without the cancellation of log n! - n log n. */
export function logFactorialOverPower(n: number): number {
  return 0.5 * log(n) + LOG_SQRT_2PI - n + stirlingRemainder(n);
}

/**
 * log[ C(n, v) (v/n)^v ((n-v)/n)^(n-v) ] for 0 < v < n: the log of the binomial probability of
 * v successes at rate v/n, = 1/2 log(n / (2 pi v (n - v))) + delta(n) - delta(v) - delta(n - v).
 */
export function logBinomialAtMode(n: number, v: number): number {
  return (
    0.5 * log(n / (2 * Math.PI * v * (n - v))) + stirlingRemainder(n) - stirlingRemainder(v) - stirlingRemainder(n - v)
  );
}
