/**
 * One fitted tree as typed arrays, node 0 the root. Leaves have left = right = feature = -1.
 * A row goes left when its value is <= threshold (numeric) or its category's bit is set in
 * catBits[catOffset .. catOffset + 8) (categorical, catOffset >= 0); NaN follows defaultLeft.
 * value holds `valueWidth` numbers per node (node-major); cover is the hessian sum (boosting;
 * XGBoost's cover) or the weighted row count (forests and single trees; scikit-learn's
 * weighted_n_node_samples); count is the number of training rows that reached the node
 * (scikit-learn's n_node_samples, LightGBM's internal_count), absent in models saved before it was
 * kept; gain is the split's loss reduction (0 at leaves).
 */
export interface TreeArrays {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly defaultLeft: Uint8Array;
  readonly catOffset: Int32Array;
  readonly catBits: Uint32Array;
  readonly value: Float64Array;
  readonly cover: Float64Array;
  readonly count?: Float64Array;
  readonly gain: Float64Array;
}

export function nodeCount(t: TreeArrays): number {
  return t.feature.length;
}
