import { createMatrix, decodeArray, encodeArray, expectKind, registerLoader } from '@campaign-ml/core';
import type { EncodedArray, FittedMatrixTransformer, Matrix, Serialized } from '@campaign-ml/core';
import { checkPredictColumns } from '@campaign-ml/core';

const KIND = 'features/AffineScaler';

/**
 * The fitted form of every scaler: x -> (x - center) * factor per column (+ offset), NaN stays
 * NaN. `scaler` records which one fitted it (standard, min-max, robust) for reading the JSON.
 */
export class FittedScaler implements FittedMatrixTransformer {
  readonly featureNamesOut: readonly string[];

  constructor(
    readonly scaler: 'standard' | 'minmax' | 'robust',
    readonly center: Float64Array,
    readonly factor: Float64Array,
    readonly offset: number,
    featureNames: readonly string[],
  ) {
    this.featureNamesOut = Object.freeze([...featureNames]);
    Object.freeze(this);
  }

  transform(X: Matrix): Matrix {
    checkPredictColumns(X, this.featureNamesOut);
    const { rows, cols } = X;
    const out = new Float64Array(rows * cols);
    for (let c = 0; c < cols; c++) {
      const center = this.center[c];
      const factor = this.factor[c];
      const off = c * rows;
      for (let r = 0; r < rows; r++) out[off + r] = (X.data[off + r] - center) * factor + this.offset;
    }
    return createMatrix(rows, cols, out, X.columns);
  }

  /** Back to the original scale. */
  inverseTransform(X: Matrix): Matrix {
    const { rows, cols } = X;
    const out = new Float64Array(rows * cols);
    for (let c = 0; c < cols; c++) {
      const off = c * rows;
      for (let r = 0; r < rows; r++) out[off + r] = (X.data[off + r] - this.offset) / this.factor[c] + this.center[c];
    }
    return createMatrix(rows, cols, out, X.columns);
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      scaler: this.scaler,
      center: encodeArray(this.center),
      factor: encodeArray(this.factor),
      offset: this.offset,
      featureNames: [...this.featureNamesOut],
    };
  }

  static fromJSON(json: Serialized): FittedScaler {
    expectKind(json, KIND, 1);
    return new FittedScaler(
      json.scaler as 'standard' | 'minmax' | 'robust',
      decodeArray(json.center as EncodedArray, 'center'),
      decodeArray(json.factor as EncodedArray, 'factor'),
      json.offset as number,
      json.featureNames as string[],
    );
  }
}

registerLoader(KIND, FittedScaler.fromJSON);
