/**
 * Strings that stand for a missing value in text files. Inference and coercion treat them (and
 * blank strings) as missing; validation does not (it coerces nothing), so a "NA" left in a number
 * column is reported there.
 */
export const DEFAULT_MISSING_TOKENS: readonly string[] = ['NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '#N/A'];

/** A predicate for "this value is missing": null, undefined, NaN, blank strings and the tokens. */
export function missingPredicate(tokens: readonly string[] = DEFAULT_MISSING_TOKENS): (value: unknown) => boolean {
  const set = new Set(tokens);
  return (value: unknown): boolean => {
    if (value === null || value === undefined) return true;
    if (typeof value === 'number') return Number.isNaN(value);
    if (typeof value === 'string') {
      if (set.has(value)) return true;
      const t = value.trim();
      return t.length === 0 || set.has(t);
    }
    if (value instanceof Date) return Number.isNaN(value.getTime());
    return false;
  };
}
