import { InputError } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';
import type { TreeArrays } from './tree-arrays';
import { flattenTrees, unflattenTrees } from './flat-ensemble';
import type { EnsembleLayout, FlatEnsemble } from './flat-ensemble';
import { checkLoadedEnsemble, ensembleFromJSON, ensembleToJSON } from './ensemble-json';
import type { EnsembleJSON } from './ensemble-json';
import { CAT_WORDS } from './splitting';
import { lockstepLayout } from './lockstep-layout';
import type { LockstepLayout } from './lockstep-layout';
import { completeLayout } from './complete-layout';
import type { CompleteLayout } from './complete-layout';
import { createPackedWalker, wasmWalkOn } from './packed-walk-wasm';
import type { PackedWalker } from './packed-walk-wasm';

/** How feature importance is counted: total split gain, total cover (hessian) of splits, or split count. */
export type ImportanceType = 'gain' | 'cover' | 'weight';

const BLOCK = 2048;

/**
 * The fitted trees of a model, stored flat (flat-ensemble.ts; saved by ensemble-json.ts) and laid
 * out once more for the walks (lockstep-layout.ts, complete-layout.ts, packed-layout.ts), and their
 * prediction: one tight loop per tree over a block of rows, with no per-row allocation.
 */
export class TreeEnsemble implements FlatEnsemble {
  readonly nTrees: number;
  readonly nOutputs: number;
  readonly valueWidth: number;
  readonly treeOutput: Int32Array;
  readonly baseScore: Float64Array;
  readonly scale: number;
  /** Node offset of each tree (length nTrees + 1). */
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly defaultLeft: Uint8Array;
  readonly catOffset: Int32Array;
  readonly catBits: Uint32Array;
  readonly value: Float64Array;
  readonly cover: Float64Array;
  readonly gain: Float64Array;

  private constructor(a: FlatEnsemble) {
    this.nTrees = a.roots.length - 1;
    this.nOutputs = a.nOutputs;
    this.valueWidth = a.valueWidth;
    this.treeOutput = a.treeOutput;
    this.baseScore = a.baseScore;
    this.scale = a.scale;
    this.roots = a.roots;
    this.feature = a.feature;
    this.threshold = a.threshold;
    this.left = a.left;
    this.right = a.right;
    this.defaultLeft = a.defaultLeft;
    this.catOffset = a.catOffset;
    this.catBits = a.catBits;
    this.value = a.value;
    this.cover = a.cover;
    this.gain = a.gain;
    this.lockstep = lockstepLayout(this);
    this.complete = completeLayout(this, this.lockstep);
    Object.freeze(this);
  }

  private readonly lockstep: LockstepLayout;
  private readonly complete: CompleteLayout | null;

  static fromTrees(trees: readonly TreeArrays[], layout: EnsembleLayout): TreeEnsemble {
    return new TreeEnsemble(flattenTrees(trees, layout));
  }

  /** The first `nTrees` trees (early stopping keeps the best iteration). */
  truncate(nTrees: number): TreeEnsemble {
    if (nTrees >= this.nTrees) return this;
    return TreeEnsemble.fromTrees(this.trees().slice(0, nTrees), this.layout(nTrees));
  }

  private layout(nTrees = this.nTrees): EnsembleLayout {
    return {
      nOutputs: this.nOutputs,
      valueWidth: this.valueWidth,
      treeOutput: this.treeOutput.slice(0, nTrees),
      baseScore: this.baseScore,
      scale: this.scale,
    };
  }

  /** Raw scores (margins), rows x nOutputs row-major. X must have the fitted column count. */
  predictRaw(X: Matrix): Float64Array {
    const n = X.rows;
    const K = this.nOutputs;
    const out = new Float64Array(n * K);
    for (let r = 0; r < n; r++) for (let k = 0; k < K; k++) out[r * K + k] = this.baseScore[k];
    for (let t = 0; t < this.nTrees; t++) this.addTree(t, X, out, 0, n);
    return out;
  }

  /**
   * Add tree t's (scaled) output for rows [from, to) of X into out (rows x nOutputs).
   * Prediction walks one tree over a block of rows at a time, so the tree stays in cache.
   */
  addTree(t: number, X: Matrix, out: Float64Array, from: number, to: number): void {
    for (let b = from; b < to; b += BLOCK) this.addTreeBlock(t, X, out, b, Math.min(to, b + BLOCK));
  }

