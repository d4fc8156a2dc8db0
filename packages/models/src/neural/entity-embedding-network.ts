import {
  ConfigError,
  createMatrix,
  decodeArray,
  encodeArray,
  type EncodedArray,
  type Serialized,
  InputError,
  progressReporter,
  type FitOptions,
  type Matrix,
  type Rng,
} from '@campaign-ml/core';
import { resolveMlpParams, type MlpParams, type ResolvedMlpParams } from './mlp-params';
import { backward, forward, MlpBuffers, MlpNetwork, outputLoss, type MlpOutput } from './mlp-network';

/** One integer-coded categorical column of the input Matrix and its embedding. */
export interface EmbeddingColumnSpec {
  /** Name of the Matrix column that holds the codes 0..cardinality-1 (NaN or -1: unknown/missing). */
  column: string;
  /** Number of categories (codes 0..cardinality-1). */
  cardinality: number;
  /** Embedding size; default min(maxEmbeddingDim, ceil(cardinality / 2)). */
  dim?: number;
}

export interface EntityEmbeddingParams extends MlpParams {
  /** The categorical columns to embed; every other Matrix column is a numeric input (scale it first). */
  categorical: readonly EmbeddingColumnSpec[];
  /** Cap of the default embedding size rule min(cap, ceil(cardinality / 2)). Default 50. */
  maxEmbeddingDim?: number;
}

export interface ResolvedEmbeddingColumn {
  readonly column: string;
  readonly cardinality: number;
  readonly dim: number;
}

export type ResolvedEntityEmbeddingParams = ResolvedMlpParams & {
  categorical: readonly ResolvedEmbeddingColumn[];
  maxEmbeddingDim: number;
};

/** The default embedding size: min(cap, ceil(cardinality / 2)), at least 1. */
export function embeddingDim(cardinality: number, cap = 50): number {
  return Math.max(1, Math.min(cap, Math.ceil(cardinality / 2)));
}

export function resolveEntityEmbeddingParams(
  owner: string,
  p: EntityEmbeddingParams,
): Readonly<ResolvedEntityEmbeddingParams> {
  const cap = p.maxEmbeddingDim ?? 50;
  if (!Number.isInteger(cap) || cap < 1)
    throw new ConfigError('INVALID_PARAM', `${owner}: maxEmbeddingDim must be a positive integer, got ${cap}`, {
      column: 'maxEmbeddingDim',
      value: cap,
      expected: 'a positive integer',
    });
  if (!p || !Array.isArray(p.categorical) || p.categorical.length === 0)
    throw new ConfigError(
      'INVALID_PARAM',
      `${owner}: categorical must list at least one { column, cardinality } (the columns to embed)`,
      { column: 'categorical', value: p?.categorical, expected: '[{ column: "category", cardinality: 150 }]' },
    );
  const seen = new Set<string>();
  const categorical = p.categorical.map((c, i) => {
    if (!c || typeof c.column !== 'string' || c.column === '')
      throw new ConfigError('INVALID_PARAM', `${owner}: categorical[${i}].column must be a column name`, {
        column: `categorical[${i}].column`,
        value: c?.column,
        expected: 'a column name of X',
      });
    if (seen.has(c.column))
      throw new ConfigError('INVALID_PARAM', `${owner}: column "${c.column}" is listed twice in categorical`, {
        column: c.column,
      });
    seen.add(c.column);
    if (!Number.isInteger(c.cardinality) || c.cardinality < 1)
      throw new ConfigError(
        'INVALID_PARAM',
        `${owner}: categorical "${c.column}" needs a positive integer cardinality, got ${c.cardinality}`,
        { column: c.column, value: c.cardinality, expected: 'the number of categories (codes 0..cardinality-1)' },
      );
    const dim = c.dim ?? embeddingDim(c.cardinality, cap);
    if (!Number.isInteger(dim) || dim < 1)
      throw new ConfigError('INVALID_PARAM', `${owner}: categorical "${c.column}" dim must be a positive integer`, {
        column: c.column,
        value: dim,
        expected: 'a positive integer',
      });
    return Object.freeze({ column: c.column, cardinality: c.cardinality, dim });
  });
  return Object.freeze({
    ...resolveMlpParams(owner, p),
    categorical: Object.freeze(categorical),
    maxEmbeddingDim: cap,
  });
}

