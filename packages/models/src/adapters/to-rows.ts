import type { Matrix } from '@campaign-ml/core';

/** Row-major number[][] (what mljs packages take) from a column-major Matrix. */
export function toRowArrays(X: Matrix): number[][] {
  const out: number[][] = new Array(X.rows);
  for (let r = 0; r < X.rows; r++) {
    const row = new Array<number>(X.cols);
    for (let c = 0; c < X.cols; c++) row[c] = X.data[c * X.rows + r];
    out[r] = row;
  }
  return out;
}
