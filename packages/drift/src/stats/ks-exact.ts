// Math's functions bound once: inside jest's vm context every `Math.x` is a slow global lookup.
const { floor, ceil, min, max } = Math;
/**
 * Exact two-sided p-values of the two-sample Kolmogorov-Smirnov test: the share of the
 * C(m + n, n) equally likely orderings of the pooled sample whose empirical CDFs get at least
 * D = h / lcm(m, n) apart. An ordering is a lattice path from (0, 0) to (m, n); the statistic
 * reaches D where the path touches |x n/g - y m/g| >= h (g = gcd(m, n)).
 *
 * Both functions keep every intermediate value in [0, 1] (no binomial coefficient is formed), so
 * they cannot overflow: scipy's fallback to the asymptotic p-value "when the exact computation
 * fails" never triggers here up to its auto limit of 10,000 per side.
 */

/**
 * m = n: P(D >= h/n) = 2 sum_k (-1)^(k+1) C(2n, n - k h) / C(2n, n) (Gnedenko and Korolyuk),
 * each ratio built as a product of h factors and the alternating sum nested Horner-style:
 * 2 A1 (1 - A2 (1 - A3 (...))), which avoids the subtractive cancellation of the plain sum.
 */
export function ksExactSquare(n: number, h: number): number {
  let P = 0;
  for (let k = floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    P = ratio * (1 - P);
  }
  return 2 * P;
}

/**
 * m != n: the share of paths that leave the band |x n/g - y m/g| < h, by the "inside" recursion
 * of Hodges (1958) rewritten for that share directly (Viehmann 2021, arXiv:2102.08037): with
 * q(x, y) the probability that a random path to (x, y) has left the band, q = 1 outside it and
 * q(x, y) = (x q(x-1, y) + y q(x, y-1)) / (x + y) inside (x/(x+y) of the paths to (x, y) come from
 * the left). One column of q is kept; only its band is updated, everything beyond it stays 1.
 * O(m * band width) time, O(n) memory.
 */
export function ksExactInside(m0: number, n0: number, g: number, h: number): number {
  const m = max(m0, n0);
  const n = min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  const q = new Float64Array(n + 1).fill(1);
  // Column x = 0: y is inside while m/g * y < h.
  let hi = min(ceil(h / mg), n + 1);
  for (let y = 0; y < hi; y++) q[y] = 0;
  let lo = 0;
  for (let x = 1; x <= m; x++) {
    lo = min(max(floor((ng * x - h) / mg) + 1, 0), n);
    hi = min(ceil((ng * x + h) / mg), n + 1);
    if (hi <= lo) return 1;
    let below = lo === 0 ? 0 : 1; // q(x, lo - 1): outside the band, or no such cell
    for (let y = lo; y < hi; y++) {
      below = (q[y] * x + below * y) / (x + y);
      q[y] = below;
    }
  }
  return q[hi - 1];
}
