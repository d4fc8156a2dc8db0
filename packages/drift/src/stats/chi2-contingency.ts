import { InputError } from '@campaign-ml/core';
import { chi2Sf } from './regularized-gamma';

export interface Chi2ContingencyOptions {
  /** Yates' continuity correction when there is exactly one degree of freedom. Default true (scipy's default). */
  correction?: boolean;
}

export interface Chi2ContingencyResult {
  statistic: number;
  pValue: number;
  dof: number;
  /** Expected counts under independence, row totals x column totals / total. */
  expected: number[][];
}

/**
 * Chi-square test of independence (homogeneity) of an r x c table of counts, as
 * scipy.stats.chi2_contingency(table): expected = row sums x column sums / N,
 * dof = (r - 1)(c - 1); dof 0 gives statistic 0 and p = 1; with dof 1 (a 2 x 2 table) and
 * `correction`, Yates moves each count up to 0.5 towards its expected value.
 *
 * For drift, rows are reference and current and columns the bins: unlike the goodness-of-fit
 * test it treats the reference as a sample too, so a bin that only current data fills is an
 * ordinary column, not an infinite statistic. Like scipy, it refuses a table with an empty row or
 * column (an expected count of 0); drop those bins first.
 */
export function chi2Contingency(
  table: ArrayLike<ArrayLike<number>>,
  options: Chi2ContingencyOptions = {},
): Chi2ContingencyResult {
  const r = table.length;
  const c = r ? table[0].length : 0;
  if (r === 0 || c === 0)
    throw new InputError('EMPTY_INPUT', 'chi2Contingency needs a table with at least one row and one column');
  const rows = new Float64Array(r);
  const cols = new Float64Array(c);
  let total = 0;
  for (let i = 0; i < r; i++) {
    if (table[i].length !== c) {
      throw new InputError('LENGTH_MISMATCH', `row ${i} of the table has ${table[i].length} columns, row 0 has ${c}`, {
        row: i,
        expected: `${c} columns`,
      });
    }
    for (let j = 0; j < c; j++) {
      const v = table[i][j];
      if (!(v >= 0) || v === Infinity) {
        throw new InputError('INVALID_DISTRIBUTION', `table[${i}][${j}] is ${v}; counts must be finite and >= 0`, {
          row: i,
          value: v,
          expected: 'a count >= 0',
        });
      }
      rows[i] += v;
      cols[j] += v;
      total += v;
    }
  }
  const expected: number[][] = [];
  for (let i = 0; i < r; i++) {
    const e: number[] = new Array(c);
    for (let j = 0; j < c; j++) {
      e[j] = (rows[i] * cols[j]) / total;
      if (!(e[j] > 0)) {
        throw new InputError(
          'EMPTY_CELL_EXPECTED',
          `the expected count at [${i}][${j}] is 0 (row ${i} or column ${j} of the table is empty); drop empty rows and columns first`,
          { row: i, value: 0 },
        );
      }
    }
    expected.push(e);
  }
  const dof = r * c - r - c + 1;
  if (dof === 0) return { statistic: 0, pValue: 1, dof, expected };
  const yates = dof === 1 && (options.correction ?? true);
  let statistic = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const e = expected[i][j];
      let o = table[i][j];
      if (yates) {
        const diff = e - o;
        o += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      const d = o - e;
      statistic += (d * d) / e;
    }
  }
  return { statistic, pValue: chi2Sf(statistic, dof), dof, expected };
}
