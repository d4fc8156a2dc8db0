/**
 * What every SHAP explainer here returns. `values` is rows x features row-major, times outputs for
 * multiclass margins: the value of row r, feature f, output k is values[(r * features + f) * outputs + k]
 * (shap's (n, features, classes) order). Local accuracy: for every row and output,
 * Σ_f values + expectedValue = the model's output in the space `output` names.
 */
export interface ShapValues {
  values: Float64Array;
  /** The base value (a number for one output, one per output otherwise). */
  expectedValue: number | number[];
  /** 'margin': raw scores (log-odds, softmax logits, the regression value before a log link); 'probability'. */
  output: 'margin' | 'probability';
  rows: number;
  features: readonly string[];
  outputs: number;
  /**
   * SHAP interaction values when asked for: rows x features x features (x outputs), the value of
   * (r, i, j, k) at ((r * features + i) * features + j) * outputs + k; each row's matrix is
   * symmetric and its rows sum to `values`.
   */
  interactions?: Float64Array;
}

export function expectedOf(base: Float64Array): number | number[] {
  return base.length === 1 ? base[0] : Array.from(base);
}
