import type { FlatEnsemble } from './flat-ensemble';
import type { LockstepLayout } from './lockstep-layout';
import { packThresholds } from './packed-layout';
import type { PackedThresholds } from './packed-layout';

/**
 * Every tree as a complete binary tree of its depth D in heap order (children of i at 2i + 1 and
 * 2i + 2), so a step is `i = 2i + 1 + (x > threshold[i])` with no child-index load. A leaf above
 * depth D becomes pass-through nodes (threshold +Infinity: every value, NaN too, goes left) down
 * to copies of its value at depth D. With the thresholds packed as ranks (packed-layout.ts) for
 * the byte-coded walks.
 */
export interface CompleteLayout extends PackedThresholds {
  /** Start of each tree's 2^D - 1 internal nodes (length nTrees + 1). */
  nodeBase: Int32Array;
  /** Start of each tree's 2^D leaves (length nTrees + 1), in leaf units. */
  leafBase: Int32Array;
  /** Each tree's depth D (the lockstep layout's). */
  depth: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  nanRight: Int32Array;
  value: Float64Array;
}

/**
 * Trees up to this depth also get the complete layout (2^D nodes each, so a deep sparse tree would
 * blow up; deeper models keep the lockstep walk).
 */
const COMPLETE_MAX_DEPTH = 10;

/** The complete layout of a model without categorical splits and no tree deeper than 10, else null. */
export function completeLayout(e: FlatEnsemble, lockstep: LockstepLayout): CompleteLayout | null {
  const treeDepth = lockstep.depth;
  let maxDepth = 0;
  for (let t = 0; t < e.nTrees; t++) if (treeDepth[t] > maxDepth) maxDepth = treeDepth[t];
  if (lockstep.hasCategorical || maxDepth > COMPLETE_MAX_DEPTH) return null;
  const T = e.nTrees;
  const W = e.valueWidth;
  const nodeBase = new Int32Array(T + 1);
  const leafBase = new Int32Array(T + 1);
  for (let t = 0; t < T; t++) {
    const full = 2 ** treeDepth[t];
    nodeBase[t + 1] = nodeBase[t] + full - 1;
    leafBase[t + 1] = leafBase[t] + full;
  }
  const feature = new Int32Array(nodeBase[T]);
  const threshold = new Float64Array(nodeBase[T]);
  const nanRight = new Int32Array(nodeBase[T]);
  const value = new Float64Array(leafBase[T] * W);
  const stack: number[] = [];
  for (let t = 0; t < T; t++) {
    const D = treeDepth[t];
    const internal = 2 ** D - 1;
    const nb = nodeBase[t];
    const lb = leafBase[t];
    // (original node, heap position, depth) triples; a leaf fills its whole heap subtree.
    stack.push(e.roots[t], 0, 0);
    while (stack.length > 0) {
      const d = stack.pop()!;
      const pos = stack.pop()!;
      const node = stack.pop()!;
      if (d === D) {
        for (let k = 0; k < W; k++) value[(lb + pos - internal) * W + k] = e.value[node * W + k];
        continue;
      }
      const l = e.left[node];
      if (l < 0) {
        feature[nb + pos] = 0;
        threshold[nb + pos] = Infinity;
        nanRight[nb + pos] = 0;
        stack.push(node, 2 * pos + 1, d + 1, node, 2 * pos + 2, d + 1);
      } else {
        feature[nb + pos] = e.feature[node];
        threshold[nb + pos] = e.threshold[node];
        nanRight[nb + pos] = e.defaultLeft[node] ^ 1;
        stack.push(l, 2 * pos + 1, d + 1, l + 1, 2 * pos + 2, d + 1);
      }
    }
  }
  const { packed, cuts, grids } = packThresholds(feature, threshold);
  return { nodeBase, leafBase, depth: treeDepth, feature, threshold, nanRight, value, packed, cuts, grids };
}
