/**
 * Boosting objectives: starting score, gradients/hessians of the loss at the current raw scores,
 * and the loss itself (for early stopping). Gradients are channel-major: grad[k * n + r].
 */
export type Objective = 'logloss' | 'softmax' | 'squaredError' | 'poisson';

/** The objectives by number (a worker thread's task names its objective by index). */
export const OBJECTIVES: readonly Objective[] = ['logloss', 'softmax', 'squaredError', 'poisson'];

const EPS = 1e-16;
/** Poisson hessians use exp(raw + this), as XGBoost and LightGBM do, to keep steps stable. */
const POISSON_MAX_DELTA = 0.7;

export function baseScore(obj: Objective, y: Float64Array, w: Float64Array | undefined, K: number): Float64Array {
  const n = y.length;
  let sw = 0;
  const s = new Float64Array(K);
  for (let r = 0; r < n; r++) {
    const wr = w ? w[r] : 1;
    sw += wr;
    if (obj === 'softmax') s[y[r]] += wr;
    else s[0] += wr * y[r];
  }
  const out = new Float64Array(K);
  if (obj === 'logloss') {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, s[0] / sw));
    out[0] = Math.log(p / (1 - p));
  } else if (obj === 'softmax') {
    for (let k = 0; k < K; k++) out[k] = Math.log(Math.max(1e-15, s[k] / sw));
  } else if (obj === 'squaredError') {
    out[0] = s[0] / sw;
  } else {
    out[0] = Math.log(Math.max(1e-15, s[0] / sw));
  }
  return out;
}

/**
 * raw is rows x K row-major; fills grad and hess (both K * n, channel-major) for rows [r0, r1)
 * (default: every row). Each row's values depend on that row alone, so rows may be done in any
 * split (split-threads.ts computes chunks of rows on several threads).
 */
export function computeGradients(
  obj: Objective,
  y: Float64Array,
  w: Float64Array | undefined,
  raw: Float64Array,
  K: number,
  grad: Float64Array,
  hess: Float64Array,
  r0 = 0,
  r1 = y.length,
): void {
  const n = y.length;
  if (obj === 'logloss') {
    for (let r = r0; r < r1; r++) {
      const p = 1 / (1 + Math.exp(-raw[r]));
      const wr = w ? w[r] : 1;
      grad[r] = (p - y[r]) * wr;
      hess[r] = Math.max(p * (1 - p), EPS) * wr;
    }
  } else if (obj === 'softmax') {
    for (let r = r0; r < r1; r++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (raw[r * K + k] > max) max = raw[r * K + k];
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(raw[r * K + k] - max);
      const wr = w ? w[r] : 1;
      const yr = y[r];
      for (let k = 0; k < K; k++) {
        const p = Math.exp(raw[r * K + k] - max) / sum;
        grad[k * n + r] = (p - (yr === k ? 1 : 0)) * wr;
        hess[k * n + r] = Math.max(2 * p * (1 - p), EPS) * wr;
      }
    }
  } else if (obj === 'squaredError') {
    for (let r = r0; r < r1; r++) {
      const wr = w ? w[r] : 1;
      grad[r] = (raw[r] - y[r]) * wr;
      hess[r] = wr;
    }
  } else {
    for (let r = r0; r < r1; r++) {
      const wr = w ? w[r] : 1;
      grad[r] = (Math.exp(raw[r]) - y[r]) * wr;
      hess[r] = Math.exp(raw[r] + POISSON_MAX_DELTA) * wr;
    }
  }
}

/** Mean loss (weighted when w is given): logloss, multiclass logloss, squared error, Poisson deviance / 2. */
export function meanLoss(
  obj: Objective,
  y: Float64Array,
  w: Float64Array | undefined,
  raw: Float64Array,
  K: number,
): number {
  const n = y.length;
  let total = 0;
  let sw = 0;
  for (let r = 0; r < n; r++) {
    const wr = w ? w[r] : 1;
    let l: number;
    if (obj === 'logloss') {
      const z = raw[r];
      // log(1 + exp(z)) - y z, computed stably.
      l = (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[r] * z;
    } else if (obj === 'softmax') {
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (raw[r * K + k] > max) max = raw[r * K + k];
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(raw[r * K + k] - max);
      l = max + Math.log(sum) - raw[r * K + y[r]];
    } else if (obj === 'squaredError') {
      const d = raw[r] - y[r];
      l = d * d;
    } else {
      l = Math.exp(raw[r]) - y[r] * raw[r];
    }
    total += wr * l;
    sw += wr;
  }
  return total / sw;
}
