/**
 * LIME's quartile discretizer (lime/discretize.py `QuartileDiscretizer`): inner edges at the
 * training data's 25th, 50th and 75th percentiles (NumPy's default linear rule, duplicates removed
 * as `np.unique` does), and a value's bin is `np.searchsorted(edges, x)` (side left), so bin 0 is
 * `x <= q1`, bin 1 is `q1 < x <= q2`, ... and the last bin is `x > q3`.
 */

/** `np.percentile(values, q)` with the default 'linear' method, on values already sorted ascending. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (q / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const frac = pos - lo;
  // NumPy's _lerp: a + (b - a) * t, switched to b - (b - a) * (1 - t) for t >= 0.5 (exact at the ends).
  const a = sorted[lo];
  const b = sorted[hi];
  const d = b - a;
  return frac >= 0.5 ? b - d * (1 - frac) : a + d * frac;
}

/** Quartile edges of the finite values (NaN ignored), as `np.unique(np.percentile(x, [25, 50, 75]))`. */
export function quartileEdges(values: ArrayLike<number>): number[] {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) present.push(values[i]);
  present.sort((a, b) => a - b);
  if (present.length === 0) return [];
  const edges: number[] = [];
  for (const q of [25, 50, 75]) {
    const e = percentileSorted(present, q);
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/** Bin of a value: the number of edges strictly below it (`np.searchsorted(edges, x, 'left')`). */
export function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
