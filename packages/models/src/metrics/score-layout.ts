import { InputError } from '@campaign-ml/core';

/**
 * Scores come either as one value per row (binary: the positive class's score) or as a row-major
 * rows x classes probability matrix (`predictProba`'s layout). Returns the number of columns: 1 for a
 * vector, k for a matrix.
 */
export function scoreColumns(n: number, scoreLength: number, classes: number | undefined, name = 'yScore'): number {
  if (classes !== undefined) {
    if (!Number.isInteger(classes) || classes < 2) {
      throw new InputError('INVALID_OPTION', `classes must be an integer >= 2, got ${classes}`, {
        value: classes,
        expected: 'an integer >= 2',
      });
    }
    if (scoreLength === n * classes) return classes;
    if (classes === 2 && scoreLength === n) return 1;
    throw new InputError(
      'LENGTH_MISMATCH',
      `${name} has ${scoreLength} values; with ${n} rows and ${classes} classes it must hold ${n * classes} (rows x classes, row-major)`,
      { value: scoreLength, expected: `${n * classes} values` },
    );
  }
  if (scoreLength === n) return 1;
  if (n > 0 && scoreLength % n === 0 && scoreLength / n >= 2) return scoreLength / n;
  throw new InputError(
    'LENGTH_MISMATCH',
    `${name} has ${scoreLength} values for ${n} rows; pass one score per row or a row-major rows x classes matrix`,
    { value: scoreLength, expected: `${n} or a multiple of ${n}` },
  );
}

/** Column c of a row-major n x k matrix. */
export function scoreColumn(scores: Float64Array, n: number, k: number, c: number): Float64Array {
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) out[r] = scores[r * k + c];
  return out;
}

/** Fail unless every row of a probability matrix sums to 1 (numpy's allclose tolerances, as scikit-learn). */
export function checkRowsSumToOne(scores: Float64Array, n: number, k: number, what: string): void {
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += scores[r * k + c];
    if (!(Math.abs(1 - s) <= 1e-8 + 1e-5 * Math.abs(s))) {
      throw new InputError(
        'NOT_PROBABILITIES',
        `${what} needs probabilities, but row ${r} of the score matrix sums to ${s}, not 1`,
        {
          row: r,
          value: s,
          expected: 'rows summing to 1',
        },
      );
    }
  }
}