/**
 * The learned table of one categorical column: row k (k < cardinality) is category k's vector,
 * `unknown` the vector for a missing code, an unknown code (-1) or a category never seen at fit.
 * Plain data: @campaign-ml/features' EmbeddingEncoder takes it as it is.
 */
export interface CategoryEmbedding {
  readonly column: string;
  readonly cardinality: number;
  readonly dim: number;
  /** cardinality x dim, row-major. */
  readonly vectors: Float64Array;
  readonly unknown: Float64Array;
  /** Training rows per category (the unknown row's count is `unknownCount`). */
  readonly counts: Float64Array;
  readonly unknownCount: number;
}

/**
 * The network of an entity-embedding model: one table per categorical column ((cardinality + 1)
 * rows of `dim`, the last row reserved for unknown/missing codes), whose looked-up vectors are
 * concatenated after the numeric inputs and fed to a dense MLP (mlp-network.ts).
 */
export class EmbeddingModel {
  readonly columns: readonly ResolvedEmbeddingColumn[];
  /** Matrix column index of each categorical column and of each numeric input. */
  readonly catIndex: Int32Array;
  readonly numIndex: Int32Array;
  readonly net: MlpNetwork;
  /** All tables, one after the other; column j's starts at tOff[j]. */
  readonly tables: Float64Array;
  readonly tOff: Int32Array;
  /** Offset of column j's vector in the network input. */
  readonly inOff: Int32Array;

  constructor(
    matrixColumns: readonly string[],
    columns: readonly ResolvedEmbeddingColumn[],
    hidden: readonly number[],
    activation: ResolvedMlpParams['activation'],
    output: MlpOutput,
    outDim: number,
    owner: string,
    net?: { weights: Float64Array; tables: Float64Array },
  ) {
    this.columns = columns;
    const index = new Map(matrixColumns.map((c, i) => [c, i] as const));
    this.catIndex = Int32Array.from(columns, (c) => {
      const i = index.get(c.column);
      if (i === undefined)
        throw new InputError(
          'MISSING_COLUMN',
          `${owner}: categorical column "${c.column}" is not a column of X (columns: ${matrixColumns.slice(0, 8).join(', ')}${matrixColumns.length > 8 ? ', …' : ''})`,
          { column: c.column, expected: 'a column of X holding integer codes' },
        );
      return i;
    });
    const cat = new Set(this.catIndex);
    this.numIndex = Int32Array.from(matrixColumns.map((_, i) => i).filter((i) => !cat.has(i)));
    this.tOff = new Int32Array(columns.length + 1);
    this.inOff = new Int32Array(columns.length);
    let inDim = this.numIndex.length;
    for (let j = 0; j < columns.length; j++) {
      this.tOff[j + 1] = this.tOff[j] + (columns[j].cardinality + 1) * columns[j].dim;
      this.inOff[j] = inDim;
      inDim += columns[j].dim;
    }
    this.tables = net?.tables ?? new Float64Array(this.tOff[columns.length]);
    if (this.tables.length !== this.tOff[columns.length])
      throw new InputError('BAD_WEIGHTS', `${owner}: embedding tables have ${this.tables.length} values`, {
        column: 'tables',
        expected: `${this.tOff[columns.length]} values`,
      });
    this.net = new MlpNetwork([inDim, ...hidden, outDim], activation, output, net?.weights);
  }

  /** Glorot-uniform network, tables uniform in ±0.05 (Keras' Embedding default). */
  initialize(rng: Rng): void {
    this.net.initialize(rng);
    for (let i = 0; i < this.tables.length; i++) this.tables[i] = rng.uniform(-0.05, 0.05);
  }
}

/**
 * Each categorical column's codes as table rows: 0..cardinality-1 as they are, NaN and -1 to the
 * reserved row `cardinality`. Anything else (a fraction, below -1, at or above cardinality,
 * ±Infinity) is an InputError naming the (1-based) row, the column and the value.
 */
