import { InputError, type Matrix } from '@campaign-ml/core';

/**
 * Linear models and neural networks cannot use missing values: throw an InputError that names the
 * first missing (or infinite) cell, so the user knows which column to impute.
 */
export function checkNoMissing(X: Matrix, model: string): void {
  const { rows, cols, data } = X;
  for (let c = 0; c < cols; c++) {
    const off = c * rows;
    for (let r = 0; r < rows; r++) {
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
