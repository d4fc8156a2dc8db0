import type { Matrix } from '@campaign-ml/core';
import type { FlatEnsemble } from './flat-ensemble';
import { CAT_WORDS } from './splitting';
import type { TreeArrays } from './tree-arrays';

/**
 * The node walk: one row at a time from the root along the flat arrays' child links until a leaf,
 * numeric and categorical splits alike. Every other walk is checked against this one bit for bit;
 * it is also the batch walk of models with categorical splits, and the walk boosting scores a new
 * tree with on validation rows and on the rows subsampling left out.
 *
 * At a numeric node a row goes left when x <= threshold, or when x is NaN and missing values
 * default left; at a categorical node when x's bit is set in the node's category words (NaN by
 * defaultLeft, any other value right).
 */

/** Add tree t's (scaled) output for rows [from, to) of column-major X into out (rows x nOutputs). */
export function addTreeBlock(e: FlatEnsemble, t: number, X: Matrix, out: Float64Array, from: number, to: number): void {
  const data = X.data;
  const n = X.rows;
  const feature = e.feature;
  const threshold = e.threshold;
  const left = e.left;
  const right = e.right;
  const dl = e.defaultLeft;
  const catOffset = e.catOffset;
  const catBits = e.catBits;
  const value = e.value;
  const W = e.valueWidth;
  const K = e.nOutputs;
  const scale = e.scale;
  const root = e.roots[t];
  const o = W === 1 ? e.treeOutput[t] : 0;
  for (let r = from; r < to; r++) {
    let node = root;
    let l = left[node];
    while (l >= 0) {
      const x = data[feature[node] * n + r];
      const co = catOffset[node];
      if (co < 0) node = l + (+(x > threshold[node]) | (+(x !== x) & (dl[node] ^ 1)));
      else if (x !== x) node = dl[node] ? l : right[node];
      else if (x >= 0 && x < CAT_WORDS * 32 && (catBits[co + (x >>> 5)] >>> (x & 31)) & 1) node = l;
      else node = right[node];
      l = left[node];
    }
    if (W === 1) out[r * K + o] += value[node] * scale;
    else for (let k = 0; k < W; k++) out[r * K + k] += value[node * W + k] * scale;
  }
}

/** The same walk over m rows of a row-major block (row i's features at buf[i * cols ..]). */
export function addTreeRowMajor(
  e: FlatEnsemble,
  t: number,
  buf: Float64Array,
  cols: number,
  m: number,
  out: Float64Array,
  outRow: number,
): void {
  const feature = e.feature;
  const threshold = e.threshold;
  const left = e.left;
  const right = e.right;
  const dl = e.defaultLeft;
  const catOffset = e.catOffset;
  const catBits = e.catBits;
  const value = e.value;
  const W = e.valueWidth;
  const K = e.nOutputs;
  const scale = e.scale;
  const root = e.roots[t];
  const o = W === 1 ? e.treeOutput[t] : 0;
  for (let i = 0; i < m; i++) {
    const base = i * cols;
    let node = root;
    let l = left[node];
    while (l >= 0) {
      const x = buf[base + feature[node]];
      const co = catOffset[node];
      if (co < 0) {
        // left when x <= threshold, or when x is NaN and missing values default left.
        node = l + (+(x > threshold[node]) | (+(x !== x) & (dl[node] ^ 1)));
      } else if (x !== x) node = dl[node] ? l : right[node];
      else if (x >= 0 && x < CAT_WORDS * 32 && (catBits[co + (x >>> 5)] >>> (x & 31)) & 1) node = l;
      else node = right[node];
      l = left[node];
    }
    const r = outRow + i;
    if (W === 1) out[r * K + o] += value[node] * scale;
    else for (let k = 0; k < W; k++) out[r * K + k] += value[node * W + k] * scale;
  }
}

/**
 * The child a value x takes at split node `node` (absolute index into `t`'s arrays), by the walk's
 * rule above: one step of the walk, for code that follows a tree a node at a time (TreeSHAP).
 */
export function childFor(t: TreeArrays, node: number, x: number): number {
  const l = t.left[node];
  const co = t.catOffset[node];
  if (x !== x) return t.defaultLeft[node] ? l : t.right[node];
  if (co < 0) return x <= t.threshold[node] ? l : t.right[node];
  return x >= 0 && x < CAT_WORDS * 32 && (t.catBits[co + (x >>> 5)] >>> (x & 31)) & 1 ? l : t.right[node];
}
