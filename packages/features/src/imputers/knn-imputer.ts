import {
  ConfigError,
  checkPredictColumns,
  createMatrix,
  decodeArray,
  encodeArray,
  expectKind,
  registerLoader,
} from '@campaign-ml/core';
import type { EncodedArray, FittedMatrixTransformer, Matrix, MatrixTransformer, Serialized } from '@campaign-ml/core';
import { nanMeanStd } from '../scalers/nan-stats';

export interface KnnImputerOptions {
  /** Neighbours averaged per missing value. Default 5. */
  k?: number;
  /** Standardize columns (fitted mean/std) before measuring distances. Default true. */
  scale?: boolean;
  /** Add a 0/1 `column.missing` feature for each column that had missing values at fit. */
  addIndicator?: boolean;
}

/**
 * Fills each missing value with the mean of that column over the k nearest fit rows that have it,
 * as scikit-learn's KNNImputer (uniform weights, nan-euclidean distance: squared differences over
 * the coordinates both rows have, scaled up by cols / present). With `scale`, distances are taken
 * on standardized columns. A row with no comparable neighbour gets the column mean; a column with
 * no values at fit gets 0. A Matrix step: use it after encoding, on numeric features.
 */
export class KnnImputer implements MatrixTransformer<FittedKnnImputer> {
  readonly params: Readonly<Required<KnnImputerOptions>>;

  constructor(options: KnnImputerOptions = {}) {
    const k = options.k ?? 5;
    if (!Number.isInteger(k) || k < 1)
      throw new ConfigError('INVALID_OPTION', `k must be an integer >= 1, got ${k}`, { value: k });
    this.params = Object.freeze({ k, scale: options.scale ?? true, addIndicator: options.addIndicator ?? false });
  }

  fit(X: Matrix): FittedKnnImputer {
    const { rows, cols } = X;
    const mean = new Float64Array(cols);
    const inv = new Float64Array(cols);
    const hasMissing = new Uint8Array(cols);
    for (let c = 0; c < cols; c++) {
      const col = X.data.subarray(c * rows, (c + 1) * rows);
      const s = nanMeanStd(col);
      mean[c] = s.count > 0 ? s.mean : 0;
      inv[c] = this.params.scale && s.std > 0 ? 1 / s.std : 1;
      if (s.count < rows) hasMissing[c] = 1;
    }
    return new FittedKnnImputer(
      this.params.k,
      this.params.scale,
      this.params.addIndicator,
      X.columns,
      rows,
      Float64Array.from(X.data),
      mean,
      inv,
      hasMissing,
    );
  }
}

const KIND = 'features/KnnImputer';

export class FittedKnnImputer implements FittedMatrixTransformer {
  readonly featureNamesOut: readonly string[];
  private readonly scaled: Float64Array;

  constructor(
    readonly k: number,
    readonly scale: boolean,
    readonly addIndicator: boolean,
    readonly featureNamesIn: readonly string[],
    /** Rows of the reference (fit) data. */
    private readonly fitRows: number,
    /** The fit data, column-major, raw scale. */
    private readonly fitData: Float64Array,
    /** Column means at fit (the fallback fill). */
    private readonly mean: Float64Array,
    /** 1/std per column when scaling, else 1. */
    private readonly inv: Float64Array,
    private readonly hasMissing: Uint8Array,
  ) {
    const cols = featureNamesIn.length;
    this.scaled = new Float64Array(fitData.length);
    for (let c = 0; c < cols; c++) {
      const off = c * fitRows;
      for (let r = 0; r < fitRows; r++) this.scaled[off + r] = (fitData[off + r] - mean[c]) * inv[c];
    }
    this.featureNamesOut = Object.freeze([
      ...featureNamesIn,
      ...(addIndicator ? featureNamesIn.filter((_, c) => hasMissing[c]).map((n) => `${n}.missing`) : []),
    ]);
    Object.freeze(this);
  }

