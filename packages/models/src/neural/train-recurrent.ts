import { progressReporter, type Rng, type RunOptions } from '@campaign-ml/core';
import { recurrentWorkspace } from './recurrent-kernels';
import {
  backwardSequences,
  forwardSequences,
  gatherSequences,
  networkOver,
  predictSequences,
  RecurrentBuffers,
  type RecurrentNetwork,
} from './recurrent-network';
import { takeSequences, type Sequences } from './sequences';

export interface RecurrentTrainSettings {
  batchSize: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  maxEpochs: number;
  tol: number;
  earlyStopping: boolean;
  validationFraction: number;
  nIterNoChange: number;
  dropout: number;
  /** Rescale the whole gradient when its L2 norm exceeds this (0 = never). */
  clipNorm: number;
}

export interface RecurrentTrainResult {
  lossCurve: number[];
  validationLoss: number[];
  nIter: number;
  stoppedEarly: boolean;
}

/**
 * Mini-batch Adam with backpropagation through time, as trainMlp does for the MLP: shuffles every
 * epoch, clips the gradient norm, and stops after nIterNoChange epochs without improving the
 * training loss (or, with earlyStopping, the validation loss) by tol; with early stopping it keeps
 * the weights of the best validation epoch. `target` is rows x outputs, row-major.
 * Validation: `validation` (fit's option) or a validationFraction of X's rows held out at random.
 */
export function trainRecurrent(
  net: RecurrentNetwork,
  X: Sequences,
  target: Float64Array,
  settings: RecurrentTrainSettings,
  rng: Rng,
  validation: { X: Sequences; target: Float64Array } | undefined,
  opts: RunOptions,
): RecurrentTrainResult {
  const n = X.rows;
  const K = net.outputs;
  let trainIdx: Uint32Array;
  let val: { X: Sequences; target: Float64Array } | undefined;
  if (settings.earlyStopping && validation) {
    trainIdx = new Uint32Array(n).map((_, i) => i);
    val = validation;
  } else if (settings.earlyStopping) {
    const perm = rng.permutation(n);
    const nVal = Math.max(1, Math.ceil(settings.validationFraction * n));
    const valIdx = perm.slice(0, nVal).sort();
    trainIdx = perm.slice(nVal);
    if (trainIdx.length === 0) trainIdx = valIdx.slice();
    val = { X: takeSequences(X, valIdx), target: gatherTargetRows(target, valIdx, K) };
  } else {
    trainIdx = new Uint32Array(n).map((_, i) => i);
  }
  const nTrain = trainIdx.length;
  const B = Math.min(settings.batchSize, nTrain);
  const trained = recurrentWorkspace((alloc, math, counting) => {
    // The weights being trained live in the workspace (a WebAssembly memory when the kernels run).
    const W = alloc(net.weights.length);
    const grad = alloc(net.weights.length);
    const view = networkOver(net, W);
    const buf = new RecurrentBuffers(view, B, X.steps, settings.dropout > 0, alloc, math);
    if (counting) return null;
    const result = epochs(view, buf, grad, X, target, trainIdx, settings, rng, val, opts);
    net.weights.set(W);
    return result;
  });
  return trained!;
}

function epochs(
  net: RecurrentNetwork,
  buf: RecurrentBuffers,
  grad: Float64Array,
  X: Sequences,
  target: Float64Array,
  trainIdx: Uint32Array,
  settings: RecurrentTrainSettings,
  rng: Rng,
  val: { X: Sequences; target: Float64Array } | undefined,
  opts: RunOptions,
): RecurrentTrainResult {
  const K = net.outputs;
  const nTrain = trainIdx.length;
  const B = buf.batch;
  const W = net.weights;
  const P = W.length;
  const m1 = new Float64Array(P);
  const m2 = new Float64Array(P);
  const { beta1, beta2, epsilon, learningRate, tol, nIterNoChange, maxEpochs, clipNorm } = settings;
  const dropout = settings.dropout > 0 ? { p: settings.dropout, rng } : undefined;
  let t = 0;
  let best = Infinity;
  let bestWeights: Float64Array | undefined;
  let noImprovement = 0;
  const lossCurve: number[] = [];
  const validationLoss: number[] = [];
  const tick = progressReporter('epochs', maxEpochs, opts);
  let epoch = 0;
  let stoppedEarly = false;
  while (epoch < maxEpochs) {
    epoch++;
    rng.shuffle(trainIdx);
    let total = 0;
    for (let start = 0; start < nTrain; start += B) {
      const b = Math.min(B, nTrain - start);
      gatherSequences(X, trainIdx, start, b, buf);
      for (let r = 0; r < b; r++) {
        const src = buf.order[r] * K;
        for (let j = 0; j < K; j++) buf.target[r * K + j] = target[src + j];
      }
      forwardSequences(net, buf, b, dropout);
      total += backwardSequences(net, buf, b, grad, dropout !== undefined) * b;
      if (clipNorm > 0) {
        let sq = 0;
        for (let i = 0; i < P; i++) sq += grad[i] * grad[i];
        const norm = Math.sqrt(sq);
        if (norm > clipNorm) {
          const s = clipNorm / norm;
          for (let i = 0; i < P; i++) grad[i] *= s;
        }
      }
      // Adam with scikit-learn's bias-corrected step size (as trainMlp).
      t++;
      const lr = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      for (let i = 0; i < P; i++) {
        const g = grad[i];
        m1[i] = beta1 * m1[i] + (1 - beta1) * g;
        m2[i] = beta2 * m2[i] + (1 - beta2) * g * g;
        W[i] -= (lr * m1[i]) / (Math.sqrt(m2[i]) + epsilon);
      }
    }
    const loss = total / nTrain;
    lossCurve.push(loss);
    const monitored = val ? squaredLoss(predictSequences(net, val.X), val.target, val.X.rows) : loss;
    if (val) validationLoss.push(monitored);
    noImprovement = monitored > best - tol ? noImprovement + 1 : 0;
    if (monitored < best) {
      best = monitored;
      if (val) bestWeights = W.slice();
    }
    tick(epoch);
    if (!Number.isFinite(loss)) break;
    if (noImprovement > nIterNoChange) {
      stoppedEarly = true;
      break;
    }
  }
  if (bestWeights) W.set(bestWeights);
  return { lossCurve, validationLoss, nIter: epoch, stoppedEarly };
}

/** Σ (pred − target)² / (2 rows): the training loss without dropout. */
function squaredLoss(pred: Float64Array, target: Float64Array, rows: number): number {
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += (pred[i] - target[i]) ** 2;
  return s / (2 * rows);
}

function gatherTargetRows(target: Float64Array, idx: Uint32Array, K: number): Float64Array {
  const out = new Float64Array(idx.length * K);
  for (let i = 0; i < idx.length; i++) for (let j = 0; j < K; j++) out[i * K + j] = target[idx[i] * K + j];
  return out;
}
