import type { Rng } from '@campaign-ml/core';
import { GRU_GATES, gruBackward, gruForward, gruParamCount } from './gru-cell';
import { LSTM_GATES, lstmBackward, lstmForward, lstmParamCount } from './lstm-cell';
import { jsRecurrentMath, recurrentWorkspace, type Alloc, type RecurrentMath } from './recurrent-kernels';
import { LayerBuffers } from './recurrent-layer';
import { lengthOf, type Sequences } from './sequences';

export type RecurrentCell = 'lstm' | 'gru';

/**
 * A stack of recurrent layers and a dense linear head, all weights in one Float64Array:
 * layer l (input sizes[l], hidden sizes[l+1]) at offsets[l] in its cell's layout (lstm-cell.ts,
 * gru-cell.ts), then the head: W (H_top x outputs, row-major) and b (outputs). The head reads the
 * top layer's hidden state at each row's last valid step: one value per output (horizon).
 */
export class RecurrentNetwork {
  readonly cell: RecurrentCell;
  /** [features, hidden 1, ..., hidden k]. */
  readonly sizes: readonly number[];
  readonly outputs: number;
  readonly weights: Float64Array;
  /** Offsets of the layers' weights; offsets[layers] is the head's. */
  readonly offsets: Int32Array;

  constructor(cell: RecurrentCell, sizes: readonly number[], outputs: number, weights?: Float64Array) {
    this.cell = cell;
    this.sizes = Object.freeze([...sizes]);
    this.outputs = outputs;
    const layers = sizes.length - 1;
    this.offsets = new Int32Array(layers + 1);
    const count = cell === 'lstm' ? lstmParamCount : gruParamCount;
    for (let l = 0; l < layers; l++) this.offsets[l + 1] = this.offsets[l] + count(sizes[l], sizes[l + 1]);
    const total = this.offsets[layers] + (sizes[layers] + 1) * outputs;
    if (weights && weights.length !== total) {
      throw new RangeError(`RecurrentNetwork: ${weights.length} weights given, the shape needs ${total}`);
    }
    this.weights = weights ?? new Float64Array(total);
  }

  get layers(): number {
    return this.sizes.length - 1;
  }

  get gates(): number {
    return this.cell === 'lstm' ? LSTM_GATES : GRU_GATES;
  }

  /**
   * Glorot-uniform input and recurrent weights (per gate block: bound √(6 / (fanIn + H))), zero
   * biases except the LSTM's forget gate at 1 (so the cell remembers from the start, as Keras'
   * unit_forget_bias), Glorot-uniform head.
   */
  initialize(rng: Rng): void {
    const W = this.weights;
    const G = this.gates;
    for (let l = 0; l < this.layers; l++) {
      const I = this.sizes[l];
      const H = this.sizes[l + 1];
      const GH = G * H;
      const off = this.offsets[l];
      const bx = Math.sqrt(6 / (I + H));
      for (let i = 0; i < I * GH; i++) W[off + i] = rng.uniform(-bx, bx);
      const bh = Math.sqrt(6 / (2 * H));
      const wh = off + I * GH;
      for (let i = 0; i < H * GH; i++) W[wh + i] = rng.uniform(-bh, bh);
      if (this.cell === 'lstm') {
        const bo = wh + H * GH;
        for (let k = 0; k < H; k++) W[bo + H + k] = 1;
      }
    }
    const H = this.sizes[this.layers];
    const K = this.outputs;
    const ho = this.offsets[this.layers];
    const b = Math.sqrt(6 / (H + K));
    for (let i = 0; i < H * K; i++) W[ho + i] = rng.uniform(-b, b);
  }
}

/** A network of the same shape whose weights are `weights` (a copy of net's, e.g. in a workspace). */
export function networkOver(net: RecurrentNetwork, weights: Float64Array): RecurrentNetwork {
  weights.set(net.weights);
  return new RecurrentNetwork(net.cell, net.sizes, net.outputs, weights);
}

/** Everything a forward and backward pass over B sequences of T steps needs. */
export class RecurrentBuffers {
  readonly batch: number;
  readonly steps: number;
  readonly math: RecurrentMath;
  readonly layers: LayerBuffers[];
  /** Dropout multipliers per layer output (0 or 1/(1-p)), B x T x H_l; empty without dropout. */
  readonly masks: Float64Array[];
  /** The weights with every layer's W_x and W_h block transposed in place of it (for the backward products). */
  readonly WT: Float64Array;
  /** Valid steps per batch row, longest first, and the row of X each batch row holds. */
  readonly len: Int32Array;
  readonly order: Int32Array;
  /** The head's input (B x H_top), outputs (B x K), targets and output gradients (B x K). */
  readonly headIn: Float64Array;
  readonly y: Float64Array;
  readonly target: Float64Array;
  readonly dy: Float64Array;

