import { InputError } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';
import type { TreeArrays } from './tree-arrays';
import { flattenTrees, unflattenTrees } from './flat-ensemble';
import type { EnsembleLayout, FlatEnsemble } from './flat-ensemble';
import { checkLoadedEnsemble, ensembleFromJSON, ensembleToJSON } from './ensemble-json';
import type { EnsembleJSON } from './ensemble-json';
import { lockstepLayout } from './lockstep-layout';
import type { LockstepLayout } from './lockstep-layout';
import { completeLayout } from './complete-layout';
import type { CompleteLayout } from './complete-layout';
import { addTreeBlock, addTreeRowMajor } from './node-walk';
import { addTreeLockstep } from './lockstep-walk';
import { addTreeComplete } from './complete-walk';
import { addTreePacked, encodeBlock } from './packed-walk';
import { createPackedWalker, wasmWalkOn } from './packed-walk-wasm';
import type { PackedWalker } from './packed-walk-wasm';
import { createLockstepWalker, wasmLockstepWalkOn } from './lockstep-walk-wasm';
import type { LockstepWalker } from './lockstep-walk-wasm';

/** How feature importance is counted: total split gain, total cover (hessian) of splits, or split count. */
export type ImportanceType = 'gain' | 'cover' | 'weight';

/** Rows per block: a block's row-major copy or codes stay in cache while every tree walks it. */
const BLOCK = 2048;