  /**
   * Raw scores with every tree applied block by block (the fast path for big batches): each block
   * of rows is copied row-major once, so a row's features share a cache line or two, then every
   * tree walks it with a branch-free step (children are adjacent: right = left + 1).
   */
  predictRawBlocked(X: Matrix): Float64Array {
    const n = X.rows;
    const cols = X.cols;
    const K = this.nOutputs;
    const out = new Float64Array(n * K);
    for (let r = 0; r < n; r++) for (let k = 0; k < K; k++) out[r * K + k] = this.baseScore[k];
    // Buffers sized to the rows at hand: a single-record request must not pay for a 2048-row block.
    const blockRows = Math.min(n, BLOCK);
    const buf = new Float64Array(blockRows * cols);
    const data = X.data;
    const cp = this.complete;
    const wasm = cp && cp.packed && this.valueWidth === 1 && wasmWalkOn() ? this.packedWalker(cp, cols) : null;
    const codes = cp && cp.packed && !wasm ? new Uint8Array(Math.ceil(blockRows / 8) * 8 * cols) : null;
    for (let b = 0; b < n; b += BLOCK) {
      const e = Math.min(n, b + BLOCK);
      // Fast path: code the block once against the model's thresholds, then walk on bytes.
      // In WebAssembly when available (same steps, bit-identical scores), else in JavaScript.
      if (wasm && wasm.encode(data, n, b, e)) {
        const len = (e - b) * K;
        const o = wasm.out;
        for (let j = 0; j < len; j++) o[j] = out[b * K + j];
        wasm.run(e - b, this.scale);
        for (let j = 0; j < len; j++) out[b * K + j] = o[j];
        continue;
      }
      if (cp && codes && this.encodeBlock(cp, data, n, cols, b, e, codes)) {
        for (let t = 0; t < this.nTrees; t++) this.addTreePacked(cp, t, codes, cols, e - b, out, b);
        continue;
      }
      for (let c = 0; c < cols; c++) {
        const off = c * n;
        for (let r = b; r < e; r++) buf[(r - b) * cols + c] = data[off + r];
      }
      const c = this.complete;
      if (c) {
        let nan = false;
        const len = (e - b) * cols;
        for (let i = 0; i < len && !nan; i++) nan = buf[i] !== buf[i];
        for (let t = 0; t < this.nTrees; t++) this.addTreeComplete(c, t, buf, cols, e - b, out, b, nan);
      } else if (this.lockstep.hasCategorical) for (let t = 0; t < this.nTrees; t++) this.addTreeRowMajor(t, buf, cols, e - b, out, b);
      else for (let t = 0; t < this.nTrees; t++) this.addTreeLockstep(t, buf, cols, e - b, out, b);
    }
    return out;
  }

  /** The WebAssembly walk of this model (made on first use, kept with the model), or null. */
  private packedWalker(cp: CompleteLayout, cols: number): PackedWalker | null {
    const kept = WALKERS.get(this);
    if (kept && kept.cols === cols) return kept.walker;
    const w = createPackedWalker(
      {
        nTrees: this.nTrees,
        nOutputs: this.nOutputs,
        nodeBase: cp.nodeBase,
        leafBase: cp.leafBase,
        depth: cp.depth,
        treeOutput: this.treeOutput,
        packed: cp.packed!,
        value: cp.value,
        cuts: cp.cuts,
        grids: cp.grids,
      },
      cols,
      BLOCK,
    );
    WALKERS.set(this, { cols, walker: w });
    return w;
  }