  constructor(
    net: RecurrentNetwork,
    B: number,
    T: number,
    dropout: boolean,
    alloc: Alloc = (n) => new Float64Array(n),
    math: RecurrentMath = jsRecurrentMath,
  ) {
    this.batch = B;
    this.steps = T;
    this.math = math;
    this.layers = [];
    for (let l = 0; l < net.layers; l++) {
      this.layers.push(new LayerBuffers(net.sizes[l], net.sizes[l + 1], net.gates, B, T, l > 0, alloc));
    }
    this.masks = dropout ? this.layers.map((L) => alloc(B * T * L.H)) : [];
    this.WT = alloc(net.weights.length);
    this.len = new Int32Array(B);
    this.order = new Int32Array(B);
    const H = net.sizes[net.layers];
    this.headIn = new Float64Array(B * H);
    this.y = new Float64Array(B * net.outputs);
    this.target = new Float64Array(B * net.outputs);
    this.dy = new Float64Array(B * net.outputs);
  }
}

/**
 * Copy sequences idx[start, start + b) of X into the first layer's input, longest first (ties in
 * the order given): buf.order[r] is the row of X in batch row r and buf.len[r] its length.
 */
export function gatherSequences(
  X: Sequences,
  idx: ArrayLike<number>,
  start: number,
  b: number,
  buf: RecurrentBuffers,
): void {
  const F = X.features;
  const T = buf.steps;
  const inp = buf.layers[0].inp;
  const rows = Array.from({ length: b }, (_, r) => idx[start + r]);
  if (X.lengths) {
    const lengths = X.lengths;
    rows.sort((p, q) => lengths[q] - lengths[p]); // stable: ties keep their order
  }
  for (let r = 0; r < b; r++) {
    const src = rows[r];
    const L = lengthOf(X, src);
    buf.order[r] = src;
    buf.len[r] = L;
    inp.set(X.data.subarray(src * X.steps * F, (src * X.steps + L) * F), r * T * F);
  }
}

/** Every layer's W_x and W_h block of net.weights transposed into WT at the same offsets. */
function transposeBlocks(net: RecurrentNetwork, WT: Float64Array): void {
  const W = net.weights;
  const G = net.gates;
  for (let l = 0; l < net.layers; l++) {
    const I = net.sizes[l];
    const H = net.sizes[l + 1];
    const GH = G * H;
    for (const [off, m] of [
      [net.offsets[l], I],
      [net.offsets[l] + I * GH, H],
    ]) {
      for (let i = 0; i < m; i++) for (let j = 0; j < GH; j++) WT[off + j * m + i] = W[off + i * GH + j];
    }
  }
}
/**
 * Forward pass over the b sequences in the buffers; outputs into buf.y (b x outputs). With `dropout`
 * (a rate p > 0 and an Rng: training), every layer's output is multiplied by a fresh mask of
 * 0 or 1/(1-p) (inverted dropout) before it feeds the next layer or the head.
 */
export function forwardSequences(
  net: RecurrentNetwork,
  buf: RecurrentBuffers,
  b: number,
  dropout?: { p: number; rng: Rng },
): void {
  const W = net.weights;
  const T = buf.steps;
  const len = buf.len;
  const drop = dropout && dropout.p > 0 && buf.masks.length > 0 ? dropout : undefined;
  for (let l = 0; l < net.layers; l++) {
    const L = buf.layers[l];
    if (net.cell === 'lstm') lstmForward(buf.math, W, net.offsets[l], L, b, T, len);
    else gruForward(buf.math, W, net.offsets[l], L, b, T, len);
    const H = L.H;
    const n = b * T * H;
    if (drop) {
      const mask = buf.masks[l];
      const keep = 1 / (1 - drop.p);
      for (let i = 0; i < n; i++) mask[i] = drop.rng.random() < drop.p ? 0 : keep;
    }
    // The next layer's input, or the head's: h, times the mask when training with dropout.
    if (l + 1 < net.layers) {
      const next = buf.layers[l + 1].inp;
      if (drop) {
        const mask = buf.masks[l];
        for (let i = 0; i < n; i++) next[i] = L.out[i] * mask[i];
      } else next.set(L.out.subarray(0, n));
    } else {
      for (let r = 0; r < b; r++) {
        const src = (r * T + len[r] - 1) * H;
        for (let k = 0; k < H; k++)
          buf.headIn[r * H + k] = drop ? L.out[src + k] * buf.masks[l][src + k] : L.out[src + k];
      }
    }
  }
  // Head: y = headIn · W_head + b.
  const H = net.sizes[net.layers];
  const K = net.outputs;
  const ho = net.offsets[net.layers];
  const bo = ho + H * K;
  for (let r = 0; r < b; r++) {
    const yo = r * K;
    for (let j = 0; j < K; j++) buf.y[yo + j] = W[bo + j];
    for (let k = 0; k < H; k++) {
      const a = buf.headIn[r * H + k];
      for (let j = 0; j < K; j++) buf.y[yo + j] += a * W[ho + k * K + j];
    }
  }
}

