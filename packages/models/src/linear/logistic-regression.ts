import {
  checkClassLabels,
  checkPredictColumns,
  checkSampleWeight,
  checkXy,
  ConfigError,
  decodeArray,
  encodeArray,
  expectKind,
  InputError,
  registerLoader,
  type Classifier,
  type EncodedArray,
  type Estimator,
  type FitOptions,
  type Matrix,
  type Serialized,
} from '@campaign-ml/core';
import { checkNoMissing } from './check-no-missing';
import { designMatrix, fusedXwXtv, setXtv, setXw, type DesignMatrix, type DesignOptions } from './design-matrix';
import { expNeg } from './exp-neg';
import { minimizeLbfgs, type Objective } from './lbfgs';
import { checkInteger, checkNumber, checkOneOf } from './param-checks';

export type LogisticPenalty = 'l2' | 'l1' | 'none';

export interface LogisticRegressionParams {
  /** 'l2' (default), 'l1' (sparse coefficients, OWL-QN) or 'none'. */
  penalty?: LogisticPenalty;
  /** Inverse regularization strength, scikit-learn's meaning: objective = Σ wᵢ·lossᵢ + ‖w‖²/(2C) (L1: ‖w‖₁/C). Default 1. */
  C?: number;
  /** Fit an (unpenalized) intercept. Default true. */
  fitIntercept?: boolean;
  /** Maximum L-BFGS iterations. Default 100. */
  maxIter?: number;
  /** Stop when the largest gradient component is at most tol. Default 1e-4. */
  tol?: number;
  /**
   * Also stop when an iteration lowers the objective by less than ftol relative. Default 2.2e-9,
   * scipy's L-BFGS-B default that scikit-learn's lbfgs runs with; 0 turns it off so that only tol
   * (or maxIter) ends the fit, for coefficients accurate to the optimum.
   */
  ftol?: number;
  /** 'balanced' (n / (k · count of the class)) or a weight per class index; multiplies sampleWeight. */
  classWeight?: 'balanced' | Readonly<Record<number, number>>;
}

type ResolvedParams = Required<Omit<LogisticRegressionParams, 'classWeight'>> &
  Pick<LogisticRegressionParams, 'classWeight'>;

const KIND = 'models/LogisticRegression';
const NAME = 'LogisticRegression';

/**
 * Logistic regression, binary (sigmoid) or multinomial (softmax), fitted with L-BFGS (OWL-QN for
 * L1). Coefficients match scikit-learn's `LogisticRegression(solver='lbfgs')` for the same C.
 *
 * ```ts
 * const model = new LogisticRegression({ C: 0.5 }).fit(X, y);
 * model.predictProba(Xtest); // rows x classes
 * ```
 */
export class LogisticRegression implements Estimator<FittedLogisticRegression, LogisticRegressionParams> {
  readonly params: Readonly<ResolvedParams>;

