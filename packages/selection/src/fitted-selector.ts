import {
  type EncodedArray,
  type FittedMatrixTransformer,
  type Matrix,
  type Serialized,
  checkPredictColumns,
  decodeArray,
  encodeArray,
  expectKind,
  registerLoader,
  selectColumns,
} from '@campaign-ml/core';

const KIND = 'selection/FittedSelector';

/**
 * What every selector learns: a score per input feature (higher is better; NaN when undefined),
 * optional p-values, and the kept features. Immutable and serializable; `transform` keeps the
 * selected columns in their original order.
 */
export class FittedSelector implements FittedMatrixTransformer {
  readonly featureNamesIn: readonly string[];
  readonly featureNamesOut: readonly string[];

  constructor(
    /** Which selector produced this (e.g. "SelectKBest(fClassif, k=10)"). */
    readonly method: string,
    featureNamesIn: readonly string[],
    /** Kept feature indices, ascending. */
    readonly support: Int32Array,
    /** Per-input-feature score used for the decision. */
    readonly scores: Float64Array,
    readonly pValues?: Float64Array,
  ) {
    this.featureNamesIn = Object.freeze([...featureNamesIn]);
    this.featureNamesOut = Object.freeze(Array.from(support, (i) => featureNamesIn[i]));
    Object.freeze(this);
  }

  /** Names of the kept features (same as featureNamesOut). */
  get kept(): readonly string[] {
    return this.featureNamesOut;
  }

  /** Per-feature scores by name. */
  scoreTable(): { feature: string; score: number; pValue?: number; kept: boolean }[] {
    const keep = new Set(this.support);
    return this.featureNamesIn.map((feature, i) => ({
      feature,
      score: this.scores[i],
      ...(this.pValues ? { pValue: this.pValues[i] } : {}),
      kept: keep.has(i),
    }));
  }

  transform(X: Matrix): Matrix {
    checkPredictColumns(X, this.featureNamesIn);
    return selectColumns(X, Array.from(this.support));
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      method: this.method,
      featureNamesIn: [...this.featureNamesIn],
      support: encodeArray(this.support),
      scores: encodeArray(this.scores),
      ...(this.pValues ? { pValues: encodeArray(this.pValues) } : {}),
    };
  }

  static fromJSON(json: Serialized): FittedSelector {
    expectKind(json, KIND, 1);
    return new FittedSelector(
      json.method as string,
      json.featureNamesIn as string[],
      decodeArray<Int32Array>(json.support as EncodedArray, 'support'),
      decodeArray<Float64Array>(json.scores as EncodedArray, 'scores'),
      json.pValues ? decodeArray<Float64Array>(json.pValues as EncodedArray, 'pValues') : undefined,
    );
  }
}

registerLoader(KIND, FittedSelector.fromJSON);

/** Indices where mask is set, ascending. */
export function supportOf(mask: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  const out = new Int32Array(n);
  let j = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[j++] = i;
  return out;
}