/**
 * The fitted trees of a model and their prediction: raw values in, raw scores out. The trees are
 * stored flat (flat-ensemble.ts; saved by ensemble-json.ts) and laid out once more for the walks
 * (lockstep-layout.ts, complete-layout.ts, packed-layout.ts); batch prediction picks, per block of
 * rows, the fastest walk the model and the block allow:
 *
 *   walk                                     when
 *   packed, WebAssembly (packed-walk-wasm)   complete layout, thresholds pack, one value per leaf,
 *                                            no NaN in the block
 *   packed, JavaScript (packed-walk)         the same without WebAssembly, or leaf vectors
 *   complete float walk (complete-walk)      complete layout, and a NaN in the block or no packing
 *   lockstep, WebAssembly (lockstep-walk-wasm)  numeric trees deeper than the complete layout
 *                                            takes, one value per leaf; rows stop at their leaves
 *   lockstep walk (lockstep-walk)            the same without WebAssembly, or leaf vectors
 *   node walk (node-walk)                    categorical splits; also addTree, the reference walk
 *
 * Every walk gives the node walk's scores bit for bit (the same compares, and one
 * `out += value * scale` per tree and row, in tree order); the tests hold them to it.
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
  readonly count?: Float64Array;
  readonly gain: Float64Array;

  private readonly lockstep: LockstepLayout;
  private readonly complete: CompleteLayout | null;

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
    if (a.count) this.count = a.count;
    this.gain = a.gain;
    this.lockstep = lockstepLayout(this);
    this.complete = completeLayout(this, this.lockstep);
    Object.freeze(this);
  }

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
    for (let b = from; b < to; b += BLOCK) addTreeBlock(this, t, X, out, b, Math.min(to, b + BLOCK));
  }

  /**
   * Raw scores with every tree applied block by block (the fast path for big batches): each block
   * of rows is coded to bytes, or copied row-major once so a row's features share a cache line or
   * two, then every tree walks it (the walks in the table above).
   */
  predictRawBlocked(X: Matrix): Float64Array {
    const n = X.rows;
    const cols = X.cols;
    const K = this.nOutputs;
    const out = new Float64Array(n * K);
    for (let r = 0; r < n; r++) for (let k = 0; k < K; k++) out[r * K + k] = this.baseScore[k];
    // Buffers sized to the rows at hand: a single-record request must not pay for a 2048-row block.
    const blockRows = Math.min(n, BLOCK);
    const data = X.data;
    const cp = this.complete;
    const wasm = cp && cp.packed && this.valueWidth === 1 && wasmWalkOn() ? this.packedWalker(cp, cols) : null;
    const codes = cp && cp.packed && !wasm ? new Uint8Array(Math.ceil(blockRows / 8) * 8 * cols) : null;
    const deep =
      !cp && !this.lockstep.hasCategorical && this.valueWidth === 1 && wasmLockstepWalkOn()
        ? this.lockstepWalker(cols)
        : null;
    const buf = new Float64Array(deep ? 0 : blockRows * cols);
    for (let b = 0; b < n; b += BLOCK) {
      const e = Math.min(n, b + BLOCK);
      // Fast path: code the block once against the model's thresholds, then walk on bytes.
      // In WebAssembly when available (same steps, bit-identical scores), else in JavaScript.
      if (wasm && wasm.encode(data, n, b, e)) {
        walkBlock(wasm, out, b, e, K, this.scale);
        continue;
      }
      if (cp && codes && encodeBlock(cp, data, n, cols, b, e, codes)) {
        for (let t = 0; t < this.nTrees; t++) addTreePacked(this, cp, t, codes, cols, e - b, out, b);
        continue;
      }
      if (deep) {
        const rowsBuf = deep.rows;
        for (let c = 0; c < cols; c++) {
          const off = c * n;
          for (let r = b; r < e; r++) rowsBuf[(r - b) * cols + c] = data[off + r];
        }
        walkBlock(deep, out, b, e, K, this.scale);
        continue;
      }
      for (let c = 0; c < cols; c++) {
        const off = c * n;
        for (let r = b; r < e; r++) buf[(r - b) * cols + c] = data[off + r];
      }
      if (cp) {
        let nan = false;
        const len = (e - b) * cols;
        for (let i = 0; i < len && !nan; i++) nan = buf[i] !== buf[i];
        for (let t = 0; t < this.nTrees; t++) addTreeComplete(this, cp, t, buf, cols, e - b, out, b, nan);
      } else if (this.lockstep.hasCategorical) {
        for (let t = 0; t < this.nTrees; t++) addTreeRowMajor(this, t, buf, cols, e - b, out, b);
      } else {
        for (let t = 0; t < this.nTrees; t++) addTreeLockstep(this, this.lockstep, t, buf, cols, e - b, out, b);
      }
    }
    return out;
  }

  /** The WebAssembly walk of this model (made on first use, kept with the model), or null. */
  private packedWalker(cp: CompleteLayout, cols: number): PackedWalker | null {
    return kept(WALKERS, this, cols, () =>
      createPackedWalker(
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
      ),
    );
  }

  /** The WebAssembly lockstep walk of this model (made on first use, kept with the model), or null. */
  private lockstepWalker(cols: number): LockstepWalker | null {
    return kept(DEEP_WALKERS, this, cols, () =>
      createLockstepWalker(
        {
          nTrees: this.nTrees,
          nOutputs: this.nOutputs,
          roots: this.roots,
          treeOutput: this.treeOutput,
          value: this.value,
          layout: this.lockstep,
        },
        cols,
        BLOCK,
      ),
    );
  }

  /** Per-tree arrays with tree-local child indices (for TreeSHAP and inspection). */
  trees(): TreeArrays[] {
    return unflattenTrees(this);
  }

  /** Importance per feature, normalized to sum to 1 (all zeros when no tree splits). */
  importances(type: ImportanceType, nFeatures: number): Float64Array {
    if (type !== 'gain' && type !== 'cover' && type !== 'weight') {
      throw new InputError('INVALID_ARGUMENT', `importance type "${String(type)}" is unknown`, {
        value: type,
        expected: "'gain' | 'cover' | 'weight'",
      });
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
/** The WebAssembly lockstep walks of models, likewise. */
const DEEP_WALKERS = new WeakMap<TreeEnsemble, { cols: number; walker: LockstepWalker | null }>();

/** A WebAssembly walk of rows [b, e): their scores so far in, every tree added, the sums back out. */
function walkBlock(
  w: { readonly out: Float64Array; run(m: number, scale: number): void },
  out: Float64Array,
  b: number,
  e: number,
  K: number,
  scale: number,
): void {
  const len = (e - b) * K;
  const o = w.out;
  for (let j = 0; j < len; j++) o[j] = out[b * K + j];
  w.run(e - b, scale);
  for (let j = 0; j < len; j++) out[b * K + j] = o[j];
}

/** The walker kept for a model and column count, made by `make` (and kept, null too) on first use. */
function kept<W>(
  walkers: WeakMap<TreeEnsemble, { cols: number; walker: W | null }>,
  e: TreeEnsemble,
  cols: number,
  make: () => W | null,
): W | null {
  const k = walkers.get(e);
  if (k && k.cols === cols) return k.walker;
  const walker = make();
  walkers.set(e, { cols, walker });
  return walker;
}
