import { PCA as MlPca } from 'ml-pca';
import {
  type FittedMatrixTransformer,
  type Matrix,
  type MatrixTransformer,
  type Serialized,
  type EncodedArray,
  InputError,
  checkPredictColumns,
  createMatrix,
  decodeArray,
  encodeArray,
  expectKind,
  registerLoader,
} from '@campaign-ml/core';

export interface PCAParams {
  /** Keep this many components (integer >= 1). */
  nComponents?: number;
  /**
   * Keep the fewest components whose explained variance ratio sums to more than this fraction
   * (e.g. 0.95), as scikit-learn's `PCA(n_components=0.95)`. Ignored when nComponents is set.
   */
  varianceFraction?: number;
  /**
   * Divide each centred column by its standard deviation (population, as StandardScaler; constant
   * columns by 1) before the decomposition. Default false: centre only, as scikit-learn's PCA.
   */
  scale?: boolean;
  /** Output column name prefix (default 'pc': pc1, pc2, ...). */
  prefix?: string;
}

const KIND = 'features/PCA';

/**
 * Principal component analysis on a Matrix, computed by ml-pca (SVD). Data are always centred
 * (and scaled with `scale: true`). Component signs follow scikit-learn 1.2's `svd_flip`: the row
 * with the largest absolute score on a component scores positive. Missing values are refused:
 * impute first. With neither option set all min(rows, cols) components are kept.
 */
export class PCA implements MatrixTransformer<FittedPCA> {
  readonly params: Readonly<PCAParams>;

  constructor(params: PCAParams = {}) {
    const { nComponents, varianceFraction } = params;
    if (nComponents !== undefined && !(Number.isInteger(nComponents) && nComponents >= 1)) {
      throw new InputError('INVALID_OPTION', `nComponents must be an integer >= 1, got ${nComponents}`, {
        value: nComponents,
        expected: 'an integer >= 1',
      });
    }
    if (varianceFraction !== undefined && !(varianceFraction > 0 && varianceFraction <= 1)) {
      throw new InputError('INVALID_OPTION', `varianceFraction must be in (0, 1], got ${varianceFraction}`, {
        value: varianceFraction,
        expected: 'a number in (0, 1]',
      });
    }
    this.params = Object.freeze({ ...params });
  }

  fit(X: Matrix): FittedPCA {
    const { rows: n, cols: d, data } = X;
    if (n < 2 || d === 0)
      throw new InputError('EMPTY_INPUT', `PCA needs at least 2 rows and 1 column, got ${n} x ${d}`);
    const mean = new Float64Array(d);
    const scale = new Float64Array(d).fill(1);
    for (let c = 0; c < d; c++) {
      let s = 0;
      for (let r = 0; r < n; r++) {
        const v = data[c * n + r];
        if (!Number.isFinite(v)) {
          throw new InputError(
            'MISSING_VALUE',
            `PCA needs complete data; feature "${X.columns[c]}" is ${v} at row ${r} (impute first)`,
            {
              row: r,
              column: X.columns[c],
              value: v,
              expected: 'a finite number',
            },
          );
        }
        s += v;
      }
      mean[c] = s / n;
      if (this.params.scale) {
        let ss = 0;
        for (let r = 0; r < n; r++) ss += (data[c * n + r] - mean[c]) ** 2;
        const sd = Math.sqrt(ss / n);
        scale[c] = sd > 0 ? sd : 1;
      }
    }
    const Z: number[][] = [];
    for (let r = 0; r < n; r++) {
      const row = new Array<number>(d);
      for (let c = 0; c < d; c++) row[c] = (data[c * n + r] - mean[c]) / scale[c];
      Z.push(row);
    }
    const pca = new MlPca(Z, { center: false, scale: false, method: 'SVD' });
    const eig = pca.getEigenvalues();
    const vectors = pca.getEigenvectors(); // d x m, columns are components
    const total = eig.reduce((a, b) => a + b, 0);
    const m = eig.length;
    let k = this.params.nComponents ?? m;
    if (this.params.nComponents === undefined && this.params.varianceFraction !== undefined) {
      let cum = 0;
      k = m;
      for (let i = 0; i < m; i++) {
        cum += eig[i] / total;
        if (cum > this.params.varianceFraction) {
          k = i + 1;
          break;
        }
      }
    }
    if (k > m) {
      throw new InputError(
        'INVALID_OPTION',
        `nComponents is ${k} but a ${n} x ${d} matrix has at most ${m} components`,
        { value: k, expected: `<= ${m}` },
      );
    }
    const components = new Float64Array(k * d); // row-major: component i, feature c
    for (let i = 0; i < k; i++) {
      // sign: the largest |score| is positive (scikit-learn 1.2 svd_flip on U)
      let best = 0;
      let bestAbs = -1;
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += Z[r][c] * vectors.get(c, i);
        if (Math.abs(s) > bestAbs) {
          bestAbs = Math.abs(s);
          best = s;
        }
      }
      const sign = best < 0 ? -1 : 1;
      for (let c = 0; c < d; c++) components[i * d + c] = sign * vectors.get(c, i);
    }
    const variance = Float64Array.from(eig.slice(0, k));
    const ratio = Float64Array.from(eig.slice(0, k), (v) => v / total);
    const prefix = this.params.prefix ?? 'pc';
    const names = Array.from({ length: k }, (_, i) => `${prefix}${i + 1}`);
    return new FittedPCA(X.columns, names, mean, scale, components, variance, ratio);
  }
}