  constructor(params: LogisticRegressionParams = {}) {
    const p: ResolvedParams = {
      penalty: checkOneOf(NAME, 'penalty', params.penalty ?? 'l2', ['l2', 'l1', 'none']),
      C: checkNumber(NAME, 'C', params.C ?? 1, 0, Infinity, false),
      fitIntercept: params.fitIntercept ?? true,
      maxIter: checkInteger(NAME, 'maxIter', params.maxIter ?? 100, 1),
      tol: checkNumber(NAME, 'tol', params.tol ?? 1e-4, 0, Infinity),
      ftol: checkNumber(NAME, 'ftol', params.ftol ?? 2.220446049250313e-9, 0, 1),
      classWeight: params.classWeight,
    };
    if (p.classWeight !== undefined && p.classWeight !== 'balanced' && typeof p.classWeight !== 'object') {
      throw new ConfigError(
        'INVALID_PARAM',
        `${NAME}: classWeight must be "balanced" or an object of weights per class index`,
        {
          column: 'classWeight',
          value: p.classWeight,
          expected: '"balanced" or { [classIndex]: weight }',
        },
      );
    }
    this.params = Object.freeze(p);
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedLogisticRegression {
    return fitLogistic(this, X, y, opts);
  }
}

/**
 * @internal LogisticRegression.fit with a choice of how X is read (tests compare the sparse and
 * dense readings, SIMD and JavaScript kernels).
 */
export function fitLogistic(
  estimator: LogisticRegression,
  X: Matrix,
  y: ArrayLike<number>,
  opts: FitOptions = {},
  design: DesignOptions = {},
): FittedLogisticRegression {
  const params = estimator.params;
  const yy = checkXy(X, y);
  checkNoMissing(X, NAME);
  const { labels, classes } = checkClassLabels(yy);
  const n = X.rows;
  const p = X.cols;
  const sw = sampleWeights(labels, classes, checkSampleWeight(opts.sampleWeight, n), params.classWeight);
  const { penalty, C, fitIntercept, maxIter, tol, ftol } = params;
  const l2 = penalty === 'l2' ? 1 / C : 0;
  const K = classes === 2 ? 1 : classes;
  const nParams = K * p + K;
  let l1: Float64Array | undefined;
  if (penalty === 'l1') {
    l1 = new Float64Array(nParams);
    l1.fill(1 / C, 0, K * p);
  }
  const dm = designMatrix(X, design);
  let result: ReturnType<typeof minimizeLbfgs>;
  try {
    const objective =
      K === 1
        ? binaryObjective(dm, labels, sw, l2, fitIntercept)
        : multinomialObjective(dm, labels, sw, l2, K, fitIntercept);
    result = minimizeLbfgs(objective, new Float64Array(nParams), {
      maxIter,
      tol,
      ftol,
      l1,
      signal: opts.signal,
      onIteration: opts.onProgress ? (done) => opts.onProgress!({ stage: 'lbfgs', done, total: maxIter }) : undefined,
    });
  } finally {
    dm.release();
  }
  const coef = result.x.slice(0, K * p);
  const intercept = fitIntercept ? result.x.slice(K * p) : new Float64Array(K);
  return new FittedLogisticRegression(params, X.columns, classes, coef, intercept, result.iterations, result.converged);
}

/** A fitted logistic regression: immutable, serializable, predicts class probabilities. */
export class FittedLogisticRegression implements Classifier {
  readonly params: Readonly<ResolvedParams>;
  readonly columns: readonly string[];
  readonly classes: number;
  /** L-BFGS iterations used. */
  readonly nIter: number;
  /** False when maxIter was reached before the tolerance. */
  readonly converged: boolean;
  readonly #coef: Float64Array;
  readonly #intercept: Float64Array;

  /** @internal use LogisticRegression.fit or load(). */
  constructor(
    params: Readonly<ResolvedParams>,
    columns: readonly string[],
    classes: number,
    coef: Float64Array,
    intercept: Float64Array,
    nIter: number,
    converged: boolean,
  ) {
    this.params = params;
    this.columns = Object.freeze([...columns]);
    this.classes = classes;
    this.#coef = coef;
    this.#intercept = intercept;
    this.nIter = nIter;
    this.converged = converged;
    Object.freeze(this);
  }

  /** Coefficients, row-major (1 x features for binary, classes x features for multinomial); a copy. */
  get coef(): Float64Array {
    return this.#coef.slice();
  }

  /** Intercepts (1 for binary, one per class for multinomial); a copy. */
  get intercept(): Float64Array {
    return this.#intercept.slice();
  }

  /** Linear scores: rows values for binary (log-odds of class 1), rows x classes row-major otherwise. */
  decisionFunction(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    checkNoMissing(X, NAME);
    const K = this.#intercept.length;
    const n = X.rows;
    const p = X.cols;
    const out = new Float64Array(n * K);
    const data = X.data;
    const coef = this.#coef;
    for (let k = 0; k < K; k++) {
      const b = this.#intercept[k];
      for (let r = 0; r < n; r++) out[r * K + k] = b;
      for (let c = 0; c < p; c++) {
        const w = coef[k * p + c];
        if (w === 0) continue;
        const off = c * n;
        for (let r = 0; r < n; r++) out[r * K + k] += w * data[off + r];
      }
    }
    return out;
  }