export function readCodes(model: EmbeddingModel, X: Matrix, owner: string): Int32Array[] {
  return model.columns.map((c, j) => {
    const off = model.catIndex[j] * X.rows;
    const codes = new Int32Array(X.rows);
    for (let r = 0; r < X.rows; r++) {
      const v = X.data[off + r];
      if (Number.isNaN(v) || v === -1) codes[r] = c.cardinality;
      else if (Number.isInteger(v) && v >= 0 && v < c.cardinality) codes[r] = v;
      else
        throw new InputError(
          'BAD_CATEGORY_CODE',
          `${owner}: column "${c.column}" at row ${r + 1} holds ${v}, not a category code; expected an integer 0..${c.cardinality - 1} (or -1/NaN for unknown or missing). Encode the column with an ordinal encoder fitted on the training rows.`,
          { row: r + 1, column: c.column, value: v, expected: `an integer 0..${c.cardinality - 1}, -1 or NaN` },
        );
    }
    return codes;
  });
}

/** Numeric inputs (NaN/Infinity refused, naming row and column). */
export function checkNumericInputs(model: EmbeddingModel, X: Matrix, owner: string): void {
  for (const c of model.numIndex) {
    const off = c * X.rows;
    for (let r = 0; r < X.rows; r++) {
      const v = X.data[off + r];
      if (!Number.isFinite(v))
        throw new InputError(
          'MISSING_VALUE',
          `${owner} cannot use missing or infinite numeric inputs: column "${X.columns[c]}" is ${v} at row ${r + 1}; impute it first`,
          { row: r + 1, column: X.columns[c], value: v, expected: 'a finite number' },
        );
    }
  }
}

/** Network inputs of rows idx[start..start+B) into A (B x inDim row-major). */
function fillInputs(
  model: EmbeddingModel,
  X: Matrix,
  codes: readonly Int32Array[],
  idx: ArrayLike<number>,
  start: number,
  B: number,
  A: Float64Array,
): void {
  const inDim = model.net.sizes[0];
  const n = X.rows;
  const data = X.data;
  const T = model.tables;
  for (let k = 0; k < model.numIndex.length; k++) {
    const off = model.numIndex[k] * n;
    for (let b = 0; b < B; b++) A[b * inDim + k] = data[off + idx[start + b]];
  }
  for (let j = 0; j < model.columns.length; j++) {
    const dim = model.columns[j].dim;
    const io = model.inOff[j];
    const to = model.tOff[j];
    const cj = codes[j];
    for (let b = 0; b < B; b++) {
      const src = to + cj[idx[start + b]] * dim;
      const dst = b * inDim + io;
      for (let d = 0; d < dim; d++) A[dst + d] = T[src + d];
    }
  }
}

/**
 * Loss of a batch (data loss + alpha/(2B)·Σ W² over the dense weights, as the MLP) with the
 * gradient of the dense weights into gradW and of the tables into gradT (zeroed here). The input
 * delta D1·W0ᵀ of each row is added to the table row its code picked.
 */
export function batchLossAndGradient(
  model: EmbeddingModel,
  buf: MlpBuffers,
  X: Matrix,
  codes: readonly Int32Array[],
  idx: ArrayLike<number>,
  start: number,
  B: number,
  target: Float64Array,
  alpha: number,
  gradW: Float64Array,
  gradT: Float64Array,
): number {
  const net = model.net;
  fillInputs(model, X, codes, idx, start, B, buf.acts[0]);
  forward(net, buf, B);
  const loss = backward(net, buf, B, target, alpha, gradW);
  gradT.fill(0);
  const h = net.sizes[1];
  const W = net.weights;
  const D1 = buf.deltas[1];
  for (let j = 0; j < model.columns.length; j++) {
    const dim = model.columns[j].dim;
    const io = model.inOff[j];
    const to = model.tOff[j];
    const cj = codes[j];
    for (let b = 0; b < B; b++) {
      const g = to + cj[idx[start + b]] * dim;
      const dOff = b * h;
      for (let d = 0; d < dim; d++) {
        const wi = (io + d) * h; // layer 0's weights start at 0
        let s = 0;
        for (let k = 0; k < h; k++) s += D1[dOff + k] * W[wi + k];
        gradT[g + d] += s;
      }
    }
  }
  return loss;
}

