/**
 * Strings that stand for a missing value in exported tables: R's and pandas' `NA` / `NaN` / `null`
 * / `None`, Excel's `#N/A`, census-style `?` and a lone `-`. Matched whatever the letter case and
 * surrounding spaces; a blank or all-space cell is missing too. Inference, coercion and the record
 * validator treat them as missing; `validate` coerces nothing, so a "NA" left in a number column is
 * reported there.
 */
export const DEFAULT_MISSING_TOKENS: readonly string[] = [
  'NA',
  'N/A',
  'NaN',
  'nan',
  'null',
  'NULL',
  'None',
  '#N/A',
  '?',
  '-',
];

/** A predicate for "this value is missing": null, undefined, NaN, blank strings and the tokens. */
export function missingPredicate(tokens: readonly string[] = DEFAULT_MISSING_TOKENS): (value: unknown) => boolean {
  const set = new Set(tokens.map((t) => t.trim().toLowerCase()));
  const longest = Math.max(0, ...[...set].map((t) => t.length));
  return (value: unknown): boolean => {
    if (value === null || value === undefined) return true;
    if (typeof value === 'number') return Number.isNaN(value);
    if (typeof value === 'string') {
      const t = value.trim();
      // Tokens are short: a longer string is never one and needs no lower-casing.
      return t.length === 0 || (t.length <= longest && set.has(t.toLowerCase()));
    }
    if (value instanceof Date) return Number.isNaN(value.getTime());
    return false;
  };
}
