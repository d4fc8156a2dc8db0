import { InputError, type Matrix } from '@campaign-ml/core';

/**
 * Linear models and neural networks cannot use missing values: throw an InputError that names the
 * first missing (or infinite) cell, so the user knows which column to impute.
 */
export function checkNoMissing(X: Matrix, model: string): void {
  const { rows, cols, data } = X;
  for (let c = 0; c < cols; c++) {
    const off = c * rows;
    // v·0 is 0 for a finite v and NaN for NaN or ±Infinity: four branch-free sums per column, and
    // the row is only searched for when one of them turns NaN.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let r = 0;
    for (; r + 3 < rows; r += 4) {
      s0 += data[off + r] * 0;
      s1 += data[off + r + 1] * 0;
      s2 += data[off + r + 2] * 0;
      s3 += data[off + r + 3] * 0;
    }
    for (; r < rows; r++) s0 += data[off + r] * 0;
    if (s0 + s1 + s2 + s3 === 0) continue;
    for (r = 0; r < rows; r++) {
      const v = data[off + r];
      if (!Number.isFinite(v)) {
        const what = Number.isNaN(v) ? 'missing (NaN)' : String(v);
        throw new InputError(
          'MISSING_VALUE',
          `${model} cannot use missing or infinite values: column "${X.columns[c]}" is ${what} at row ${r}; impute it (or drop the rows) first`,
          { row: r, column: X.columns[c], value: v, expected: 'a finite number' },
        );
      }
    }
  }
}
