import type { FlatEnsemble } from './flat-ensemble';

/**
 * The flat trees rearranged for walks without a branch: a leaf loops onto itself (threshold
 * +Infinity, so every value and NaN goes "left", to the leaf again), so a tree of depth D is
 * exactly D steps `node = left + (x > threshold | isNaN(x) & nanRight)` for every row, and several
 * rows can walk one tree in lockstep. Categorical splits do not fit the step: a model with any
 * keeps the node walk (hasCategorical).
 */
export interface LockstepLayout {
  /**
   * One 16-byte record per node, so a step touches one cache line instead of four (a 200-tree
   * full-depth forest has ~600k nodes, far beyond the caches): threshold at `threshold[2 i]`
   * (a Float64Array view), left child at `ints[4 i + 2]` and feature · 2 + nanRight at
   * `ints[4 i + 3]` (an Int32Array view of the same buffer). nanRight is 1 where NaN goes right
   * (defaultLeft ^ 1), 0 at leaves.
   */
  readonly threshold: Float64Array;
  readonly ints: Int32Array;
  /** Depth of each tree (its deepest leaf). */
  readonly depth: Int32Array;
  readonly hasCategorical: boolean;
}

export function lockstepLayout(e: FlatEnsemble): LockstepLayout {
  const n = e.feature.length;
  const buffer = new ArrayBuffer(n * 16);
  const wThreshold = new Float64Array(buffer);
  const ints = new Int32Array(buffer);
  const treeDepth = new Int32Array(e.nTrees);
  const depth = new Int32Array(n);
  let hasCat = false;
  for (let t = 0; t < e.nTrees; t++) {
    let maxD = 0;
    for (let i = e.roots[t]; i < e.roots[t + 1]; i++) {
      const l = e.left[i];
      if (l < 0) {
        ints[4 * i + 2] = i;
        ints[4 * i + 3] = 0;
        wThreshold[2 * i] = Infinity;
        if (depth[i] > maxD) maxD = depth[i];
      } else {
        ints[4 * i + 2] = l;
        ints[4 * i + 3] = e.feature[i] * 2 + (e.defaultLeft[i] ^ 1);
        wThreshold[2 * i] = e.threshold[i];
        depth[l] = depth[i] + 1;
        depth[l + 1] = depth[i] + 1;
        if (e.catOffset[i] >= 0) hasCat = true;
      }
    }
    treeDepth[t] = maxD;
  }
  return {
    threshold: wThreshold,
    ints,
    depth: treeDepth,
    hasCategorical: hasCat,
  };
}
