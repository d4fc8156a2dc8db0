/**
 * Identifiers that names do not give away: row numbers (1..n, 0..n-1), unique integers that rise
 * or fall with the row order, pandas' saved index (the first column with an empty header, which
 * ingest calls `column_1`, or pandas' own `Unnamed: 0`), and columns that repeat an identifier
 * value for value. None of them may become a feature: a model would learn the row order.
 */
import { parseNumeral, type DecimalMark } from './value-grammar';

/** Unique monotone integers need this many rows, row numbers this many; fewer can be in order by chance. */
const MIN_MONOTONE_ROWS = 20;
const MIN_ROW_NUMBER_ROWS = 10;
/** Headers an empty header cell gets: ingest's `column_1`, pandas' `Unnamed: 0`. */
const BLANK_FIRST_HEADER = /^(?:|column_1|Unnamed: 0)$/;
/** Names of times: epoch seconds in a table sorted by time are monotone but not identifiers. */
const TIME_NAME = /(?:time|date|epoch|timestamp|year|^ts$|_ts$|_at$|day|month|week|hour)/i;

/** The column's values as numbers (NaN when missing or not a number). */
function numbers(values: ArrayLike<unknown>, isMissing: (v: unknown) => boolean, decimal: DecimalMark): Float64Array {
  const x = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    x[i] = isMissing(v)
      ? NaN
      : typeof v === 'number'
        ? v
        : typeof v === 'string'
          ? (parseNumeral(v, decimal) ?? NaN)
          : NaN;
  }
  return x;
}

/**
 * Why a numeric column is a hidden identifier, or undefined. `position` is the column's index in
 * the table (the saved index is the first column).
 */
export function hiddenIdentifierReason(
  name: string,
  position: number,
  values: ArrayLike<unknown>,
  isMissing: (v: unknown) => boolean,
  decimal: DecimalMark = '.',
): string | undefined {
  const n = values.length;
  if (n < MIN_ROW_NUMBER_ROWS) return undefined;
  const x = numbers(values, isMissing, decimal);
  for (let i = 0; i < n; i++) if (!Number.isInteger(x[i])) return undefined;
  let rowOrder = x[0] === 0 || x[0] === 1;
  let up = true;
  let down = true;
  for (let i = 1; i < n; i++) {
    if (x[i] !== x[i - 1] + 1) rowOrder = false;
    if (x[i] <= x[i - 1]) up = false;
    if (x[i] >= x[i - 1]) down = false;
  }
  if (rowOrder) return `its values are the row numbers (${x[0]}..${x[n - 1]})`;
  const unique = new Set(x).size === n;
  if (!unique) return undefined;
  if (position === 0 && BLANK_FIRST_HEADER.test(name))
    return 'it is the first column, has no header name and holds a unique integer per row (a saved index)';
  if ((up || down) && n >= MIN_MONOTONE_ROWS && !TIME_NAME.test(name))
    return `its integers are unique per row and ${up ? 'rise' : 'fall'} with the row order`;
  return undefined;
}

/**
 * Whether `values` repeat the identifier `id` value for value (as trimmed text), or, both being
 * integers, at a constant offset (`id + 1000`).
 */
export function duplicatesIdentifier(
  values: ArrayLike<unknown>,
  id: ArrayLike<unknown>,
  isMissing: (v: unknown) => boolean,
): boolean {
  const n = values.length;
  if (n < 2 || id.length !== n) return false;
  let same = true;
  for (let i = 0; i < n && same; i++) {
    if (isMissing(values[i]) || isMissing(id[i])) return false;
    same = String(values[i]).trim() === String(id[i]).trim();
  }
  if (same) return true;
  const a = numbers(values, isMissing, '.');
  const b = numbers(id, isMissing, '.');
  const offset = a[0] - b[0];
  if (!Number.isInteger(offset)) return false;
  for (let i = 0; i < n; i++) if (!Number.isInteger(a[i]) || a[i] - b[i] !== offset) return false;
  return true;
}
