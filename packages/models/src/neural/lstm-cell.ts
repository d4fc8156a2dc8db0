import { axpy, dot, sigmoid, type LayerBuffers } from './recurrent-layer';

/**
 * The LSTM layer (Hochreiter & Schmidhuber, with a forget gate; PyTorch's gate order i, f, g, o):
 *
 *   z_t = W_x·x_t + W_h·h_{t-1} + b        (4H pre-activations)
 *   i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o)
 *   c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t),   h_{-1} = c_{-1} = 0
 *
 * Weights at `off`: W_x (I x 4H, row-major: input i's row holds its weight to every gate unit),
 * then W_h (H x 4H), then b (4H). A row's steps from its length on are padding: they are not
 * computed, so its state stays at its last valid step, and nothing flows back from them.
 */
export const LSTM_GATES = 4;

export function lstmParamCount(I: number, H: number): number {
  return (I + H + 1) * 4 * H;
}

export function lstmForward(
  W: Float64Array,
  off: number,
  L: LayerBuffers,
  B: number,
  T: number,
  len: Int32Array,
): void {
  const { I, H, inp, out, gates, extra } = L;
  const GH = 4 * H;
  const wh = off + I * GH;
  const bo = wh + H * GH;
  for (let t = 0; t < T; t++) {
    for (let r = 0; r < B; r++) {
      if (t >= len[r]) continue;
      const s = r * T + t;
      const zo = s * GH;
      for (let j = 0; j < GH; j++) gates[zo + j] = W[bo + j];
      const xo = s * I;
      for (let i = 0; i < I; i++) axpy(gates, zo, inp[xo + i], W, off + i * GH, GH);
      const ho = (s - 1) * H;
      if (t > 0) for (let k = 0; k < H; k++) axpy(gates, zo, out[ho + k], W, wh + k * GH, GH);
      const so = s * H;
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
 */
export function lstmBackward(
  W: Float64Array,
  grad: Float64Array,
  off: number,
  L: LayerBuffers,
  B: number,
  T: number,
  len: Int32Array,
): void {
  const { I, H, inp, out, gates, extra, dOut, dIn, dh, dc, dz } = L;
  const GH = 4 * H;
  const wh = off + I * GH;
  const bo = wh + H * GH;
  dh.fill(0, 0, B * H);
  dc.fill(0, 0, B * H);
  if (dIn) dIn.fill(0, 0, B * T * I);
  for (let t = T - 1; t >= 0; t--) {
    for (let r = 0; r < B; r++) {
      if (t >= len[r]) continue;
      const s = r * T + t;
      const zo = s * GH;
      const so = s * H;
      const ho = (s - 1) * H;
      const ro = r * H;
      for (let k = 0; k < H; k++) {
        const ig = gates[zo + k];
        const fg = gates[zo + H + k];
        const gg = gates[zo + 2 * H + k];
        const og = gates[zo + 3 * H + k];
        const tc = Math.tanh(extra[so + k]);
        const dhk = dOut[so + k] + dh[ro + k];
        const dck = dc[ro + k] + dhk * og * (1 - tc * tc);
        const cPrev = t > 0 ? extra[ho + k] : 0;
        dz[k] = dck * gg * ig * (1 - ig);
        dz[H + k] = dck * cPrev * fg * (1 - fg);
        dz[2 * H + k] = dck * ig * (1 - gg * gg);
        dz[3 * H + k] = dhk * tc * og * (1 - og);
        dc[ro + k] = dck * fg;
      }
      for (let j = 0; j < GH; j++) grad[bo + j] += dz[j];
      const xo = s * I;
      for (let i = 0; i < I; i++) axpy(grad, off + i * GH, inp[xo + i], dz, 0, GH);
      if (dIn) for (let i = 0; i < I; i++) dIn[xo + i] = dot(dz, 0, W, off + i * GH, GH);
      if (t > 0) {
        for (let k = 0; k < H; k++) axpy(grad, wh + k * GH, out[ho + k], dz, 0, GH);
        for (let k = 0; k < H; k++) dh[ro + k] = dot(dz, 0, W, wh + k * GH, GH);
      }
    }
  }
}