  predictProba(X: Matrix): Float64Array {
    const z = this.decisionFunction(X);
    const n = X.rows;
    const K = this.classes;
    if (this.#intercept.length === 1) {
      const out = new Float64Array(n * 2);
      for (let r = 0; r < n; r++) {
        const p1 = sigmoid(z[r]);
        out[2 * r] = 1 - p1;
        out[2 * r + 1] = p1;
      }
      return out;
    }
    for (let r = 0; r < n; r++) {
      const off = r * K;
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (z[off + k] > max) max = z[off + k];
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(z[off + k] - max);
        z[off + k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) z[off + k] /= sum;
    }
    return z;
  }

  predict(X: Matrix): Int32Array {
    const z = this.decisionFunction(X);
    const n = X.rows;
    const out = new Int32Array(n);
    if (this.#intercept.length === 1) {
      for (let r = 0; r < n; r++) out[r] = z[r] > 0 ? 1 : 0;
      return out;
    }
    const K = this.classes;
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (z[r * K + k] > z[r * K + best]) best = k;
      out[r] = best;
    }
    return out;
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.params },
      columns: [...this.columns],
      classes: this.classes,
      coef: encodeArray(this.#coef),
      intercept: encodeArray(this.#intercept),
      nIter: this.nIter,
      converged: this.converged,
    };
  }

  static fromJSON(json: Serialized): FittedLogisticRegression {
    expectKind(json, KIND, 1);
    const params = new LogisticRegression(json.params as LogisticRegressionParams).params;
    return new FittedLogisticRegression(
      params,
      json.columns as string[],
      json.classes as number,
      decodeArray(json.coef as EncodedArray, 'coef'),
      decodeArray(json.intercept as EncodedArray, 'intercept'),
      json.nIter as number,
      json.converged as boolean,
    );
  }
}

registerLoader(KIND, FittedLogisticRegression.fromJSON);

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Sample weight x class weight for every row; undefined when every row weighs 1. */
export function sampleWeights(
  labels: Int32Array,
  classes: number,
  sampleWeight: Float64Array | undefined,
  classWeight: LogisticRegressionParams['classWeight'],
): Float64Array | undefined {
  const n = labels.length;
  if (classWeight === undefined) return sampleWeight;
  const out = sampleWeight ?? new Float64Array(n).fill(1);
  const cw = new Float64Array(classes).fill(1);
  if (classWeight === 'balanced') {
    const counts = new Float64Array(classes);
    for (let i = 0; i < n; i++) counts[labels[i]]++;
    let present = 0;
    for (let k = 0; k < classes; k++) if (counts[k] > 0) present++;
    for (let k = 0; k < classes; k++) cw[k] = counts[k] > 0 ? n / (present * counts[k]) : 1;
  } else {
    for (const [key, w] of Object.entries(classWeight)) {
      const k = Number(key);
      if (!Number.isInteger(k) || k < 0 || k >= classes || !Number.isFinite(w) || w < 0) {
        throw new InputError(
          'INVALID_CLASS_WEIGHT',
          `classWeight has ${key}: ${w}; keys must be class indices 0..${classes - 1} and weights finite and >= 0`,
          {
            column: 'classWeight',
            value: key,
            expected: `a class index 0..${classes - 1} with a weight >= 0`,
          },
        );
      }
      cw[k] = w;
    }
  }
  for (let i = 0; i < n; i++) out[i] *= cw[labels[i]];
  return out;
}

/** Rows per product in the unweighted loss: factors are in (1, 2], so a block stays below 2^512. */
const LOG_BLOCK = 512;

/**
 * Σ swᵢ·logloss(yᵢ, σ(xᵢ·w + b)) + l2/2·‖w‖²; parameters [w (p), b]. One exp per row serves the
 * loss and the residual: with e = exp(−|z|), logloss = max(z, 0) − y·z + log(1 + e) and
 * σ(z) = 1/(1 + e) or e/(1 + e). Unweighted, Σ log(1 + e) is taken as the log of block products
 * of the (1 + e), one Math.log per 512 rows instead of a log1p per row: each product rounds by
 * half an ulp per factor, the same as adding the terms one by one to f.
 */
