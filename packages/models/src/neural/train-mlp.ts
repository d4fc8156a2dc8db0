import { createRng, progressReporter, take, type FitOptions, type Matrix } from '@campaign-ml/core';
import { wasmMlpOn } from './mlp-kernels';
import { backward, forward, gatherRows, MlpBuffers, predictNetworkJs, type MlpNetwork } from './mlp-network';
import { countNonZeros, fillCsr, WasmNetwork } from './mlp-wasm';

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
  const n = X.rows;
  // Training/validation rows: validation from fit's options, or held out of X (rows valIdx).
  let trainIdx: Uint32Array;
  let validation: Validation | undefined;
  if (settings.earlyStopping && opts.validation) {
    trainIdx = new Uint32Array(n).map((_, i) => i);
    validation = { X: opts.validation.X, y: Float64Array.from(opts.validation.y) };
  } else if (settings.earlyStopping) {
    const perm = rng.permutation(n);
    const nVal = Math.max(1, Math.ceil(settings.validationFraction * n));
    const valIdx = perm.slice(0, nVal).sort();
    trainIdx = perm.slice(nVal);
    validation = { X, rows: valIdx, y: Float64Array.from(valIdx, (i) => y[i]) };
  } else {
    trainIdx = new Uint32Array(n).map((_, i) => i);
  }
  const nTrain = trainIdx.length;
  const B = settings.batchSize === 'auto' ? Math.min(200, nTrain) : Math.min(settings.batchSize, nTrain);
  const engine =
    (wasmMlpOn() && wasmEngine(net, X, target, settings, B, validation)) ||
    jsEngine(net, X, target, settings, B, validation);
  const W = engine.weights;
  const { beta1, beta2, learningRateInit, tol, nIterNoChange, maxIter } = settings;
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
      // Adam step (bias-corrected learning rate, as scikit-learn).
      t++;
      const lr = (learningRateInit * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      total += engine.step(trainIdx, start, b, lr) * b;
    }
    const loss = total / nTrain;
    lossCurve.push(loss);
    if (validation) {
      const s = score(engine.validate(), validation.y);
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
  engine.finish();
  return { lossCurve, validationScores, nIter: epoch, stoppedEarly };
}

/** Held-out rows: all of X, or X's rows `rows` (in that order); y their labels or values. */
interface Validation {
  X: Matrix;
  rows?: Uint32Array;
  y: Float64Array;
}

/** What the epoch loop drives: one JavaScript implementation, one WebAssembly (same results, bit for bit). */
interface MlpEngine {
  /** The weights being trained (live). */
  readonly weights: Float64Array;
  /** Forward, backward and one Adam step (at learning rate lr) on rows trainIdx[start, start + b); returns the batch loss. */
  step(trainIdx: Uint32Array, start: number, b: number, lr: number): number;
  /** Network outputs on the validation rows. */
  validate(): Float64Array;
  /** Leaves the trained weights in the network. */
  finish(): void;
}

/** Targets of rows idx[start, start + b) into out (b x outDim row-major). */
function gatherTargets(
  target: Float64Array,
  idx: Uint32Array,
  start: number,
  b: number,
  outDim: number,
  out: Float64Array,
): void {
  for (let r = 0; r < b; r++) {
    const src = idx[start + r] * outDim;
    for (let j = 0; j < outDim; j++) out[r * outDim + j] = target[src + j];
  }
}

/** The reference implementation: forward/backward of mlp-network.ts and Adam in plain loops. */
function jsEngine(
  net: MlpNetwork,
  X: Matrix,
  target: Float64Array,
  settings: MlpTrainSettings,
  B: number,
  validation: Validation | undefined,
): MlpEngine {
  const outDim = net.sizes[net.layers];
  const Xval = validation?.rows ? take(X, validation.rows) : validation?.X;
  const buf = new MlpBuffers(net, B);
  const tbuf = new Float64Array(B * outDim);
  const W = net.weights;
  const P = W.length;
  const grad = new Float64Array(P);
  const m1 = new Float64Array(P);
  const m2 = new Float64Array(P);
  const { beta1, beta2, epsilon, alpha } = settings;
  return {
    weights: W,
    step(trainIdx, start, b, lr) {
      gatherRows(X, trainIdx, start, b, buf.acts[0]);
      gatherTargets(target, trainIdx, start, b, outDim, tbuf);
      forward(net, buf, b);
      const loss = backward(net, buf, b, tbuf, alpha, grad);
      for (let i = 0; i < P; i++) {
        const g = grad[i];
        m1[i] = beta1 * m1[i] + (1 - beta1) * g;
        m2[i] = beta2 * m2[i] + (1 - beta2) * g * g;
        W[i] -= (lr * m1[i]) / (Math.sqrt(m2[i]) + epsilon);
      }
      return loss;
    },
    validate: () => predictNetworkJs(net, Xval!),
    finish: () => undefined,
  };
}

/**
 * The same in WebAssembly (mlp-wasm.ts): X's rows compressed once per fit, a copy of the weights in
 * the instance's memory. Null where WebAssembly SIMD is missing or the memory would be too large.
 */
function wasmEngine(
  net: MlpNetwork,
  X: Matrix,
  target: Float64Array,
  settings: MlpTrainSettings,
  B: number,
  validation: Validation | undefined,
): MlpEngine | null {
  const outDim = net.sizes[net.layers];
  const n = X.rows;
  const shapes = [{ rows: n, nnz: countNonZeros(X, 0, n) }];
  const Xval = validation && !validation.rows ? validation.X : undefined;
  if (Xval) shapes.push({ rows: Xval.rows, nnz: countNonZeros(Xval, 0, Xval.rows) });
  const made = WasmNetwork.create(net, B, shapes, true);
  if (!made) return null;
  const { network, blocks } = made;
  fillCsr(X, 0, n, blocks[0]);
  if (Xval) fillCsr(Xval, 0, Xval.rows, blocks[1]);
  const rows = network.rowList;
  const targets = network.targets;
  const { beta1, beta2, epsilon, alpha } = settings;
  return {
    weights: network.weights,
    step(trainIdx, start, b, lr) {
      rows.set(trainIdx.subarray(start, start + b));
      gatherTargets(target, trainIdx, start, b, outDim, targets);
      network.forward(blocks[0], b);
      const loss = network.backward(blocks[0], b, alpha);
      network.adam(lr, beta1, beta2, epsilon);
      return loss;
    },
    validate: () =>
      Xval
        ? network.predict(blocks[1], Xval.rows)
        : network.predict(blocks[0], validation!.rows!.length, validation!.rows),
    finish: () => net.weights.set(network.weights),
  };
}
