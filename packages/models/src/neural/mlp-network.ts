import type { Matrix, Rng } from '@campaign-ml/core';

export type MlpActivation = 'relu' | 'tanh';
/** Output layer: identity (regression), logistic (one unit, binary) or softmax (multiclass). */
export type MlpOutput = 'identity' | 'logistic' | 'softmax';

/**
 * A fitted network's layers, read-only, for tools that need its inside (SHAP's DeepLIFT rescale
 * rule in @campaign-ml/explain): layer l's weights are fanIn x fanOut row-major at `offsets[l]`,
 * its fanOut biases right after them. `outputScale`/`outputShift` map the output unit to the
 * model's prediction (a regressor's standardized target; 1 and 0 otherwise).
 */
export interface MlpLayers {
  readonly sizes: readonly number[];
  readonly activation: MlpActivation;
  readonly output: MlpOutput;
  readonly weights: Float64Array;
  readonly offsets: Int32Array;
  readonly outputScale: number;
  readonly outputShift: number;
}

/** A copy of a network's layers (the fitted model stays immutable). */
export function layersOf(net: MlpNetwork, outputScale = 1, outputShift = 0): MlpLayers {
  return Object.freeze({
    sizes: net.sizes,
    activation: net.activation,
    output: net.output,
    weights: Float64Array.from(net.weights),
    offsets: Int32Array.from(net.wOff),
    outputScale,
    outputShift,
  });
}

/**
 * A dense feed-forward network: all weights in one Float64Array. Layer l has a weight block
 * (fanIn x fanOut, row-major) followed by fanOut biases. Buffers for a batch are allocated once per
 * network, so the training loop allocates nothing per sample.
 */
export class MlpNetwork {
  readonly sizes: readonly number[];
  readonly activation: MlpActivation;
  readonly output: MlpOutput;
  readonly weights: Float64Array;
  /** Offset of layer l's weight block in `weights`; biases follow at wOff[l] + fanIn*fanOut. */
  readonly wOff: Int32Array;

  constructor(sizes: readonly number[], activation: MlpActivation, output: MlpOutput, weights?: Float64Array) {
    this.sizes = Object.freeze([...sizes]);
    this.activation = activation;
    this.output = output;
    const L = sizes.length - 1;
    this.wOff = new Int32Array(L + 1);
    for (let l = 0; l < L; l++) this.wOff[l + 1] = this.wOff[l] + sizes[l] * sizes[l + 1] + sizes[l + 1];
    this.weights = weights ?? new Float64Array(this.wOff[L]);
  }

  get layers(): number {
    return this.sizes.length - 1;
  }

  /** Glorot-uniform weights and biases, as scikit-learn initializes them. */
  initialize(rng: Rng): void {
    for (let l = 0; l < this.layers; l++) {
      const fanIn = this.sizes[l];
      const fanOut = this.sizes[l + 1];
      const bound = Math.sqrt(6 / (fanIn + fanOut));
      const start = this.wOff[l];
      const end = this.wOff[l + 1];
      for (let i = start; i < end; i++) this.weights[i] = rng.uniform(-bound, bound);
    }
  }
}

/** Per-batch work buffers: activations and deltas for every layer. */
export class MlpBuffers {
  readonly acts: Float64Array[];
  readonly deltas: Float64Array[];
  readonly batch: number;

  constructor(net: MlpNetwork, batch: number) {
    this.batch = batch;
    this.acts = net.sizes.map((s) => new Float64Array(batch * s));
    this.deltas = net.sizes.map((s) => new Float64Array(batch * s));
  }
}

/** Copy rows `idx[start..start+B)` of column-major X into acts[0] (row-major B x p). */
export function gatherRows(X: Matrix, idx: ArrayLike<number>, start: number, B: number, out: Float64Array): void {
  const n = X.rows;
  const p = X.cols;
  const data = X.data;
  for (let c = 0; c < p; c++) {
    const off = c * n;
    for (let b = 0; b < B; b++) out[b * p + c] = data[off + idx[start + b]];
  }
}

/** Forward pass for B rows already in buf.acts[0]; the output layer is left in buf.acts[L]. */
export function forward(net: MlpNetwork, buf: MlpBuffers, B: number): void {
  const W = net.weights;
  const L = net.layers;
  for (let l = 0; l < L; l++) {
    const fanIn = net.sizes[l];
    const fanOut = net.sizes[l + 1];
    const A = buf.acts[l];
    const Z = buf.acts[l + 1];
    const wo = net.wOff[l];
    const bo = wo + fanIn * fanOut;
    for (let r = 0; r < B; r++) {
      const zo = r * fanOut;
      for (let j = 0; j < fanOut; j++) Z[zo + j] = W[bo + j];
      const ao = r * fanIn;
      for (let i = 0; i < fanIn; i++) {
        const a = A[ao + i];
        if (a === 0) continue;
        const wi = wo + i * fanOut;
        for (let j = 0; j < fanOut; j++) Z[zo + j] += a * W[wi + j];
      }
    }
    activate(net, Z, B, fanOut, l === L - 1);
  }
}

/**
 * Layer activation in place on B rows of fanOut values: the hidden activation, or on the last layer
 * the output's (logistic or softmax; identity leaves Z as it is).
 */