/** Network outputs for every row of X (n x outDim row-major). */
export function predictEmbedding(model: EmbeddingModel, X: Matrix, codes: readonly Int32Array[]): Float64Array {
  const n = X.rows;
  const net = model.net;
  const outDim = net.sizes[net.layers];
  const out = new Float64Array(n * outDim);
  const chunk = Math.max(1, Math.min(n, 1024));
  const buf = new MlpBuffers(net, chunk);
  const idx = new Uint32Array(n).map((_, i) => i);
  for (let s = 0; s < n; s += chunk) {
    const B = Math.min(chunk, n - s);
    fillInputs(model, X, codes, idx, s, B, buf.acts[0]);
    forward(net, buf, B);
    out.set(buf.acts[net.layers].subarray(0, B * outDim), s * outDim);
  }
  return out;
}

export interface EmbeddingTrainResult {
  lossCurve: number[];
  validationLoss: number[];
  nIter: number;
  stoppedEarly: boolean;
  /** Training rows per table row of each column (last entry: unknown/missing codes). */
  counts: Float64Array[];
}

/**
 * Mini-batch Adam over the dense weights and the tables together (end to end), with the MLP's
 * stopping rule: nIterNoChange epochs without improving the training loss by tol or, with
 * earlyStopping, the validation loss (held out of X, or fit's `validation`), keeping the best weights.
 * `target` is n x outDim row-major; `valTarget` the same for `opts.validation`.
 */