  /**
   * Codes of rows [b, e) into `codes` (code = number of the feature's cuts below the value), in
   * groups of eight rows: row i's code of feature f at `(i >> 3) * 8 * cols + 8 * f + (i & 7)`, so
   * the eight rows walking a tree together find theirs at one offset from one base. Returns
   * false, leaving the block to the float path, when it holds a NaN.
   */
  private encodeBlock(cp: CompleteLayout, data: Float64Array, n: number, cols: number, b: number, e: number, codes: Uint8Array): boolean {
    for (let c = 0; c < cols; c++) {
      const cuts = cp.cuts[c];
      const off = c * n;
      if (!cuts) {
        for (let r = b; r < e; r++) if (data[off + r] !== data[off + r]) return false;
        continue;
      }
      const grid = cp.grids[c];
      const { lo, inv, G, start, steps } = grid;
      const c8 = c << 3;
      const g8 = cols << 3;
      for (let r = b; r < e; r++) {
        const i = r - b;
        const o = (i >>> 3) * g8 + c8 + (i & 7);
        const x = data[off + r];
        if (x !== x) return false;
        const t = (x - lo) * inv;
        // 0 < t < G <= 16384, so t | 0 is floor(t).
        let k = start[t > 0 ? (t < G ? t | 0 : G) : 0];
        if (steps === 2) {
          k += +(cuts[k] < x);
          k += +(cuts[k] < x);
        } else for (let s = 0; s < steps; s++) k += +(cuts[k] < x);
        codes[o] = k;
      }
    }
    return true;
  }

  /** Packed walk on byte codes: eight rows descend together, one load per node. */
  private addTreePacked(cp: CompleteLayout, t: number, codes: Uint8Array, cols: number, m: number, out: Float64Array, outRow: number): void {
    const nb = cp.nodeBase[t];
    const pk = cp.packed!.subarray(nb, cp.nodeBase[t + 1]);
    const W = this.valueWidth;
    const lb = cp.leafBase[t];
    const cv = cp.value;
    const K = this.nOutputs;
    const scale = this.scale;
    const D = cp.depth[t];
    const leaf0 = lb - (cp.nodeBase[t + 1] - nb);
    const o = W === 1 ? this.treeOutput[t] : 0;
    let i = 0;
    if (W === 1) {
      for (; i + 8 <= m; i += 8) {
        // The group's codes: row k's code of feature f at g + 8 f + k (see encodeBlock).
        const g = i * cols;
        let n0 = 0;
        let n1 = 0;
        let n2 = 0;
        let n3 = 0;
        let n4 = 0;
        let n5 = 0;
        let n6 = 0;
        let n7 = 0;
        for (let d = 0; d < D; d++) {
          const p0 = pk[n0];
          const p1 = pk[n1];
          const p2 = pk[n2];
          const p3 = pk[n3];
          const p4 = pk[n4];
          const p5 = pk[n5];
          const p6 = pk[n6];
          const p7 = pk[n7];
          n0 = ((n0 << 1) | 1) + (((p0 & 255) - codes[g + (p0 >>> 8)]) >>> 31);
          n1 = ((n1 << 1) | 1) + (((p1 & 255) - codes[g + 1 + (p1 >>> 8)]) >>> 31);
          n2 = ((n2 << 1) | 1) + (((p2 & 255) - codes[g + 2 + (p2 >>> 8)]) >>> 31);
          n3 = ((n3 << 1) | 1) + (((p3 & 255) - codes[g + 3 + (p3 >>> 8)]) >>> 31);
          n4 = ((n4 << 1) | 1) + (((p4 & 255) - codes[g + 4 + (p4 >>> 8)]) >>> 31);
          n5 = ((n5 << 1) | 1) + (((p5 & 255) - codes[g + 5 + (p5 >>> 8)]) >>> 31);
          n6 = ((n6 << 1) | 1) + (((p6 & 255) - codes[g + 6 + (p6 >>> 8)]) >>> 31);
          n7 = ((n7 << 1) | 1) + (((p7 & 255) - codes[g + 7 + (p7 >>> 8)]) >>> 31);
        }
        const r = (outRow + i) * K + o;
        out[r] += cv[leaf0 + n0] * scale;
        out[r + K] += cv[leaf0 + n1] * scale;
        out[r + 2 * K] += cv[leaf0 + n2] * scale;
        out[r + 3 * K] += cv[leaf0 + n3] * scale;
        out[r + 4 * K] += cv[leaf0 + n4] * scale;
        out[r + 5 * K] += cv[leaf0 + n5] * scale;
        out[r + 6 * K] += cv[leaf0 + n6] * scale;
        out[r + 7 * K] += cv[leaf0 + n7] * scale;
      }
    }
    for (; i < m; i++) {
      const b0 = (i >>> 3) * (cols << 3) + (i & 7);
      let n0 = 0;
      for (let d = 0; d < D; d++) {
        const p0 = pk[n0];
        n0 = ((n0 << 1) | 1) + (((p0 & 255) - codes[b0 + (p0 >>> 8)]) >>> 31);
      }
      const r = outRow + i;
      const leaf = leaf0 + n0;
      if (W === 1) out[r * K + o] += cv[leaf] * scale;
      else for (let k = 0; k < W; k++) out[r * K + k] += cv[leaf * W + k] * scale;
    }
  }

