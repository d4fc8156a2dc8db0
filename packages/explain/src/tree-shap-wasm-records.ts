import { CAT_WORDS, type TreeArrays } from '@campaign-ml/models';

/**
 * The trees as the WebAssembly walks read them (tree-shap-wasm.ts, one row at a time, and
 * tree-shap-wasm-rows.ts, several rows per traversal): 32 bytes per node — left, right (record
 * addresses; left 0 at a leaf), feature, flags (default left in bit 0, else the address of the
 * node's bitset or 0 when the split is numeric), threshold (or the leaf's value), the node's share
 * of its parent's cover — laid out depth first, a split's two children in one cache line.
 */
export const NODE_BYTES = 32;
export const N_LEFT = 0;
export const N_RIGHT = 4;
export const N_FEATURE = 8;
export const N_FLAGS = 12;
export const N_VALUE = 16;
export const N_SHARE = 24;

/** Category codes a split's bitset covers: codes from here up, and below 0, go right (childFor's rule). */
export const CAT_LIMIT = CAT_WORDS * 32;

/**
 * Each node's place in the walk's memory (in records): tree by tree, depth first, a node's two
 * children side by side in one 64-byte line (a root alone in one), so the walk reads the records
 * forwards, one line per split. `slots`: the places taken, gaps included.
 */
export function depthFirst(e: TreeArrays, roots: readonly number[]): { slot: Int32Array; slots: number } {
  const n = e.left.length;
  const slot = new Int32Array(n).fill(-1);
  let next = 0;
  const stack: number[] = [];
  for (const root of roots) {
    slot[root] = next;
    next += 2;
    stack.push(root);
    while (stack.length) {
      const node = stack.pop()!;
      const l = e.left[node];
      if (l < 0) continue;
      const r = e.right[node];
      slot[l] = next;
      slot[r] = next + 1;
      next += 2;
      stack.push(r, l);
    }
  }
  // Nodes no tree reaches (none in a well-formed ensemble) still get a place.
  for (let i = 0; i < n; i++) if (slot[i] < 0) slot[i] = next++;
  return { slot, slots: next };
}

/**
 * Writes every node's record at `nodesAt` (64-aligned) of `buf`, slot by slot; `catsAt`: where the
 * trees' category bitsets are (u32 words, catBits order).
 */
export function writeRecords(
  buf: ArrayBuffer,
  e: TreeArrays,
  share: Float64Array,
  slot: Int32Array,
  slots: number,
  nodesAt: number,
  catsAt: number,
): void {
  const ints = new Int32Array(buf, nodesAt, slots * (NODE_BYTES / 4));
  const floats = new Float64Array(buf, nodesAt, slots * (NODE_BYTES / 8));
  for (let i = 0; i < e.left.length; i++) {
    const l = e.left[i];
    const o = slot[i] * (NODE_BYTES / 4);
    const leaf = l < 0;
    ints[o] = leaf ? 0 : nodesAt + slot[l] * NODE_BYTES;
    ints[o + 1] = leaf ? 0 : nodesAt + slot[e.right[i]] * NODE_BYTES;
    ints[o + 2] = leaf ? 0 : e.feature[i];
    ints[o + 3] = leaf ? 0 : (e.catOffset[i] >= 0 ? catsAt + 4 * e.catOffset[i] : 0) | (e.defaultLeft[i] ? 1 : 0);
    floats[o / 2 + 2] = leaf ? e.value[i] : e.threshold[i];
    floats[o / 2 + 3] = share[i];
  }
}
