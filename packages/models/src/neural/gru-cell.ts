import { axpy, dot, sigmoid, type LayerBuffers } from './recurrent-layer';

/**
 * The GRU layer (Cho et al., in PyTorch's form with the reset gate applied after the recurrent
 * product; gate order r, z, n):
 *
 *   a = W_x·x_t + b_x,  u = W_h·h_{t-1} + b_h          (3H each)
 *   r = σ(a_r + u_r),  z = σ(a_z + u_z),  n = tanh(a_n + r ⊙ u_n)
 *   h_t = (1 − z) ⊙ n + z ⊙ h_{t-1},   h_{-1} = 0
 *
 * Weights at `off`: W_x (I x 3H, row-major), W_h (H x 3H), b_x (3H), b_h (3H). Padding steps (from a
 * row's length on) are skipped as in the LSTM.
 */
export const GRU_GATES = 3;

export function gruParamCount(I: number, H: number): number {
  return (I + H + 2) * 3 * H;
}

export function gruForward(W: Float64Array, off: number, L: LayerBuffers, B: number, T: number, len: Int32Array): void {
  const { I, H, inp, out, gates, extra } = L;
  const u = L.dz; // scratch for the recurrent pre-activations (backward is not running)
  const GH = 3 * H;
  const wh = off + I * GH;
  const bx = wh + H * GH;
  const bh = bx + GH;
  for (let t = 0; t < T; t++) {
    for (let r = 0; r < B; r++) {
      if (t >= len[r]) continue;
      const s = r * T + t;
      const zo = s * GH;
      for (let j = 0; j < GH; j++) gates[zo + j] = W[bx + j];
      const xo = s * I;
      for (let i = 0; i < I; i++) axpy(gates, zo, inp[xo + i], W, off + i * GH, GH);
      for (let j = 0; j < GH; j++) u[j] = W[bh + j];
      const ho = (s - 1) * H;
      if (t > 0) for (let k = 0; k < H; k++) axpy(u, 0, out[ho + k], W, wh + k * GH, GH);
      const so = s * H;
      for (let k = 0; k < H; k++) {
        const rg = sigmoid(gates[zo + k] + u[k]);
        const zg = sigmoid(gates[zo + H + k] + u[H + k]);
        const un = u[2 * H + k];
        const ng = Math.tanh(gates[zo + 2 * H + k] + rg * un);
        gates[zo + k] = rg;
        gates[zo + H + k] = zg;
        gates[zo + 2 * H + k] = ng;
        extra[so + k] = un;
        const hPrev = t > 0 ? out[ho + k] : 0;
        out[so + k] = (1 - zg) * ng + zg * hPrev;
      }
    }
  }
}

/** Backpropagation through time, as lstmBackward. */
export function gruBackward(
  W: Float64Array,
  grad: Float64Array,
  off: number,
  L: LayerBuffers,
  B: number,
  T: number,
  len: Int32Array,
): void {
  const { I, H, inp, out, gates, extra, dOut, dIn, dh, dz } = L;
  const GH = 3 * H;
  const wh = off + I * GH;
  const bx = wh + H * GH;
  const bh = bx + GH;
  dh.fill(0, 0, B * H);
  if (dIn) dIn.fill(0, 0, B * T * I);
  for (let t = T - 1; t >= 0; t--) {
    for (let r = 0; r < B; r++) {
      if (t >= len[r]) continue;
      const s = r * T + t;
      const zo = s * GH;
      const so = s * H;
      const ho = (s - 1) * H;
      const ro = r * H;
      // dz[0, 3H): dLoss/da (input side); dz[3H, 6H): dLoss/du (recurrent side).
      for (let k = 0; k < H; k++) {
        const rg = gates[zo + k];
        const zg = gates[zo + H + k];
        const ng = gates[zo + 2 * H + k];
        const un = extra[so + k];
        const hPrev = t > 0 ? out[ho + k] : 0;
        const dhk = dOut[so + k] + dh[ro + k];
        const dan = dhk * (1 - zg) * (1 - ng * ng);
        const dar = dan * un * rg * (1 - rg);
        const daz = dhk * (hPrev - ng) * zg * (1 - zg);
        dz[k] = dar;
        dz[H + k] = daz;
        dz[2 * H + k] = dan;
        dz[GH + k] = dar;
        dz[GH + H + k] = daz;
        dz[GH + 2 * H + k] = dan * rg;
        dh[ro + k] = dhk * zg;
      }
      for (let j = 0; j < GH; j++) grad[bx + j] += dz[j];
      for (let j = 0; j < GH; j++) grad[bh + j] += dz[GH + j];
      const xo = s * I;
      for (let i = 0; i < I; i++) axpy(grad, off + i * GH, inp[xo + i], dz, 0, GH);
      if (dIn) for (let i = 0; i < I; i++) dIn[xo + i] = dot(dz, 0, W, off + i * GH, GH);
      if (t > 0) {
        for (let k = 0; k < H; k++) axpy(grad, wh + k * GH, out[ho + k], dz, GH, GH);
        for (let k = 0; k < H; k++) dh[ro + k] += dot(dz, GH, W, wh + k * GH, GH);
      }
    }
  }
}