  /**
   * Complete-layout walk: four rows descend together, D branch-free steps each. Blocks without NaN
   * skip the missing-value term.
   */
  private addTreeComplete(c: CompleteLayout, t: number, buf: Float64Array, cols: number, m: number, out: Float64Array, outRow: number, nan: boolean): void {
    const nb = c.nodeBase[t];
    const cf = c.feature.subarray(nb, c.nodeBase[t + 1]);
    const ct = c.threshold.subarray(nb, c.nodeBase[t + 1]);
    const cn = c.nanRight.subarray(nb, c.nodeBase[t + 1]);
    const W = this.valueWidth;
    const cv = c.value.subarray(c.leafBase[t] * W, c.leafBase[t + 1] * W);
    const K = this.nOutputs;
    const scale = this.scale;
    const D = c.depth[t];
    const internal = cf.length;
    const o = W === 1 ? this.treeOutput[t] : 0;
    let i = 0;
    if (W === 1 && !nan) {
      for (; i + 4 <= m; i += 4) {
        const b0 = i * cols;
        const b1 = b0 + cols;
        const b2 = b1 + cols;
        const b3 = b2 + cols;
        let n0 = 0;
        let n1 = 0;
        let n2 = 0;
        let n3 = 0;
        for (let d = 0; d < D; d++) {
          n0 = 2 * n0 + 1 + +(buf[b0 + cf[n0]] > ct[n0]);
          n1 = 2 * n1 + 1 + +(buf[b1 + cf[n1]] > ct[n1]);
          n2 = 2 * n2 + 1 + +(buf[b2 + cf[n2]] > ct[n2]);
          n3 = 2 * n3 + 1 + +(buf[b3 + cf[n3]] > ct[n3]);
        }
        const r = (outRow + i) * K + o;
        out[r] += cv[n0 - internal] * scale;
        out[r + K] += cv[n1 - internal] * scale;
        out[r + 2 * K] += cv[n2 - internal] * scale;
        out[r + 3 * K] += cv[n3 - internal] * scale;
      }
    }
    for (; i < m; i++) {
      const b0 = i * cols;
      let n0 = 0;
      for (let d = 0; d < D; d++) {
        const x = buf[b0 + cf[n0]];
        n0 = 2 * n0 + 1 + (+(x > ct[n0]) | (+(x !== x) & cn[n0]));
      }
      const r = outRow + i;
      const leaf = n0 - internal;
      if (W === 1) out[r * K + o] += cv[leaf] * scale;
      else for (let k = 0; k < W; k++) out[r * K + k] += cv[leaf * W + k] * scale;
    }
  }

