import { childFor, type TreeArrays } from '@campaign-ml/models';
import type { ShapleyWeights } from './tree-shap-interventional';
import { createLeafMaskKernel, type LeafMaskKernel, type LeafMaskTables } from './tree-shap-leaf-masks-wasm';
import { wasmTreeShapSwitchedOn } from './tree-shap-wasm';

type Ensemble = TreeArrays & {
  readonly valueWidth: number;
  readonly roots: Int32Array;
  readonly treeOutput: Int32Array;
  readonly nTrees: number;
};

/** Most (leaf, reference) entries the tables may hold (4 bytes each); beyond it, the recursive walk. */
const MAX_ENTRIES = 4_000_000;
/** Distinct features a leaf's path may split on (they are bits of a 32-bit mask). */
const MAX_PATH_FEATURES = 30;

/**
 * Interventional TreeSHAP against a fixed background, leaf by leaf instead of pair by pair.
 *
 * For one tree, one row x and one reference r, the game v(S) = f(x_S, r_S̄) reaches leaf L exactly
 * when every feature on L's path is satisfied by x (all of its splits on the path go L's way for x)
 * or by r. A feature satisfied by x only must be on x's side, one satisfied by r only on r's; one
 * satisfied by both does not matter. So with A = the features x satisfies and B = those r
 * satisfies, L is reached iff A ∪ B is the whole path, with n_x = |A \ B| features on x's side and
 * n_r = |B \ A| on r's, and L adds v · (n_x − 1)! n_r! / n! to each of x's and − v · n_x! (n_r − 1)! / n!
 * to each of r's — the same values as the recursive walk (InterventionalShap), which follows the
 * same rule node by node.
 *
 * B depends only on the reference, so it is computed once per background: per leaf, the references
 * grouped by their mask. A row then costs one pass over the tree's splits (x's directions), a mask
 * A per leaf, and per leaf only the groups it can reach, each credited once with the sum of its
 * references' weights (the per-reference link rescaling is a weight per reference). Built only
 * when the tables stay small (shallow trees, as boosting grows); `build` returns null otherwise.
 *
 * The pass runs in WebAssembly where it can (tree-shap-leaf-masks-wasm.ts, the tables copied into
 * its memory on the first row), with the same values bit for bit; this class's JavaScript pass is
 * the one it replaces, and runs where WebAssembly is missing or switched off (setWasmTreeShap).
 */
export class LeafMaskShap {
  private readonly xLeft: Uint8Array;
  /** The WebAssembly pass, built on the first row for its nOut (null: not available). */
  private kernel: LeafMaskKernel | null | undefined;
  private kernelOut = 0;

  private constructor(
    private readonly e: Ensemble,
    /** Per leaf: its node, its tree. */
    private readonly leafNode: Int32Array,
    private readonly leafTree: Int32Array,
    /** Per leaf (length leaves + 1): its distinct path features, in bit order. */
    private readonly featStart: Int32Array,
    private readonly feats: Int32Array,
    /** Per leaf (length leaves + 1): its path's splits, the way the path goes, the feature's bit. */
    private readonly condStart: Int32Array,
    private readonly condNode: Int32Array,
    private readonly condLeft: Uint8Array,
    private readonly condBit: Int32Array,
    /** Per leaf (length leaves + 1): its groups of references with one mask B. */
    private readonly groupStart: Int32Array,
    private readonly groupMask: Int32Array,
    /** Per group (length groups + 1): its references. */
    private readonly refStart: Int32Array,
    private readonly refs: Int32Array,
    private readonly nRefs: number,
    private readonly weights: ShapleyWeights,
  ) {
    this.xLeft = new Uint8Array(e.left.length);
  }