/** A fitted PCA: immutable, serializable, projects matrices with the training columns. */
export class FittedPCA implements FittedMatrixTransformer {
  readonly featureNamesIn: readonly string[];
  readonly featureNamesOut: readonly string[];

  constructor(
    featureNamesIn: readonly string[],
    featureNamesOut: readonly string[],
    /** Per-feature mean subtracted before projection. */
    readonly mean: Float64Array,
    /** Per-feature divisor (1 unless scale: true). */
    readonly scale: Float64Array,
    /** Row-major components x features (unit vectors). */
    readonly components: Float64Array,
    /** Variance along each kept component (n - 1 denominator, as scikit-learn's explained_variance_). */
    readonly explainedVariance: Float64Array,
    /** Share of the total variance per kept component. */
    readonly explainedVarianceRatio: Float64Array,
  ) {
    this.featureNamesIn = Object.freeze([...featureNamesIn]);
    this.featureNamesOut = Object.freeze([...featureNamesOut]);
    Object.freeze(this);
  }

  get nComponents(): number {
    return this.featureNamesOut.length;
  }

  transform(X: Matrix): Matrix {
    checkPredictColumns(X, this.featureNamesIn);
    const n = X.rows;
    const d = this.featureNamesIn.length;
    const k = this.nComponents;
    const out = new Float64Array(n * k);
    for (let c = 0; c < d; c++) {
      const mu = this.mean[c];
      const sc = this.scale[c];
      const col = c * n;
      for (let i = 0; i < k; i++) {
        const w = this.components[i * d + c] / sc;
        if (w === 0) continue;
        const dst = i * n;
        for (let r = 0; r < n; r++) out[dst + r] += (X.data[col + r] - mu) * w;
      }
    }
    return createMatrix(n, k, out, this.featureNamesOut);
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      featureNamesIn: [...this.featureNamesIn],
      featureNamesOut: [...this.featureNamesOut],
      mean: encodeArray(this.mean),
      scale: encodeArray(this.scale),
      components: encodeArray(this.components),
      explainedVariance: encodeArray(this.explainedVariance),
      explainedVarianceRatio: encodeArray(this.explainedVarianceRatio),
    };
  }

  static fromJSON(json: Serialized): FittedPCA {
    expectKind(json, KIND, 1);
    const arr = (f: string) => decodeArray<Float64Array>(json[f] as EncodedArray, f);
    return new FittedPCA(
      json.featureNamesIn as string[],
      json.featureNamesOut as string[],
      arr('mean'),
      arr('scale'),
      arr('components'),
      arr('explainedVariance'),
      arr('explainedVarianceRatio'),
    );
  }
}

registerLoader(KIND, FittedPCA.fromJSON);
