/**
 * Gauss–Legendre quadrature on [0, 1]: n nodes and weights that integrate every polynomial of
 * degree <= 2n - 1 exactly. TreeSHAP's Shapley weight of a feature on a leaf's path is the integral
 * of a polynomial of degree (path length - 1), so ceil(length / 2) nodes give it exactly, with no
 * division by small one- or zero-fractions (the textbook unwind's weakness on deep trees).
 */
export interface Quadrature {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

const CACHE = new Map<number, Quadrature>();

/** The n-point rule on [0, 1] (cached; Newton's method on the Legendre polynomial's roots). */
export function gaussLegendre(n: number): Quadrature {
  const hit = CACHE.get(n);
  if (hit) return hit;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Root i of P_n on [-1, 1], from the classic cosine first guess.
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      if (n === 1) {
        p1 = x;
        p0 = 1;
      }
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    // Map [-1, 1] to [0, 1]: t = (1 - x) / 2 (ascending), weight halves.
    nodes[i] = (1 - x) / 2;
    weights[i] = 1 / ((1 - x * x) * dp * dp);
  }
  const q = { nodes, weights };
  CACHE.set(n, q);
  return q;
}
