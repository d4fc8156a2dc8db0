import { CAT_WORDS } from './splitting';
import type { TreeArrays } from './tree-arrays';

/**
 * All trees of a model flattened into shared typed arrays, the form a fitted ensemble is stored,
 * saved and walked in: tree t owns nodes roots[t] .. roots[t + 1) of every per-node array, child
 * indices are absolute and adjacent (right = left + 1), catOffset points into the shared catBits,
 * and value holds valueWidth numbers per node. One set of arrays per model rather than objects per
 * tree or node, so prediction is a tight loop per tree with no per-row allocation.
 */

export interface EnsembleLayout {
  /** Raw outputs per row (1 for binary and regression, classes for multiclass). */
  nOutputs: number;
  /** Numbers per leaf: 1 (the tree feeds output treeOutput[t]) or nOutputs (a leaf vector). */
  valueWidth: number;
  /** Output each tree adds to (valueWidth 1 only). */
  treeOutput: Int32Array;
  /** Starting raw score per output. */
  baseScore: Float64Array;
  /** Each tree's value is multiplied by this (1 for boosting, 1 / trees for forests). */
  scale: number;
}

export interface FlatEnsemble extends Readonly<EnsembleLayout>, TreeArrays {
  readonly nTrees: number;
  /** Node offset of each tree (length nTrees + 1). */
  readonly roots: Int32Array;
}

/** The trees' arrays laid end to end, their child and category offsets made absolute. */
export function flattenTrees(trees: readonly TreeArrays[], layout: EnsembleLayout): FlatEnsemble {
  const roots = new Int32Array(trees.length + 1);
  let catTotal = 0;
  for (let t = 0; t < trees.length; t++) {
    roots[t + 1] = roots[t] + trees[t].feature.length;
    catTotal += trees[t].catBits.length;
  }
  const n = roots[trees.length];
  const W = layout.valueWidth;
  const feature = new Int32Array(n);
  const threshold = new Float64Array(n);
  const left = new Int32Array(n);
  const right = new Int32Array(n);
  const defaultLeft = new Uint8Array(n);
  const catOffset = new Int32Array(n);
  const catBits = new Uint32Array(catTotal);
  const value = new Float64Array(n * W);
  const cover = new Float64Array(n);
  // Row counts only when every tree has them (trees loaded from older files do not).
  const count = trees.every((tr) => tr.count) ? new Float64Array(n) : undefined;
  const gain = new Float64Array(n);
  let catPos = 0;
  for (let t = 0; t < trees.length; t++) {
    const tr = trees[t];
    const o = roots[t];
    for (let i = 0; i < tr.left.length; i++) {
      if (tr.left[i] >= 0 && tr.right[i] !== tr.left[i] + 1) {
        throw new Error(`tree ${t} node ${i}: children must be adjacent`);
      }
    }
    feature.set(tr.feature, o);
    threshold.set(tr.threshold, o);
    defaultLeft.set(tr.defaultLeft, o);
    value.set(tr.value, o * W);
    cover.set(tr.cover, o);
    if (count) count.set(tr.count!, o);
    gain.set(tr.gain, o);
    catBits.set(tr.catBits, catPos);
    for (let i = 0; i < tr.feature.length; i++) {
      left[o + i] = tr.left[i] < 0 ? -1 : tr.left[i] + o;
      right[o + i] = tr.right[i] < 0 ? -1 : tr.right[i] + o;
      catOffset[o + i] = tr.catOffset[i] < 0 ? -1 : tr.catOffset[i] + catPos;
    }
    catPos += tr.catBits.length;
  }
  return {
    nTrees: trees.length,
    nOutputs: layout.nOutputs,
    valueWidth: layout.valueWidth,
    treeOutput: layout.treeOutput,
    baseScore: layout.baseScore,
    scale: layout.scale,
    roots,
    feature,
    threshold,
    left,
    right,
    defaultLeft,
    catOffset,
    catBits,
    value,
    cover,
    ...(count ? { count } : {}),
    gain,
  };
}

/** Per-tree arrays with tree-local child indices (for TreeSHAP and inspection): flattenTrees undone. */
export function unflattenTrees(e: FlatEnsemble): TreeArrays[] {
  const out: TreeArrays[] = [];
  const W = e.valueWidth;
  for (let t = 0; t < e.nTrees; t++) {
    const a = e.roots[t];
    const b = e.roots[t + 1];
    const left = e.left.slice(a, b);
    const right = e.right.slice(a, b);
    const catOffset = e.catOffset.slice(a, b);
    let catStart = -1;
    let catEnd = -1;
    for (let i = 0; i < b - a; i++) {
      if (left[i] >= 0) left[i] -= a;
      if (right[i] >= 0) right[i] -= a;
      if (catOffset[i] >= 0) {
        if (catStart < 0) catStart = catOffset[i];
        catEnd = catOffset[i] + CAT_WORDS;
      }
    }
    for (let i = 0; i < b - a; i++) if (catOffset[i] >= 0) catOffset[i] -= catStart;
    out.push({
      feature: e.feature.slice(a, b),
      threshold: e.threshold.slice(a, b),
      left,
      right,
      defaultLeft: e.defaultLeft.slice(a, b),
      catOffset,
      catBits: catStart < 0 ? new Uint32Array(0) : e.catBits.slice(catStart, catEnd),
      value: e.value.slice(a * W, b * W),
      cover: e.cover.slice(a, b),
      ...(e.count ? { count: e.count.slice(a, b) } : {}),
      gain: e.gain.slice(a, b),
    });
  }
  return out;
}
