import { categoryKey } from '../pipeline/table-columns';

/** Stands for a missing value (null) among category keys in fitted state and JSON. */
export const MISSING_KEY = '\u0000missing';

/** Every distinct category key of a column (missing -> MISSING_KEY) and each row's code into them. */
export function codeColumn(values: ArrayLike<unknown>): { codes: Int32Array; keys: string[]; counts: Float64Array } {
  const n = values.length;
  const codes = new Int32Array(n);
  const index = new Map<string, number>();
  const keys: string[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = categoryKey(values[i]) ?? MISSING_KEY;
    let code = index.get(key);
    if (code === undefined) {
      code = keys.length;
      index.set(key, code);
      keys.push(key);
      counts.push(0);
    }
    codes[i] = code;
    counts[code]++;
  }
  return { codes, keys, counts: Float64Array.from(counts) };
}

/** Row codes against fitted keys: unknown categories get -1. */
export function lookupCodes(values: ArrayLike<unknown>, index: ReadonlyMap<string, number>): Int32Array {
  const n = values.length;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const code = index.get(categoryKey(values[i]) ?? MISSING_KEY);
    out[i] = code === undefined ? -1 : code;
  }
  return out;
}

/** Keys ordered most frequent first, ties by name (a stable, readable order). */
export function byFrequency(keys: readonly string[], counts: ArrayLike<number>): number[] {
  return keys
    .map((_, i) => i)
    .sort((a, b) => counts[b] - counts[a] || (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
}

/** How a category key reads in a feature name. */
export function keyLabel(key: string): string {
  return key === MISSING_KEY ? '(missing)' : key;
}

export function indexOf(keys: readonly string[]): Map<string, number> {
  return new Map(keys.map((k, i) => [k, i] as const));
}