  /** The tables for these background rows, or null when they would be too large. */
  static build(e: Ensemble, background: readonly Float64Array[], weights: ShapleyWeights): LeafMaskShap | null {
    const R = background.length;
    let leaves = 0;
    for (let i = 0; i < e.left.length; i++) if (e.left[i] < 0) leaves++;
    if (leaves * R > MAX_ENTRIES) return null;
    const nNodes = e.left.length;
    // Each reference's direction at every split.
    const refLeft = new Uint8Array(R * nNodes);
    for (let b = 0; b < R; b++) {
      const row = background[b];
      const o = b * nNodes;
      for (let i = 0; i < nNodes; i++) {
        const l = e.left[i];
        if (l >= 0) refLeft[o + i] = childFor(e, i, row[e.feature[i]]) === l ? 1 : 0;
      }
    }
    const leafNode = new Int32Array(leaves);
    const leafTree = new Int32Array(leaves);
    const featStart = new Int32Array(leaves + 1);
    const condStart = new Int32Array(leaves + 1);
    const groupStart = new Int32Array(leaves + 1);
    const feats: number[] = [];
    const condNode: number[] = [];
    const condLeft: number[] = [];
    const condBit: number[] = [];
    const groupMask: number[] = [];
    const refStart: number[] = [0];
    const refs: number[] = [];
    // The path from the root: nodes, the way taken.
    const pathNode: number[] = [];
    const pathLeft: number[] = [];
    const bitOf = new Map<number, number>();
    const byMask = new Map<number, number[]>();
    let leaf = 0;
    let tooDeep = false;
    const addLeaf = (node: number, t: number): void => {
      leafNode[leaf] = node;
      leafTree[leaf] = t;
      bitOf.clear();
      for (let k = 0; k < pathNode.length; k++) {
        const f = e.feature[pathNode[k]];
        let bit = bitOf.get(f);
        if (bit === undefined) {
          bit = bitOf.size;
          bitOf.set(f, bit);
          feats.push(f);
        }
        condNode.push(pathNode[k]);
        condLeft.push(pathLeft[k]);
        condBit.push(bit);
      }
      if (bitOf.size > MAX_PATH_FEATURES) {
        tooDeep = true;
        return;
      }
      byMask.clear();
      const c0 = condStart[leaf];
      const c1 = condNode.length;
      const full = (1 << bitOf.size) - 1;
      for (let b = 0; b < R; b++) {
        const o = b * nNodes;
        let m = full;
        for (let c = c0; c < c1; c++) if (refLeft[o + condNode[c]] !== condLeft[c]) m &= ~(1 << condBit[c]);
        let g = byMask.get(m);
        if (!g) byMask.set(m, (g = []));
        g.push(b);
      }
      for (const [m, g] of byMask) {
        groupMask.push(m);
        for (const b of g) refs.push(b);
        refStart.push(refs.length);
      }
      leaf++;
      featStart[leaf] = feats.length;
      condStart[leaf] = condNode.length;
      groupStart[leaf] = groupMask.length;
    };
    const visit = (node: number, t: number): void => {
      if (tooDeep) return;
      if (e.left[node] < 0) {
        addLeaf(node, t);
        return;
      }
      pathNode.push(node);
      pathLeft.push(1);
      visit(e.left[node], t);
      pathLeft[pathLeft.length - 1] = 0;
      visit(e.right[node], t);
      pathNode.pop();
      pathLeft.pop();
    };
    for (let t = 0; t < e.nTrees && !tooDeep; t++) visit(e.roots[t], t);
    if (tooDeep) return null;
    return new LeafMaskShap(
      e,
      leafNode,
      leafTree,
      featStart,
      Int32Array.from(feats),
      condStart,
      Int32Array.from(condNode),
      Uint8Array.from(condLeft),
      Int32Array.from(condBit),
      groupStart,
      Int32Array.from(groupMask),
      Int32Array.from(refStart),
      Int32Array.from(refs),
      R,
      weights,
    );
  }

  /**
   * Add every tree for row x to out (features x nOut, from `offset`), reference b weighted by
   * refWeight[b] (1/R for plain averages; the link rescaling folds in here), leaf values × scale.
   */
  explain(
    x: Float64Array,
    refWeight: Float64Array,
    out: Float64Array,
    offset: number,
    nOut: number,
    scale: number,
  ): void {
    if (wasmTreeShapSwitchedOn()) {
      if (this.kernel === undefined || this.kernelOut !== nOut) {
        this.kernel = createLeafMaskKernel(this.tables(), nOut);
        this.kernelOut = nOut;
      }
      if (this.kernel?.explain(x, refWeight, out, offset, nOut, scale)) return;
    }
    const e = this.e;
    const left = e.left;
    const feature = e.feature;
    const xLeft = this.xLeft;
    for (let i = 0; i < left.length; i++) {
      const l = left[i];
      if (l >= 0) xLeft[i] = childFor(e, i, x[feature[i]]) === l ? 1 : 0;
    }
    const { featStart, feats, condStart, condNode, condLeft, condBit, groupStart, groupMask, refStart, refs } = this;
    const W = e.valueWidth;
    const value = e.value;
    const leaves = this.leafNode.length;
    for (let L = 0; L < leaves; L++) {
      const fs = featStart[L];
      const nf = featStart[L + 1] - fs;
      const full = (1 << nf) - 1;
      let A = full;
      for (let c = condStart[L]; c < condStart[L + 1]; c++)
        if (xLeft[condNode[c]] !== condLeft[c]) A &= ~(1 << condBit[c]);
      const node = this.leafNode[L];
      const lo = W === 1 ? e.treeOutput[this.leafTree[L]] : -1;
      for (let g = groupStart[L]; g < groupStart[L + 1]; g++) {
        const m = groupMask[g];
        if ((A | m) !== full) continue;
        const xs = A & ~m;
        const rs = m & ~A;
        const nx = popcount(xs);
        const nr = popcount(rs);
        const n = nx + nr;
        if (n === 0) continue;
        let s = 0;
        for (let k = refStart[g]; k < refStart[g + 1]; k++) s += refWeight[refs[k]];
        s *= scale;
        const pos = nx > 0 ? this.weights.get(nx - 1, n) * s : 0;
        const neg = nr > 0 ? this.weights.get(nx, n) * s : 0;
        for (let w = 0; w < (lo >= 0 ? 1 : W); w++) {
          const v = value[node * W + w];
          const o = offset + (lo >= 0 ? lo : w);
          for (let bits = xs; bits !== 0; bits &= bits - 1)
            out[o + feats[fs + 31 - Math.clz32(bits & -bits)] * nOut] += pos * v;
          for (let bits = rs; bits !== 0; bits &= bits - 1)
            out[o + feats[fs + 31 - Math.clz32(bits & -bits)] * nOut] -= neg * v;
        }
      }
    }
  }

  private tables(): LeafMaskTables {
    return {
      tree: this.e,
      leafNode: this.leafNode,
      leafTree: this.leafTree,
      featStart: this.featStart,
      feats: this.feats,
      condStart: this.condStart,
      condNode: this.condNode,
      condLeft: this.condLeft,
      condBit: this.condBit,
      groupStart: this.groupStart,
      groupMask: this.groupMask,
      refStart: this.refStart,
      refs: this.refs,
      nRefs: this.nRefs,
      weight: (s, n) => this.weights.get(s, n),
    };
  }
}

function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