export function trainEmbedding(
  model: EmbeddingModel,
  X: Matrix,
  codes: readonly Int32Array[],
  target: Float64Array,
  settings: ResolvedEntityEmbeddingParams,
  opts: FitOptions,
  rng: Rng,
  validation?: { X: Matrix; codes: Int32Array[]; target: Float64Array },
): EmbeddingTrainResult {
  const n = X.rows;
  const net = model.net;
  const outDim = net.sizes[net.layers];
  let trainIdx: Uint32Array;
  let val: { X: Matrix; codes: readonly Int32Array[]; target: Float64Array; idx: Uint32Array } | undefined;
  if (settings.earlyStopping && validation) {
    trainIdx = new Uint32Array(n).map((_, i) => i);
    val = { ...validation, idx: new Uint32Array(validation.X.rows).map((_, i) => i) };
  } else if (settings.earlyStopping) {
    const perm = rng.permutation(n);
    const nVal = Math.max(1, Math.ceil(settings.validationFraction * n));
    val = { X, codes, target, idx: perm.slice(0, nVal).sort() };
    trainIdx = perm.slice(nVal);
  } else trainIdx = new Uint32Array(n).map((_, i) => i);
  const nTrain = trainIdx.length;
  const B = settings.batchSize === 'auto' ? Math.min(200, nTrain) : Math.min(settings.batchSize, nTrain);
  const buf = new MlpBuffers(net, Math.max(B, 1));
  const tbuf = new Float64Array(B * outDim);
  const W = net.weights;
  const T = model.tables;
  const gradW = new Float64Array(W.length);
  const gradT = new Float64Array(T.length);
  const mW = new Float64Array(W.length);
  const vW = new Float64Array(W.length);
  const mT = new Float64Array(T.length);
  const vT = new Float64Array(T.length);
  const { beta1, beta2, epsilon, alpha, learningRateInit, tol, nIterNoChange, maxIter } = settings;
  const adam = (P: Float64Array, g: Float64Array, m1: Float64Array, m2: Float64Array, lr: number): void => {
    for (let i = 0; i < P.length; i++) {
      const gi = g[i];
      m1[i] = beta1 * m1[i] + (1 - beta1) * gi;
      m2[i] = beta2 * m2[i] + (1 - beta2) * gi * gi;
      P[i] -= (lr * m1[i]) / (Math.sqrt(m2[i]) + epsilon);
    }
  };
  const lossCurve: number[] = [];
  const validationLoss: number[] = [];
  const tick = progressReporter('epochs', maxIter, opts);
  let best = Infinity;
  let bestW: Float64Array | undefined;
  let bestT: Float64Array | undefined;
  let noImprovement = 0;
  let t = 0;
  let epoch = 0;
  let stoppedEarly = false;
  while (epoch < maxIter) {
    epoch++;
    rng.shuffle(trainIdx);
    let total = 0;
    for (let start = 0; start < nTrain; start += B) {
      const b = Math.min(B, nTrain - start);
      for (let r = 0; r < b; r++) {
        const src = trainIdx[start + r] * outDim;
        for (let k = 0; k < outDim; k++) tbuf[r * outDim + k] = target[src + k];
      }
      t++;
      const lr = (learningRateInit * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      total += batchLossAndGradient(model, buf, X, codes, trainIdx, start, b, tbuf, alpha, gradW, gradT) * b;
      adam(W, gradW, mW, vW, lr);
      adam(T, gradT, mT, vT, lr);
    }
    const loss = total / nTrain;
    lossCurve.push(loss);
    const current = val ? validationDataLoss(model, val) : loss;
    if (val) validationLoss.push(current);
    noImprovement = current > best - tol ? noImprovement + 1 : 0;
    if (current < best) {
      best = current;
      if (val) {
        bestW = W.slice();
        bestT = T.slice();
      }
    }
    tick(epoch);
    if (!Number.isFinite(loss)) break;
    if (noImprovement > nIterNoChange) {
      stoppedEarly = true;
      break;
    }
  }
  if (bestW && bestT) {
    W.set(bestW);
    T.set(bestT);
  }
  const counts = codeCounts(model, codes, trainIdx);
  fillUnseenRows(model, counts);
  return { lossCurve, validationLoss, nIter: epoch, stoppedEarly, counts };
}

/** Mean data loss (no penalty) on the validation rows. */
function validationDataLoss(
  model: EmbeddingModel,
  val: { X: Matrix; codes: readonly Int32Array[]; target: Float64Array; idx: Uint32Array },
): number {
  const net = model.net;
  const outDim = net.sizes[net.layers];
  const chunk = Math.min(val.idx.length, 1024);
  const buf = new MlpBuffers(net, chunk);
  const tb = new Float64Array(chunk * outDim);
  let total = 0;
  for (let s = 0; s < val.idx.length; s += chunk) {
    const B = Math.min(chunk, val.idx.length - s);
    fillInputs(model, val.X, val.codes, val.idx, s, B, buf.acts[0]);
    forward(net, buf, B);
    for (let r = 0; r < B; r++) {
      const src = val.idx[s + r] * outDim;
      for (let k = 0; k < outDim; k++) tb[r * outDim + k] = val.target[src + k];
    }
    total += outputLoss(net, buf.acts[net.layers], tb, buf.deltas[net.layers], B) * B;
  }
  return total / val.idx.length;
}

/**
 * Table rows no training row picked kept their random start: set them (and the unknown row, when
 * no training row had an unknown or missing code) to the count-weighted mean of the seen rows, so
 * an unseen category is predicted like an average one.
 */
function fillUnseenRows(model: EmbeddingModel, allCounts: readonly Float64Array[]): void {
  const T = model.tables;
  for (let j = 0; j < model.columns.length; j++) {
    const { cardinality, dim } = model.columns[j];
    const to = model.tOff[j];
    const counts = allCounts[j];
    const mean = new Float64Array(dim);
    let seen = 0;
    for (let k = 0; k < cardinality; k++) {
      if (counts[k] === 0) continue;
      seen += counts[k];
      for (let d = 0; d < dim; d++) mean[d] += counts[k] * T[to + k * dim + d];
    }
    if (seen > 0) for (let d = 0; d < dim; d++) mean[d] /= seen;
    for (let k = 0; k <= cardinality; k++) if (counts[k] === 0) T.set(mean, to + k * dim);
  }
}

/** Rows per table row among `rows` (the last entry: unknown/missing codes). */
function codeCounts(model: EmbeddingModel, codes: readonly Int32Array[], rows: Uint32Array): Float64Array[] {
  return model.columns.map((c, j) => {
    const counts = new Float64Array(c.cardinality + 1);
    for (const r of rows) counts[codes[j][r]]++;
    return counts;
  });
}

/** Each column's learned table as plain data (copies). */
export function embeddingsOf(model: EmbeddingModel, counts: readonly Float64Array[]): CategoryEmbedding[] {
  return model.columns.map((c, j) => {
    const to = model.tOff[j];
    return Object.freeze({
      column: c.column,
      cardinality: c.cardinality,
      dim: c.dim,
      vectors: model.tables.slice(to, to + c.cardinality * c.dim),
      unknown: model.tables.slice(to + c.cardinality * c.dim, to + (c.cardinality + 1) * c.dim),
      counts: counts[j].slice(0, c.cardinality),
      unknownCount: counts[j][c.cardinality],
    });
  });
}

/**
 * X with each categorical code column replaced by its embedding columns `<col>_emb_0..dim-1`
 * (in place of the code column, other columns kept): the Matrix-side export for tree models.
 */
export function embedMatrix(model: EmbeddingModel, X: Matrix, codes: readonly Int32Array[]): Matrix {
  const n = X.rows;
  const names: string[] = [];
  const parts: Float64Array[] = [];
  const byIndex = new Map(Array.from(model.catIndex, (c, j) => [c, j] as const));
  for (let c = 0; c < X.cols; c++) {
    const j = byIndex.get(c);
    if (j === undefined) {
      names.push(X.columns[c]);
      parts.push(X.data.subarray(c * n, (c + 1) * n));
      continue;
    }
    const { dim, column } = model.columns[j];
    const to = model.tOff[j];
    for (let d = 0; d < dim; d++) {
      const col = new Float64Array(n);
      for (let r = 0; r < n; r++) col[r] = model.tables[to + codes[j][r] * dim + d];
      names.push(`${column}_emb_${d}`);
      parts.push(col);
    }
  }
  const data = new Float64Array(n * names.length);
  parts.forEach((p, i) => data.set(p, i * n));
  return createMatrix(n, names.length, data, names);
}

/** What a fit recorded: loss per epoch (training; validation with early stopping) and epochs run. */
export interface EmbeddingFitHistory {
  readonly lossCurve: readonly number[];
  readonly validationLoss: readonly number[];
  readonly nIter: number;
}

/** The fields both entity-embedding models store. */
export function serializeEmbeddingModel(
  params: Readonly<ResolvedEntityEmbeddingParams>,
  columns: readonly string[],
  model: EmbeddingModel,
  counts: readonly Float64Array[],
  history: EmbeddingFitHistory,
): Record<string, unknown> {
  return {
    params: { ...params, categorical: params.categorical.map((c) => ({ ...c })) },
    columns: [...columns],
    weights: encodeArray(model.net.weights),
    tables: encodeArray(model.tables),
    counts: counts.map((c) => encodeArray(c)),
    lossCurve: [...history.lossCurve],
    validationLoss: [...history.validationLoss],
    nIter: history.nIter,
  };
}

export function deserializeEmbeddingModel(
  json: Serialized,
  owner: string,
  output: 'logistic' | 'softmax' | 'identity',
  outDim: number,
): {
  params: Readonly<ResolvedEntityEmbeddingParams>;
  model: EmbeddingModel;
  counts: Float64Array[];
  history: EmbeddingFitHistory;
} {
  const params = resolveEntityEmbeddingParams(owner, json.params as EntityEmbeddingParams);
  const model = new EmbeddingModel(
    json.columns as string[],
    params.categorical,
    params.hiddenLayerSizes,
    params.activation,
    output,
    outDim,
    owner,
    {
      weights: decodeArray<Float64Array>(json.weights as EncodedArray, 'weights'),
      tables: decodeArray<Float64Array>(json.tables as EncodedArray, 'tables'),
    },
  );
  const counts = (json.counts as EncodedArray[]).map((c) => decodeArray<Float64Array>(c, 'counts'));
  const history = {
    lossCurve: json.lossCurve as number[],
    validationLoss: json.validationLoss as number[],
    nIter: json.nIter as number,
  };
  return { params, model, counts, history };
}