export function activate(net: MlpNetwork, Z: Float64Array, B: number, fanOut: number, last: boolean): void {
  const m = B * fanOut;
  if (!last) {
    if (net.activation === 'relu') for (let i = 0; i < m; i++) Z[i] = Z[i] > 0 ? Z[i] : 0;
    else for (let i = 0; i < m; i++) Z[i] = Math.tanh(Z[i]);
  } else if (net.output === 'logistic') {
    for (let i = 0; i < m; i++) Z[i] = Z[i] >= 0 ? 1 / (1 + Math.exp(-Z[i])) : Math.exp(Z[i]) / (1 + Math.exp(Z[i]));
  } else if (net.output === 'softmax') {
    for (let r = 0; r < B; r++) {
      const o = r * fanOut;
      let max = -Infinity;
      for (let j = 0; j < fanOut; j++) if (Z[o + j] > max) max = Z[o + j];
      let sum = 0;
      for (let j = 0; j < fanOut; j++) {
        const e = Math.exp(Z[o + j] - max);
        Z[o + j] = e;
        sum += e;
      }
      for (let j = 0; j < fanOut; j++) Z[o + j] /= sum;
    }
  }
}

const EPS = 1e-15; // scikit-learn clips probabilities like this in log_loss

/**
 * Loss of the batch whose targets are in `target` (B x outDim row-major: one-hot for softmax, 0/1
 * for logistic, values for identity), with gradient into `grad` (same layout as net.weights).
 * Loss = mean data loss (squared error / 2 or log loss) + alpha/(2B)·Σ W² like scikit-learn.
 */
export function backward(
  net: MlpNetwork,
  buf: MlpBuffers,
  B: number,
  target: Float64Array,
  alpha: number,
  grad: Float64Array,
): number {
  const L = net.layers;
  const W = net.weights;
  const loss = outputLoss(net, buf.acts[L], target, buf.deltas[L], B);
  let wsq = 0;
  for (let l = L - 1; l >= 0; l--) {
    const fanIn = net.sizes[l];
    const fanOut = net.sizes[l + 1];
    const A = buf.acts[l];
    const Dl = buf.deltas[l + 1];
    const wo = net.wOff[l];
    const bo = wo + fanIn * fanOut;
    const reg = alpha / B;
    for (let i = 0; i < fanIn * fanOut; i++) {
      const w = W[wo + i];
      grad[wo + i] = reg * w;
      wsq += w * w;
    }
    for (let j = 0; j < fanOut; j++) grad[bo + j] = 0;
    for (let r = 0; r < B; r++) {
      const dOff = r * fanOut;
      for (let j = 0; j < fanOut; j++) grad[bo + j] += Dl[dOff + j];
      const ao = r * fanIn;
      for (let i = 0; i < fanIn; i++) {
        const a = A[ao + i];
        if (a === 0) continue;
        const gi = wo + i * fanOut;
        for (let j = 0; j < fanOut; j++) grad[gi + j] += a * Dl[dOff + j];
      }
    }
    if (l > 0) {
      const Dp = buf.deltas[l];
      const tanh = net.activation === 'tanh';
      for (let r = 0; r < B; r++) {
        const dOff = r * fanOut;
        const ao = r * fanIn;
        for (let i = 0; i < fanIn; i++) {
          const a = A[ao + i];
          if (!tanh && a === 0) {
            Dp[ao + i] = 0;
            continue;
          }
          const wi = wo + i * fanOut;
          let s = 0;
          for (let j = 0; j < fanOut; j++) s += Dl[dOff + j] * W[wi + j];
          Dp[ao + i] = tanh ? s * (1 - a * a) : s;
        }
      }
    }
  }
  return loss + (0.5 * alpha * wsq) / B;
}

/**
 * The batch's mean data loss (squared error / 2, or log loss) of outputs Y against `target`, with
 * the output deltas dLoss/dZ into D (B x outDim row-major each).
 */
export function outputLoss(net: MlpNetwork, Y: Float64Array, target: Float64Array, D: Float64Array, B: number): number {
  let loss = 0;
  const m = B * net.sizes[net.layers];
  if (net.output === 'identity') {
    for (let i = 0; i < m; i++) {
      const e = Y[i] - target[i];
      loss += e * e;
      D[i] = e / B;
    }
    return loss / (2 * B);
  }
  for (let i = 0; i < m; i++) {
    const yhat = Math.min(Math.max(Y[i], EPS), 1 - EPS);
    const t = target[i];
    loss -= net.output === 'logistic' ? t * Math.log(yhat) + (1 - t) * Math.log(1 - yhat) : t * Math.log(yhat);
    D[i] = (Y[i] - t) / B;
  }
  return loss / B;
}

/** Network outputs for every row of X (n x outDim row-major), in chunks, in JavaScript. */
export function predictNetworkJs(net: MlpNetwork, X: Matrix): Float64Array {
  const n = X.rows;
  const outDim = net.sizes[net.layers];
  const out = new Float64Array(n * outDim);
  const chunk = Math.min(n, 1024);
  const buf = new MlpBuffers(net, Math.max(1, chunk));
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let s = 0; s < n; s += chunk) {
    const B = Math.min(chunk, n - s);
    gatherRows(X, idx, s, B, buf.acts[0]);
    forward(net, buf, B);
    out.set(buf.acts[net.layers].subarray(0, B * outDim), s * outDim);
  }
  return out;
}