function binaryObjective(
  X: DesignMatrix,
  labels: Int32Array,
  sw: Float64Array | undefined,
  l2: number,
  fitIntercept: boolean,
): Objective {
  const p = X.cols;
  const z = X.z;
  let f = 0;
  let gb = 0;
  // Scores z[start, end) to residuals σ(z) − y (times the weight), adding the loss to f.
  const unweighted = (start: number, end: number): void => {
    let loss = 0;
    let res = 0;
    for (let block = start; block < end; block += LOG_BLOCK) {
      const stop = Math.min(end, block + LOG_BLOCK);
      let prod = 1;
      for (let r = block; r < stop; r++) {
        const zr = z[r];
        const e = expNeg(-Math.abs(zr));
        const u = 1 + e;
        prod *= u;
        const yr = labels[r];
        loss += (zr > 0 ? zr : 0) - yr * zr;
        const v = (zr >= 0 ? 1 : e) / u - yr;
        z[r] = v;
        res += v;
      }
      loss += Math.log(prod);
    }
    f += loss;
    gb += res;
  };
  const weighted = (start: number, end: number): void => {
    let loss = 0;
    let res = 0;
    for (let r = start; r < end; r++) {
      const zr = z[r];
      const e = expNeg(-Math.abs(zr));
      const yr = labels[r];
      const s = sw![r];
      loss += s * ((zr > 0 ? zr : 0) + Math.log1p(e) - yr * zr);
      const v = s * ((zr >= 0 ? 1 : e) / (1 + e) - yr);
      z[r] = v;
      res += v;
    }
    f += loss;
    gb += res;
  };
  const rows = sw === undefined ? unweighted : weighted;
  return (x, grad) => {
    f = 0;
    gb = 0;
    fusedXwXtv(X, x, fitIntercept ? x[p] : 0, grad, rows);
    for (let c = 0; c < p; c++) {
      const w = x[c];
      grad[c] += l2 * w;
      f += 0.5 * l2 * w * w;
    }
    grad[p] = fitIntercept ? gb : 0;
    return f;
  };
}

/** Σ swᵢ·(logsumexp(zᵢ) − zᵢ,yᵢ) + l2/2·‖W‖²; parameters [W (K x p, row-major), b (K)]. */
function multinomialObjective(
  X: DesignMatrix,
  labels: Int32Array,
  sw: Float64Array | undefined,
  l2: number,
  K: number,
  fitIntercept: boolean,
): Objective {
  const n = X.rows;
  const p = X.cols;
  const Z = new Float64Array(K * n); // class-major scores, then residuals
  return (x, grad) => {
    for (let k = 0; k < K; k++) setXw(X, x, k * p, fitIntercept ? x[K * p + k] : 0, Z, k * n);
    let f = 0;
    for (let r = 0; r < n; r++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (Z[k * n + r] > max) max = Z[k * n + r];
      const yr = labels[r];
      const zy = Z[yr * n + r];
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = expNeg(Z[k * n + r] - max);
        Z[k * n + r] = e;
        sum += e;
      }
      const s = sw === undefined ? 1 : sw[r];
      f += s * (max + Math.log(sum) - zy);
      const inv = s / sum;
      for (let k = 0; k < K; k++) Z[k * n + r] *= inv;
      Z[yr * n + r] -= s;
    }
    for (let k = 0; k < K; k++) {
      const zo = k * n;
      let gb = 0;
      for (let r = 0; r < n; r++) gb += Z[zo + r];
      grad[K * p + k] = fitIntercept ? gb : 0;
      setXtv(X, Z, zo, grad, k * p);
      for (let c = 0; c < p; c++) {
        const w = x[k * p + c];
        grad[k * p + c] += l2 * w;
        f += 0.5 * l2 * w * w;
      }
    }
    return f;
  };
}