  /** Numeric-only trees: four rows walk the tree together, depth[t] branch-free steps each. */
  private addTreeLockstep(t: number, buf: Float64Array, cols: number, m: number, out: Float64Array, outRow: number): void {
    const wl = this.lockstep.left;
    const wf = this.lockstep.feature;
    const wt = this.lockstep.threshold;
    const wn = this.lockstep.nanRight;
    const value = this.value;
    const W = this.valueWidth;
    const K = this.nOutputs;
    const scale = this.scale;
    const root = this.roots[t];
    const D = this.lockstep.depth[t];
    const o = W === 1 ? this.treeOutput[t] : 0;
    let i = 0;
    if (W === 1) {
      for (; i + 4 <= m; i += 4) {
        const b0 = i * cols;
        const b1 = b0 + cols;
        const b2 = b1 + cols;
        const b3 = b2 + cols;
        let n0 = root;
        let n1 = root;
        let n2 = root;
        let n3 = root;
        for (let d = 0; d < D; d++) {
          const x0 = buf[b0 + wf[n0]];
          const x1 = buf[b1 + wf[n1]];
          const x2 = buf[b2 + wf[n2]];
          const x3 = buf[b3 + wf[n3]];
          n0 = wl[n0] + (+(x0 > wt[n0]) | (+(x0 !== x0) & wn[n0]));
          n1 = wl[n1] + (+(x1 > wt[n1]) | (+(x1 !== x1) & wn[n1]));
          n2 = wl[n2] + (+(x2 > wt[n2]) | (+(x2 !== x2) & wn[n2]));
          n3 = wl[n3] + (+(x3 > wt[n3]) | (+(x3 !== x3) & wn[n3]));
        }
        const r = outRow + i;
        out[r * K + o] += value[n0] * scale;
        out[(r + 1) * K + o] += value[n1] * scale;
        out[(r + 2) * K + o] += value[n2] * scale;
        out[(r + 3) * K + o] += value[n3] * scale;
      }
    }
    for (; i < m; i++) {
      const b0 = i * cols;
      let n0 = root;
      for (let d = 0; d < D; d++) {
        const x0 = buf[b0 + wf[n0]];
        n0 = wl[n0] + (+(x0 > wt[n0]) | (+(x0 !== x0) & wn[n0]));
      }
      const r = outRow + i;
      if (W === 1) out[r * K + o] += value[n0] * scale;
      else for (let k = 0; k < W; k++) out[r * K + k] += value[n0 * W + k] * scale;
    }
  }

  private addTreeRowMajor(t: number, buf: Float64Array, cols: number, m: number, out: Float64Array, outRow: number): void {
    const feature = this.feature;
    const threshold = this.threshold;
    const left = this.left;
    const right = this.right;
    const dl = this.defaultLeft;
    const catOffset = this.catOffset;
    const catBits = this.catBits;
    const value = this.value;
    const W = this.valueWidth;
    const K = this.nOutputs;
    const scale = this.scale;
    const root = this.roots[t];
    const o = W === 1 ? this.treeOutput[t] : 0;
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

  private addTreeBlock(t: number, X: Matrix, out: Float64Array, from: number, to: number): void {
    const data = X.data;
    const n = X.rows;
    const feature = this.feature;
    const threshold = this.threshold;
    const left = this.left;
    const right = this.right;
    const dl = this.defaultLeft;
    const catOffset = this.catOffset;
    const catBits = this.catBits;
    const value = this.value;
    const W = this.valueWidth;
    const K = this.nOutputs;
    const scale = this.scale;
    const root = this.roots[t];
    const o = W === 1 ? this.treeOutput[t] : 0;
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

  /** Per-tree arrays with tree-local child indices (for TreeSHAP and inspection). */
  trees(): TreeArrays[] {
    return unflattenTrees(this);
  }

  /** Importance per feature, normalized to sum to 1 (all zeros when no tree splits). */
  importances(type: ImportanceType, nFeatures: number): Float64Array {
    if (type !== 'gain' && type !== 'cover' && type !== 'weight') {
      throw new InputError('INVALID_ARGUMENT', `importance type "${String(type)}" is unknown`, { value: type, expected: "'gain' | 'cover' | 'weight'" });
    }
    const imp = new Float64Array(nFeatures);
    for (let i = 0; i < this.feature.length; i++) {
      const f = this.feature[i];
      if (f < 0) continue;
      imp[f] += type === 'gain' ? this.gain[i] : type === 'cover' ? this.cover[i] : 1;
    }
    let sum = 0;
    for (let f = 0; f < nFeatures; f++) sum += imp[f];
    if (sum > 0) for (let f = 0; f < nFeatures; f++) imp[f] /= sum;
    return imp;
  }

  toJSON(): EnsembleJSON {
    return ensembleToJSON(this);
  }

  static fromJSON(j: EnsembleJSON): TreeEnsemble {
    const e = new TreeEnsemble(ensembleFromJSON(j));
    checkLoadedEnsemble(e);
    return e;
  }
}

/** The WebAssembly walk of each ensemble (an ensemble itself is frozen), for one column count. */
const WALKERS = new WeakMap<TreeEnsemble, { cols: number; walker: PackedWalker | null }>();