  transform(X: Matrix): Matrix {
    checkPredictColumns(X, this.featureNamesIn);
    const { rows, cols } = X;
    const m = this.fitRows;
    const k = this.k;
    const extra = this.featureNamesOut.length - cols;
    const out = new Float64Array(rows * (cols + extra));
    out.set(X.data);
    const dist = new Float64Array(m);
    const present = new Float64Array(m);
    const row = new Float64Array(cols);
    const donors = new Int32Array(k);
    const donorDist = new Float64Array(k);
    for (let r = 0; r < rows; r++) {
      let anyMissing = false;
      for (let c = 0; c < cols; c++) {
        const v = X.data[c * rows + r];
        row[c] = (v - this.mean[c]) * this.inv[c];
        if (v !== v) anyMissing = true;
      }
      if (!anyMissing) continue;
      this.distances(row, dist, present);
      for (let c = 0; c < cols; c++) {
        if (row[c] === row[c]) continue;
        // The k nearest fit rows with a finite distance that have column c (ties: lower row first).
        let found = 0;
        const off = c * m;
        for (let i = 0; i < m; i++) {
          const d = dist[i];
          if (d !== d || this.fitData[off + i] !== this.fitData[off + i]) continue;
          if (found < k) {
            let j = found++;
            while (j > 0 && donorDist[j - 1] > d) {
              donorDist[j] = donorDist[j - 1];
              donors[j] = donors[j - 1];
              j--;
            }
            donorDist[j] = d;
            donors[j] = i;
          } else if (d < donorDist[k - 1]) {
            let j = k - 1;
            while (j > 0 && donorDist[j - 1] > d) {
              donorDist[j] = donorDist[j - 1];
              donors[j] = donors[j - 1];
              j--;
            }
            donorDist[j] = d;
            donors[j] = i;
          }
        }
        let fill = this.mean[c];
        if (found > 0) {
          let s = 0;
          for (let j = 0; j < found; j++) s += this.fitData[off + donors[j]];
          fill = s / found;
        }
        out[c * rows + r] = fill;
      }
    }
    if (extra > 0) {
      let e = cols;
      for (let c = 0; c < cols; c++) {
        if (!this.hasMissing[c]) continue;
        const src = c * rows;
        const dst = e * rows;
        for (let r = 0; r < rows; r++) out[dst + r] = X.data[src + r] !== X.data[src + r] ? 1 : 0;
        e++;
      }
    }
    return createMatrix(rows, cols + extra, out, this.featureNamesOut);
  }

  /** nan-euclidean distance from one (scaled) row to every fit row; NaN when no coordinate is shared. */
  private distances(row: Float64Array, dist: Float64Array, present: Float64Array): void {
    const m = this.fitRows;
    const cols = row.length;
    dist.fill(0);
    present.fill(0);
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      if (v !== v) continue;
      const off = c * m;
      for (let i = 0; i < m; i++) {
        const d = this.scaled[off + i] - v;
        if (d === d) {
          dist[i] += d * d;
          present[i]++;
        }
      }
    }
    for (let i = 0; i < m; i++) dist[i] = present[i] > 0 ? Math.sqrt((dist[i] * cols) / present[i]) : NaN;
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      k: this.k,
      scale: this.scale,
      addIndicator: this.addIndicator,
      featureNamesIn: [...this.featureNamesIn],
      fitRows: this.fitRows,
      fitData: encodeArray(this.fitData),
      mean: encodeArray(this.mean),
      inv: encodeArray(this.inv),
      hasMissing: encodeArray(this.hasMissing),
    };
  }

  static fromJSON(json: Serialized): FittedKnnImputer {
    expectKind(json, KIND, 1);
    return new FittedKnnImputer(
      json.k as number,
      json.scale as boolean,
      json.addIndicator as boolean,
      json.featureNamesIn as string[],
      json.fitRows as number,
      decodeArray(json.fitData as EncodedArray, 'fitData'),
      decodeArray(json.mean as EncodedArray, 'mean'),
      decodeArray(json.inv as EncodedArray, 'inv'),
      decodeArray<Uint8Array>(json.hasMissing as EncodedArray, 'hasMissing'),
    );
  }
}

registerLoader(KIND, FittedKnnImputer.fromJSON);
