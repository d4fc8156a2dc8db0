/**
 * What one recurrent layer works on for a batch of B sequences of T steps: its input and output
 * sequences, what the forward pass keeps for backpropagation through time, and the gradients.
 * Every array is row-major by sequence, then step, then unit: the value of row r, step t, unit k is
 * at `(r * T + t) * width + k`. Allocated once per batch size, so the epoch loop allocates nothing.
 */
export class LayerBuffers {
  /** Input size and hidden size. */
  readonly I: number;
  readonly H: number;
  /** Gate blocks per unit: 4 (LSTM: i, f, g, o) or 3 (GRU: r, z, n). */
  readonly G: number;
  /** Input sequence (B x T x I): the features, or the previous layer's output after dropout. */
  inp: Float64Array;
  /** Hidden states h_t (B x T x H). */
  readonly out: Float64Array;
  /** Gate activations (B x T x G·H), after their nonlinearity. */
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
  /** Scratch: one row's pre-activation gradients (2 x G·H: input side, recurrent side). */
  readonly dz: Float64Array;

  constructor(I: number, H: number, G: number, B: number, T: number, needDIn: boolean) {
    this.I = I;
    this.H = H;
    this.G = G;
    this.inp = new Float64Array(B * T * I);
    this.out = new Float64Array(B * T * H);
    this.gates = new Float64Array(B * T * G * H);
    this.extra = new Float64Array(B * T * H);
    this.dOut = new Float64Array(B * T * H);
    this.dIn = needDIn ? new Float64Array(B * T * I) : null;
    this.dh = new Float64Array(B * H);
    this.dc = new Float64Array(B * H);
    this.dz = new Float64Array(2 * G * H);
  }
}

/** Numerically stable logistic function. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * out[o .. o + n) += a · W[w .. w + n): the one inner loop of every matrix product in the recurrent
 * layers (forward gates, weight gradients), so that a SIMD kernel can replace it element for element.
 */
export function axpy(out: Float64Array, o: number, a: number, W: Float64Array, w: number, n: number): void {
  for (let j = 0; j < n; j++) out[o + j] += a * W[w + j];
}

/** Σ_j d[o + j] · W[w + j] for j < n, j ascending: the backward products (gradients to inputs and states). */
export function dot(d: Float64Array, o: number, W: Float64Array, w: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += d[o + j] * W[w + j];
  return s;
}
