import type { Matrix } from '@campaign-ml/core';
import { instantiateMlpKernels, wasmMlpOn, type MlpKernels } from './mlp-kernels';
import { activate, outputLoss, predictNetworkJs, type MlpNetwork } from './mlp-network';

/**
 * A network in WebAssembly memory, driven by the kernels of mlp-kernels.ts: the weights, the
 * per-layer activations and deltas of up to `capacity` rows, and (for training) the gradient, the
 * Adam moments and a transposed weight block. Inputs are compressed rows (CsrBlock) in the same
 * memory. Same arithmetic in the same order as forward/backward in mlp-network.ts and the Adam loop
 * in train-mlp.ts, so weights and outputs are bit for bit those of the JavaScript.
 */
export class WasmNetwork {
  readonly net: MlpNetwork;
  /** The weights, live in the instance's memory (same layout as net.weights). */
  readonly weights: Float64Array;
  readonly #k: MlpKernels;
  readonly #f64: Float64Array;
  readonly #i32: Int32Array;
  /** Byte addresses. */
  readonly #W: number;
  readonly #G: number;
  readonly #M1: number;
  readonly #M2: number;
  readonly #WT: number;
  readonly #acts: number[];
  readonly #deltas: number[];
  readonly #rows: number;
  readonly #target: number;
  readonly #capacity: number;

  private constructor(net: MlpNetwork, k: MlpKernels, buffer: ArrayBuffer, layout: Layout, capacity: number) {
    this.net = net;
    this.#k = k;
    this.#f64 = new Float64Array(buffer);
    this.#i32 = new Int32Array(buffer);
    this.#W = layout.W;
    this.#G = layout.G;
    this.#M1 = layout.M1;
    this.#M2 = layout.M2;
    this.#WT = layout.WT;
    this.#acts = layout.acts;
    this.#deltas = layout.deltas;
    this.#rows = layout.rows;
    this.#target = layout.target;
    this.#capacity = capacity;
    this.weights = this.#f64.subarray(layout.W / 8, layout.W / 8 + net.weights.length);
    this.weights.set(net.weights);
  }

  /**
   * A copy of `net` in WebAssembly for batches of up to `capacity` rows, with room for input blocks
   * of the given shapes (rows, non-zeros); `train` adds what training needs. Null without
   * WebAssembly SIMD or when the memory would be too large: the caller keeps the JavaScript path.
   */
  static create(
    net: MlpNetwork,
    capacity: number,
    blocks: readonly { rows: number; nnz: number }[],
    train: boolean,
  ): { network: WasmNetwork; blocks: CsrBlock[] } | null {
    const alloc = new Allocator();
    const P = net.weights.length;
    const L = net.layers;
    const layout: Layout = {
      W: alloc.f64(P),
      G: train ? alloc.f64(P) : 0,
      M1: train ? alloc.f64(P) : 0,
      M2: train ? alloc.f64(P) : 0,
      WT: 0,
      acts: [0],
      deltas: [0],
      rows: alloc.i32(capacity),
      target: train ? alloc.f64(capacity * net.sizes[L]) : 0,
    };
    let maxBlock = 0;
    for (let l = 1; l <= L; l++) {
      layout.acts.push(alloc.f64(capacity * net.sizes[l]));
      layout.deltas.push(train ? alloc.f64(capacity * net.sizes[l]) : 0);
      if (l < L) maxBlock = Math.max(maxBlock, net.sizes[l] * net.sizes[l + 1]);
    }
    if (train) layout.WT = alloc.f64(maxBlock);
    const at = blocks.map((b) => ({
      ptr: alloc.i32(b.rows + 1),
      idx: alloc.i32(b.nnz),
      val: alloc.f64(b.nnz),
      rows: b.rows,
      nnz: b.nnz,
    }));
    const inst = instantiateMlpKernels(alloc.bytes);
    if (!inst) return null;
    const network = new WasmNetwork(net, inst.kernels, inst.memory.buffer, layout, capacity);
    const buf = inst.memory.buffer;
    return {
      network,
      blocks: at.map((b) => ({
        ptr: b.ptr,
        idx: b.idx,
        val: b.val,
        ptrs: new Int32Array(buf, b.ptr, b.rows + 1),
        cols: new Int32Array(buf, b.idx, b.nnz),
        values: new Float64Array(buf, b.val, b.nnz),
      })),
    };
  }

  /** Row numbers (of a block) for the next batch, as an Int32Array view to fill. */
  get rowList(): Int32Array {
    return this.#i32.subarray(this.#rows / 4, this.#rows / 4 + this.#capacity);
  }

