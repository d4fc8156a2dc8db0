import type { FlatEnsemble } from './flat-ensemble';

/**
 * The flat trees rearranged for walks without a branch: a leaf loops onto itself (threshold
 * +Infinity, so every value and NaN goes "left", to the leaf again), so a tree of depth D is
 * exactly D steps `node = left + (x > threshold | isNaN(x) & nanRight)` for every row, and several
 * rows can walk one tree in lockstep. Categorical splits do not fit the step: a model with any
 * keeps the node walk (hasCategorical).
 */
export interface LockstepLayout {
  readonly left: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  /** 1 where NaN goes right (defaultLeft ^ 1), 0 at leaves. */
  readonly nanRight: Int32Array;
  /** Depth of each tree (its deepest leaf). */
  readonly depth: Int32Array;
  readonly hasCategorical: boolean;
}

export function lockstepLayout(e: FlatEnsemble): LockstepLayout {
  const n = e.feature.length;
  const wLeft = new Int32Array(n);
  const wFeature = new Int32Array(n);
  const wThreshold = new Float64Array(n);
  const wNanRight = new Int32Array(n);
  const treeDepth = new Int32Array(e.nTrees);
  const depth = new Int32Array(n);
  let hasCat = false;
  for (let t = 0; t < e.nTrees; t++) {
    let maxD = 0;
    for (let i = e.roots[t]; i < e.roots[t + 1]; i++) {
      const l = e.left[i];
      if (l < 0) {
        wLeft[i] = i;
        wFeature[i] = 0;
        wThreshold[i] = Infinity;
        wNanRight[i] = 0;
        if (depth[i] > maxD) maxD = depth[i];
      } else {
        wLeft[i] = l;
        wFeature[i] = e.feature[i];
        wThreshold[i] = e.threshold[i];
        wNanRight[i] = e.defaultLeft[i] ^ 1;
        depth[l] = depth[i] + 1;
        depth[l + 1] = depth[i] + 1;
        if (e.catOffset[i] >= 0) hasCat = true;
      }
    }
    treeDepth[t] = maxD;
  }
  return {
    left: wLeft,
    feature: wFeature,
    threshold: wThreshold,
    nanRight: wNanRight,
    depth: treeDepth,
    hasCategorical: hasCat,
  };
}
