import { cutGrid, paddedCuts } from './cut-grid';
import type { CutGrid } from './cut-grid';

/**
 * Thresholds as byte ranks, so a walk compares small integers instead of floats: per feature the
 * sorted distinct thresholds the trees split it at (`cuts`), and per node
 * `packed = feature << 11 | k` (= 8 * feature << 8 | k, the feature's offset in a group of eight
 * rows' codes, see packed-walk.ts), k the rank of its threshold among its feature's cuts. A value
 * x is coded once as code(x) = number of cuts below x; then `x > threshold` is exactly
 * `code(x) > k`, whatever the floats.
 */
export interface PackedThresholds {
  /** Per node, or null when a feature has more than 255 distinct thresholds (a rank is a byte). */
  packed: Int32Array | null;
  /** Sorted distinct thresholds per feature, padded with +Infinity (undefined for unused features). */
  cuts: Float64Array[];
  /** Per feature, a uniform grid over its finite cuts for coding values without a search. */
  grids: CutGrid[];
}

/** Index of the first element of sorted `a` that is >= x. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Cuts, grids and ranks of the nodes' (feature, threshold) pairs. */
export function packThresholds(feature: Int32Array, threshold: Float64Array): PackedThresholds {
  // Distinct thresholds per feature, and each node's rank among them.
  const perFeature = new Map<number, number[]>();
  for (let i = 0; i < feature.length; i++) {
    let list = perFeature.get(feature[i]);
    if (!list) perFeature.set(feature[i], (list = []));
    list.push(threshold[i]);
  }
  const cuts: Float64Array[] = [];
  let packable = true;
  for (const [f, list] of perFeature) {
    const u = Float64Array.from(new Set(list)).sort();
    if (u.length > 255) packable = false;
    // One +Infinity past the end stops the forward steps of the coding.
    const padded = paddedCuts(u);
    cuts[f] = padded;
  }
  let packed: Int32Array | null = null;
  if (packable) {
    packed = new Int32Array(feature.length);
    for (let i = 0; i < feature.length; i++) {
      packed[i] = (feature[i] << 11) | lowerBound(cuts[feature[i]], threshold[i]);
    }
  }
  const grids: CutGrid[] = [];
  if (packed) for (let f = 0; f < cuts.length; f++) if (cuts[f]) grids[f] = cutGrid(cuts[f]);
  return { packed, cuts, grids };
}
