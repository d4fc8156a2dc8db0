import type { RecurrentMath } from './recurrent-kernels';
import { activeRows, inputBackward, inputForward, sigmoid, type LayerBuffers } from './recurrent-layer';

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

export function gruForward(
  math: RecurrentMath,
  W: Float64Array,
  off: number,
  L: LayerBuffers,
  B: number,
  T: number,
  len: Int32Array,
): void {
  const { I, H, out, gates, extra, rec } = L;
  const GH = 3 * H;
  const wh = off + I * GH;
  const bx = wh + H * GH;
  const bh = bx + GH;
  inputForward(math, W, off, bx, L, B, T, len);
  for (let t = 0; t < T; t++) {
    const nt = activeRows(len, B, t);
    if (nt === 0) break;
    for (let r = 0; r < nt; r++) for (let j = 0; j < GH; j++) rec[r * GH + j] = W[bh + j];
    if (t > 0) math.gemm(rec, 0, GH, out, (t - 1) * H, T * H, nt, H, W, wh, GH);
    for (let r = 0; r < nt; r++) {
      const s = r * T + t;
      const zo = s * GH;
      const so = s * H;
      const ho = (s - 1) * H;
      const u = r * GH;
      for (let k = 0; k < H; k++) {
        const rg = sigmoid(gates[zo + k] + rec[u + k]);
        const zg = sigmoid(gates[zo + H + k] + rec[u + H + k]);
        const un = rec[u + 2 * H + k];
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
  math: RecurrentMath,
  WT: Float64Array,
  grad: Float64Array,
  off: number,
  L: LayerBuffers,
  B: number,
  T: number,
  len: Int32Array,
): void {
  const { I, H, out, gates, extra, dOut, dh, rec } = L;
  const GH = 3 * H;
  const wh = off + I * GH;
  const bx = wh + H * GH;
  const bh = bx + GH;
  dh.fill(0, 0, B * H);
  for (let t = T - 1; t >= 0; t--) {
    const nt = activeRows(len, B, t);
    if (nt === 0) continue;
    for (let r = 0; r < nt; r++) {
      const s = r * T + t;
      const zo = s * GH;
      const so = s * H;
      const ho = (s - 1) * H;
      const ro = r * H;
      const u = r * GH;
      // Input side dLoss/da into the step's gates (read for the last time), recurrent side dLoss/du into rec.
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
        gates[zo + k] = dar;
        gates[zo + H + k] = daz;
        gates[zo + 2 * H + k] = dan;
        rec[u + k] = dar;
        rec[u + H + k] = daz;
        rec[u + 2 * H + k] = dan * rg;
        dh[ro + k] = dhk * zg;
      }
      for (let j = 0; j < GH; j++) grad[bx + j] += gates[zo + j];
      for (let j = 0; j < GH; j++) grad[bh + j] += rec[u + j];
    }
    if (t > 0) {
      math.gemmTN(grad, wh, out, (t - 1) * H, T * H, rec, 0, GH, nt, H, GH);
      math.gemm(dh, 0, H, rec, 0, GH, nt, GH, WT, wh, H);
    }
  }
  inputBackward(math, WT, grad, off, L, B, T, len);
}
