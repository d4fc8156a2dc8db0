import { createRng, progressReporter, take, type FitOptions, type Matrix } from '@campaign-ml/core';
import { backward, forward, gatherRows, MlpBuffers, predictNetwork, type MlpNetwork } from './mlp-network';

export interface MlpTrainSettings {
  alpha: number;
  batchSize: number | 'auto';
  learningRateInit: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  maxIter: number;
  tol: number;
  earlyStopping: boolean;
  validationFraction: number;
  nIterNoChange: number;
  seed: number;
}

export interface MlpTrainResult {
  lossCurve: number[];
  validationScores: number[];
  nIter: number;
  /** True when training stopped before maxIter (no improvement for nIterNoChange epochs). */
  stoppedEarly: boolean;
}

/** Score of the network outputs on held-out rows (higher is better): accuracy or R². */
export type MlpScore = (outputs: Float64Array, y: Float64Array) => number;

/**
 * Mini-batch Adam on a network, as scikit-learn's MLP 'adam' solver: shuffles every epoch, stops
 * after nIterNoChange epochs without improving the training loss (or, with earlyStopping, the
 * validation score) by tol, and then keeps the best-scoring weights.
 * `target` holds the training targets row-major (n x outDim), `y` the raw labels or values.
 */
export function trainMlp(
  net: MlpNetwork,
  X: Matrix,
  target: Float64Array,
  y: Float64Array,
  settings: MlpTrainSettings,
  score: MlpScore,
  opts: FitOptions,
  initRng = createRng(settings.seed),
): MlpTrainResult {
  const rng = initRng.fork();
  const outDim = net.sizes[net.layers];
  const n = X.rows;
  // Training/validation rows.
  let trainIdx: Uint32Array;
  let Xval: Matrix | undefined;
  let yVal: Float64Array | undefined;
  if (settings.earlyStopping && opts.validation) {
    trainIdx = new Uint32Array(n).map((_, i) => i);
    Xval = opts.validation.X;
    yVal = Float64Array.from(opts.validation.y);
  } else if (settings.earlyStopping) {
    const perm = rng.permutation(n);
    const nVal = Math.max(1, Math.ceil(settings.validationFraction * n));
    const valIdx = perm.slice(0, nVal).sort();
    trainIdx = perm.slice(nVal);
    Xval = take(X, valIdx);
    yVal = Float64Array.from(valIdx, (i) => y[i]);
  } else {
    trainIdx = new Uint32Array(n).map((_, i) => i);
  }
  const nTrain = trainIdx.length;
  const B = settings.batchSize === 'auto' ? Math.min(200, nTrain) : Math.min(settings.batchSize, nTrain);
  const buf = new MlpBuffers(net, B);
  const tbuf = new Float64Array(B * outDim);
  const W = net.weights;
  const P = W.length;
  const grad = new Float64Array(P);
  const m1 = new Float64Array(P);
  const m2 = new Float64Array(P);
  const { beta1, beta2, epsilon, learningRateInit, alpha, tol, nIterNoChange, maxIter } = settings;
  let t = 0;
  let bestLoss = Infinity;
  let bestScore = -Infinity;
  let bestWeights: Float64Array | undefined;
  let noImprovement = 0;
  const lossCurve: number[] = [];
  const validationScores: number[] = [];
  const tick = progressReporter('epochs', maxIter, opts);
  let epoch = 0;
  let stoppedEarly = false;
  while (epoch < maxIter) {
    epoch++;
    rng.shuffle(trainIdx);
    let total = 0;
    for (let start = 0; start < nTrain; start += B) {
      const b = Math.min(B, nTrain - start);
      gatherRows(X, trainIdx, start, b, buf.acts[0]);
      for (let r = 0; r < b; r++) {
        const src = trainIdx[start + r] * outDim;
        for (let j = 0; j < outDim; j++) tbuf[r * outDim + j] = target[src + j];
      }
      forward(net, buf, b);
      total += backward(net, buf, b, tbuf, alpha, grad) * b;
      // Adam step (bias-corrected learning rate, as scikit-learn).
      t++;
      const lr = (learningRateInit * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      for (let i = 0; i < P; i++) {
        const g = grad[i];
        m1[i] = beta1 * m1[i] + (1 - beta1) * g;
        m2[i] = beta2 * m2[i] + (1 - beta2) * g * g;
        W[i] -= (lr * m1[i]) / (Math.sqrt(m2[i]) + epsilon);
      }
    }
    const loss = total / nTrain;
    lossCurve.push(loss);
    if (Xval && yVal) {
      const s = score(predictNetwork(net, Xval), yVal);
      validationScores.push(s);
      noImprovement = s < bestScore + tol ? noImprovement + 1 : 0;
      if (s > bestScore) {
        bestScore = s;
        bestWeights = W.slice();
      }
    } else {
      noImprovement = loss > bestLoss - tol ? noImprovement + 1 : 0;
      if (loss < bestLoss) bestLoss = loss;
    }
    tick(epoch);
    if (!Number.isFinite(loss)) break;
    if (noImprovement > nIterNoChange) {
      stoppedEarly = true;
      break;
    }
  }
  if (bestWeights) W.set(bestWeights);
  return { lossCurve, validationScores, nIter: epoch, stoppedEarly };
}