/**
 * Loss of the last forward pass against buf.target (b x outputs): Σ (y − target)² / (2b), the MLP's
 * squared error, and its gradient with respect to every weight into `grad` (overwritten), by
 * backpropagation through the head, the dropout masks and every layer through time. Dropout must
 * be the one the forward pass used (its masks are still in the buffers).
 */
export function backwardSequences(
  net: RecurrentNetwork,
  buf: RecurrentBuffers,
  b: number,
  grad: Float64Array,
  dropout: boolean,
): number {
  const W = net.weights;
  const T = buf.steps;
  const len = buf.len;
  const K = net.outputs;
  const H = net.sizes[net.layers];
  const ho = net.offsets[net.layers];
  const bo = ho + H * K;
  grad.fill(0);
  transposeBlocks(net, buf.WT);
  let loss = 0;
  for (let i = 0; i < b * K; i++) {
    const e = buf.y[i] - buf.target[i];
    loss += e * e;
    buf.dy[i] = e / b;
  }
  const top = buf.layers[net.layers - 1];
  const useMask = dropout && buf.masks.length > 0;
  top.dOut.fill(0, 0, b * T * H);
  for (let r = 0; r < b; r++) {
    const yo = r * K;
    for (let j = 0; j < K; j++) grad[bo + j] += buf.dy[yo + j];
    const dst = (r * T + len[r] - 1) * H;
    for (let k = 0; k < H; k++) {
      const a = buf.headIn[r * H + k];
      let d = 0;
      for (let j = 0; j < K; j++) {
        grad[ho + k * K + j] += a * buf.dy[yo + j];
        d += buf.dy[yo + j] * W[ho + k * K + j];
      }
      top.dOut[dst + k] = useMask ? d * buf.masks[net.layers - 1][dst + k] : d;
    }
  }
  for (let l = net.layers - 1; l >= 0; l--) {
    const L = buf.layers[l];
    if (net.cell === 'lstm') lstmBackward(buf.math, buf.WT, grad, net.offsets[l], L, b, T, len);
    else gruBackward(buf.math, buf.WT, grad, net.offsets[l], L, b, T, len);
    if (l > 0) {
      const below = buf.layers[l - 1];
      const n = b * T * below.H;
      const dIn = L.dIn!;
      if (useMask) {
        const mask = buf.masks[l - 1];
        for (let i = 0; i < n; i++) below.dOut[i] = dIn[i] * mask[i];
      } else below.dOut.set(dIn.subarray(0, n));
    }
  }
  return loss / (2 * b);
}

/** Network outputs (rows x outputs, row-major) for every sequence of X, in chunks, without dropout. */
export function predictSequences(net: RecurrentNetwork, X: Sequences): Float64Array {
  const n = X.rows;
  const K = net.outputs;
  const out = new Float64Array(n * K);
  // Rows per chunk: up to 256, fewer for long sequences or wide layers (about 64 MB of buffers).
  let perRow = 0;
  for (let l = 0; l < net.layers; l++) perRow += X.steps * (2 * net.sizes[l] + (net.gates + 4) * net.sizes[l + 1]);
  const chunk = Math.max(1, Math.min(n, 256, Math.floor(8_000_000 / Math.max(1, perRow))));
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  recurrentWorkspace((alloc, math, counting) => {
    const view = networkOver(net, alloc(net.weights.length));
    const buf = new RecurrentBuffers(view, chunk, X.steps, false, alloc, math);
    if (counting) return;
    for (let s = 0; s < n; s += chunk) {
      const b = Math.min(chunk, n - s);
      gatherSequences(X, idx, s, b, buf);
      forwardSequences(view, buf, b);
      for (let r = 0; r < b; r++) for (let j = 0; j < K; j++) out[buf.order[r] * K + j] = buf.y[r * K + j];
    }
  });
  return out;
}
