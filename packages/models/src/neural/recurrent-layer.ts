import type { Alloc, RecurrentMath } from './recurrent-kernels';

/**
 * What one recurrent layer works on for a batch of B sequences of T steps: its input and output
 * sequences, what the forward pass keeps for backpropagation through time, and the gradients.
 * Every array is row-major by sequence, then step, then unit: the value of row r, step t, unit k is
 * at `(r * T + t) * width + k`. Allocated once per batch size, so the epoch loop allocates nothing; `alloc` places them
 * where the math can reach them (recurrent-kernels.ts).
 */
export class LayerBuffers {
  /** Input size and hidden size. */
  readonly I: number;
  readonly H: number;
  /** Gate blocks per unit: 4 (LSTM: i, f, g, o) or 3 (GRU: r, z, n). */
  readonly G: number;
  /** Input sequence (B x T x I): the features, or the previous layer's output after dropout. */
  readonly inp: Float64Array;
  /** Hidden states h_t (B x T x H). */
  readonly out: Float64Array;
  /**
   * Gate activations (B x T x G·H), after their nonlinearity; the backward pass overwrites each
   * step's with its pre-activation gradients (input side) once it has read them.
   */
  readonly gates: Float64Array;
  /** Per step and unit: the LSTM cell state c_t, or the GRU's U_n·h_{t-1} + b_hn (B x T x H). */
  readonly extra: Float64Array;
  /** dLoss/d out (B x T x H), filled by the layer above or the head. */
  readonly dOut: Float64Array;
  /** dLoss/d inp (B x T x I), or null for the first layer (nothing below needs it). */
  readonly dIn: Float64Array | null;
  /** Recurrent gradient carries dLoss/dh_{t-1} and (LSTM) dLoss/dc_{t-1}, B x H. */
  readonly dh: Float64Array;
  readonly dc: Float64Array;
  /** GRU: one step's recurrent pre-activations W_h·h_{t-1} + b_h, then their gradients (B x G·H). */
  readonly rec: Float64Array;

  constructor(I: number, H: number, G: number, B: number, T: number, needDIn: boolean, alloc: Alloc) {
    this.I = I;
    this.H = H;
    this.G = G;
    this.inp = alloc(B * T * I);
    this.out = alloc(B * T * H);
    this.gates = alloc(B * T * G * H);
    this.extra = alloc(B * T * H);
    this.dOut = alloc(B * T * H);
    this.dIn = needDIn ? alloc(B * T * I) : null;
    this.dh = alloc(B * H);
    this.dc = alloc(G === 4 ? B * H : 0);
    this.rec = alloc(G === 3 ? B * G * H : 0);
  }
}

/**
 * The logistic function with one exp: for z far below 0, exp(−z) overflows to Infinity and the
 * result is 0, as it should be (no NaN), so the two-branch "stable" form is not needed in float64.
 */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * Rows of the batch still inside their sequence at step t. The batch is sorted by length, longest
 * first (gatherSequences), so they are rows 0..n-1 and each step's products run on one block.
 */
export function activeRows(len: Int32Array, B: number, t: number): number {
  let n = B;
  while (n > 0 && len[n - 1] <= t) n--;
  return n;
}

/**
 * The input side of a layer for every valid step, before the recurrence: gates[r, t] = b + x_t·W_x
 * (bias at `bias`, W_x = I x G·H at `off`), one product per sequence.
 */
export function inputForward(
  math: RecurrentMath,
  W: Float64Array,
  off: number,
  bias: number,
  L: LayerBuffers,
  B: number,
  T: number,
  len: Int32Array,
): void {
  const { I, inp, gates } = L;
  const GH = L.G * L.H;
  for (let r = 0; r < B; r++) {
    for (let t = 0; t < len[r]; t++) {
      const zo = (r * T + t) * GH;
      for (let j = 0; j < GH; j++) gates[zo + j] = W[bias + j];
    }
    math.gemm(gates, r * T * GH, GH, inp, r * T * I, I, len[r], I, W, off, GH);
  }
}

/**
 * The input side of backpropagation, after the recurrence has left every valid step's input-side
 * pre-activation gradients in `gates`: W_x's gradient (Σ x_tᵀ·dz_t) and, for layers above the
 * first, dLoss/dx_t = dz_t·W_xᵀ from the transposed weights WT.
 */
export function inputBackward(
  math: RecurrentMath,
  WT: Float64Array,
  grad: Float64Array,
  off: number,
  L: LayerBuffers,
  B: number,
  T: number,
  len: Int32Array,
): void {
  const { I, inp, gates, dIn } = L;
  const GH = L.G * L.H;
  for (let r = 0; r < B; r++) math.gemmTN(grad, off, inp, r * T * I, I, gates, r * T * GH, GH, len[r], I, GH);
  if (!dIn) return;
  dIn.fill(0, 0, B * T * I);
  for (let r = 0; r < B; r++) math.gemm(dIn, r * T * I, I, gates, r * T * GH, GH, len[r], GH, WT, off, I);
}
