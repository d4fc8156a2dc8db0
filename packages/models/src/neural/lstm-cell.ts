import type { RecurrentMath } from './recurrent-kernels';
import { activeRows, inputBackward, inputForward, sigmoid, type LayerBuffers } from './recurrent-layer';

/**
 * The LSTM layer (Hochreiter & Schmidhuber, with a forget gate; PyTorch's gate order i, f, g, o):
 *
 *   z_t = W_x·x_t + W_h·h_{t-1} + b        (4H pre-activations)
 *   i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o)
 *   c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t),   h_{-1} = c_{-1} = 0
 *
 * Weights at `off`: W_x (I x 4H, row-major: input i's row holds its weight to every gate unit),
 * then W_h (H x 4H), then b (4H). A row's steps from its length on are padding: they are not
 * computed, so its state stays at its last valid step, and nothing flows back from them. The
 * batch's rows come sorted by length, longest first (activeRows).
 */
export const LSTM_GATES = 4;

export function lstmParamCount(I: number, H: number): number {
  return (I + H + 1) * 4 * H;
}

export function lstmForward(
  math: RecurrentMath,
  W: Float64Array,
  off: number,
  L: LayerBuffers,
  B: number,
  T: number,
  len: Int32Array,
): void {
  const { I, H, out, gates, extra } = L;
  const GH = 4 * H;
  const wh = off + I * GH;
  const bo = wh + H * GH;
  inputForward(math, W, off, bo, L, B, T, len);
  for (let t = 0; t < T; t++) {
    const nt = activeRows(len, B, t);
    if (nt === 0) break;
    if (t > 0) math.gemm(gates, t * GH, T * GH, out, (t - 1) * H, T * H, nt, H, W, wh, GH);
    for (let r = 0; r < nt; r++) {
      const s = r * T + t;
      const zo = s * GH;
      const so = s * H;
      const ho = (s - 1) * H;
      for (let k = 0; k < H; k++) {
        const ig = sigmoid(gates[zo + k]);
        const fg = sigmoid(gates[zo + H + k]);
        const gg = Math.tanh(gates[zo + 2 * H + k]);
        const og = sigmoid(gates[zo + 3 * H + k]);
        gates[zo + k] = ig;
        gates[zo + H + k] = fg;
        gates[zo + 2 * H + k] = gg;
        gates[zo + 3 * H + k] = og;
        const c = (t > 0 ? fg * extra[ho + k] : 0) + ig * gg;
        extra[so + k] = c;
        out[so + k] = og * Math.tanh(c);
      }
    }
  }
}

/**
 * Backpropagation through time: with dOut holding dLoss/dh_t from above, accumulates the weight
 * gradient into grad (same layout as W at off) and, when L.dIn exists, writes dLoss/dx_t there.
 * WT holds W's blocks transposed (recurrent-network.ts).
 */
export function lstmBackward(
  math: RecurrentMath,
  WT: Float64Array,
  grad: Float64Array,
  off: number,
  L: LayerBuffers,
  B: number,
  T: number,
  len: Int32Array,
): void {
  const { I, H, out, gates, extra, dOut, dh, dc } = L;
  const GH = 4 * H;
  const wh = off + I * GH;
  const bo = wh + H * GH;
  dh.fill(0, 0, B * H);
  dc.fill(0, 0, B * H);
  for (let t = T - 1; t >= 0; t--) {
    const nt = activeRows(len, B, t);
    if (nt === 0) continue;
    for (let r = 0; r < nt; r++) {
      const s = r * T + t;
      const zo = s * GH;
      const so = s * H;
      const ho = (s - 1) * H;
      const ro = r * H;
      // The step's gates are read for the last time here and replaced by their gradients dz.
      for (let k = 0; k < H; k++) {
        const ig = gates[zo + k];
        const fg = gates[zo + H + k];
        const gg = gates[zo + 2 * H + k];
        const og = gates[zo + 3 * H + k];
        const tc = Math.tanh(extra[so + k]);
        const dhk = dOut[so + k] + dh[ro + k];
        const dck = dc[ro + k] + dhk * og * (1 - tc * tc);
        const cPrev = t > 0 ? extra[ho + k] : 0;
        gates[zo + k] = dck * gg * ig * (1 - ig);
        gates[zo + H + k] = dck * cPrev * fg * (1 - fg);
        gates[zo + 2 * H + k] = dck * ig * (1 - gg * gg);
        gates[zo + 3 * H + k] = dhk * tc * og * (1 - og);
        dc[ro + k] = dck * fg;
      }
      for (let j = 0; j < GH; j++) grad[bo + j] += gates[zo + j];
    }
    if (t > 0) {
      math.gemmTN(grad, wh, out, (t - 1) * H, T * H, gates, t * GH, T * GH, nt, H, GH);
      dh.fill(0, 0, nt * H);
      math.gemm(dh, 0, H, gates, t * GH, T * GH, nt, GH, WT, wh, H);
    }
  }
  inputBackward(math, WT, grad, off, L, B, T, len);
}