  /** Targets of the next training batch (B x outDim row-major) as a view to fill. */
  get targets(): Float64Array {
    return this.#f64.subarray(this.#target / 8, this.#target / 8 + this.#capacity * this.net.sizes[this.net.layers]);
  }

  /** Forward pass of rows rowList[0..B) of `block`; returns the outputs (a view, B x outDim). */
  forward(block: CsrBlock, B: number): Float64Array {
    const net = this.net;
    const k = this.#k;
    const L = net.layers;
    for (let l = 0; l < L; l++) {
      const fanIn = net.sizes[l];
      const fanOut = net.sizes[l + 1];
      const wo = this.#W + 8 * net.wOff[l];
      const bo = wo + 8 * fanIn * fanOut;
      const Z = this.#acts[l + 1];
      if (l === 0) k.fwdSparse(this.#rows, B, block.ptr, block.idx, block.val, wo, bo, Z, fanOut);
      else if (fanOut === 1) k.fwdDense1(this.#acts[l], B, fanIn, wo, bo, Z);
      else k.fwdDense(this.#acts[l], B, fanIn, wo, bo, Z, fanOut);
      const last = l === L - 1;
      if (!last && net.activation === 'relu') k.relu(Z, B * fanOut);
      else if (!last || net.output !== 'identity') activate(net, this.#view(Z, B * fanOut), B, fanOut, last);
    }
    return this.#view(this.#acts[L], B * net.sizes[L]);
  }

  /** Gradient of the batch just passed forward, against `targets`; returns the loss (as backward). */
  backward(block: CsrBlock, B: number, alpha: number): number {
    const net = this.net;
    const k = this.#k;
    const L = net.layers;
    const outDim = net.sizes[L];
    const loss = outputLoss(
      net,
      this.#view(this.#acts[L], B * outDim),
      this.targets,
      this.#view(this.#deltas[L], B * outDim),
      B,
    );
    let wsq = 0;
    for (let l = L - 1; l >= 0; l--) {
      const fanIn = net.sizes[l];
      const fanOut = net.sizes[l + 1];
      const wo = 8 * net.wOff[l];
      const bo = wo + 8 * fanIn * fanOut;
      const D = this.#deltas[l + 1];
      wsq = k.regGrad(this.#W + wo, this.#G + wo, fanIn * fanOut, alpha / B, wsq);
      k.biasGrad(D, B, this.#G + bo, fanOut);
      if (l === 0) k.gradSparse(this.#rows, B, block.ptr, block.idx, block.val, D, this.#G + wo, fanOut);
      else {
        if (fanOut === 1) k.gradDense1(this.#acts[l], B, fanIn, D, this.#G + wo);
        else k.gradDense(this.#acts[l], B, fanIn, D, this.#G + wo, fanOut);
        k.transpose(this.#W + wo, fanIn, fanOut, this.#WT);
        k.backDelta(D, B, fanOut, this.#WT, this.#acts[l], this.#deltas[l], fanIn, net.activation === 'tanh' ? 1 : 0);
      }
    }
    return loss + (0.5 * alpha * wsq) / B;
  }

  /** One Adam update of every weight from the gradient (lr bias-corrected by the caller). */
  adam(lr: number, beta1: number, beta2: number, epsilon: number): void {
    this.#k.adam(
      this.#W,
      this.#G,
      this.#M1,
      this.#M2,
      this.weights.length,
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      lr,
      epsilon,
    );
  }

  /**
   * Outputs (a fresh n x outDim array) for rows 0..n of `block`, or for its rows `rowIds` (n of
   * them), `capacity` rows at a time.
   */
  predict(block: CsrBlock, n: number, rowIds?: ArrayLike<number>): Float64Array {
    const outDim = this.net.sizes[this.net.layers];
    const out = new Float64Array(n * outDim);
    const rows = this.rowList;
    for (let s = 0; s < n; s += this.#capacity) {
      const B = Math.min(this.#capacity, n - s);
      for (let r = 0; r < B; r++) rows[r] = rowIds ? rowIds[s + r] : s + r;
      out.set(this.forward(block, B), s * outDim);
    }
    return out;
  }

  #view(at: number, length: number): Float64Array {
    return this.#f64.subarray(at / 8, at / 8 + length);
  }
}

/** Compressed rows in a WebAssembly memory: byte addresses, and views to fill them through. */
export interface CsrBlock {
  ptr: number;
  idx: number;
  val: number;
  /** Row r's values are at [ptrs[r], ptrs[r + 1]). */
  ptrs: Int32Array;
  cols: Int32Array;
  values: Float64Array;
}

interface Layout {
  W: number;
  G: number;
  M1: number;
  M2: number;
  WT: number;
  acts: number[];
  deltas: number[];
  rows: number;
  target: number;
}

/** Hands out 16-byte aligned byte ranges. */
class Allocator {
  bytes = 0;
  f64(n: number): number {
    return this.take(8 * n);
  }
  i32(n: number): number {
    return this.take(4 * n);
  }
  private take(b: number): number {
    const at = this.bytes;
    this.bytes = Math.ceil((at + b) / 16) * 16;
    return at;
  }
}

/** Non-zero values in rows [r0, r1) of column-major X. */
export function countNonZeros(X: Matrix, r0: number, r1: number): number {
  const { rows: n, cols: p, data } = X;
  let nnz = 0;
  for (let c = 0; c < p; c++) {
    const off = c * n;
    for (let r = r0; r < r1; r++) if (data[off + r] !== 0) nnz++;
  }
  return nnz;
}

/**
 * Rows [r0, r1) of column-major X into `block` as compressed rows (block row r is X row r0 + r):
 * the non-zero values (`a !== 0`, the values the JavaScript forward pass does not skip) with their
 * columns, ascending within each row.
 */
export function fillCsr(X: Matrix, r0: number, r1: number, block: CsrBlock): void {
  const { rows: n, cols: p, data } = X;
  const m = r1 - r0;
  const { ptrs, cols, values } = block;
  ptrs.fill(0, 0, m + 1);
  for (let c = 0; c < p; c++) {
    const off = c * n + r0;
    for (let r = 0; r < m; r++) if (data[off + r] !== 0) ptrs[r + 1]++;
  }
  for (let r = 0; r < m; r++) ptrs[r + 1] += ptrs[r];
  const next = ptrs.slice(0, m);
  for (let c = 0; c < p; c++) {
    const off = c * n + r0;
    for (let r = 0; r < m; r++) {
      const v = data[off + r];
      if (v !== 0) {
        const k = next[r]++;
        cols[k] = c;
        values[k] = v;
      }
    }
  }
}

/** Network outputs for every row of X (n x outDim row-major): in WebAssembly where it runs, else in JavaScript. */
export function predictNetwork(net: MlpNetwork, X: Matrix): Float64Array {
  return (wasmMlpOn() && predictNetworkWasm(net, X)) || predictNetworkJs(net, X);
}

/**
 * Per network: its WebAssembly copy for prediction, kept while it is large enough, so a server
 * scoring one record at a time does not instantiate a module and its memory per call. The
 * weights are copied in again on every use (training predicts with a network it keeps changing).
 */
const PREDICTORS = new WeakMap<MlpNetwork, { network: WasmNetwork; blocks: CsrBlock[]; rows: number; nnz: number }>();

function predictionNetwork(
  net: MlpNetwork,
  rows: number,
  nnz: number,
): { network: WasmNetwork; blocks: CsrBlock[] } | null {
  const kept = PREDICTORS.get(net);
  if (kept && kept.rows >= rows && kept.nnz >= nnz) {
    kept.network.weights.set(net.weights);
    return kept;
  }
  // Room for a little more than asked, so slowly growing batches do not rebuild it every call.
  const r = Math.max(rows, kept?.rows ?? 0);
  const z = Math.max(nnz, kept?.nnz ?? 0, Math.ceil(nnz * 1.25));
  const made = WasmNetwork.create(net, r, [{ rows: r, nnz: z }], false);
  if (made) PREDICTORS.set(net, { ...made, rows: r, nnz: z });
  return made;
}

function predictNetworkWasm(net: MlpNetwork, X: Matrix): Float64Array | null {
  const n = X.rows;
  const chunk = Math.max(1, Math.min(n, 1024));
  let maxNnz = 0;
  for (let s = 0; s < n; s += chunk) maxNnz = Math.max(maxNnz, countNonZeros(X, s, Math.min(n, s + chunk)));
  const made = predictionNetwork(net, chunk, maxNnz);
  if (!made) return null;
  const { network, blocks } = made;
  const outDim = net.sizes[net.layers];
  const out = new Float64Array(n * outDim);
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    fillCsr(X, s, e, blocks[0]);
    out.set(network.predict(blocks[0], e - s), s * outDim);
  }
  return out;
}
