import { InputError } from '@campaign-ml/core';

/**
 * Counts or shares -> shares summing to 1 (a new Float64Array). Negative or non-finite entries
 * and an all-zero vector are errors: they have no distribution to compare.
 */
export function toShares(values: ArrayLike<number>, name: string): Float64Array {
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0) || v === Infinity) {
      throw new InputError('INVALID_DISTRIBUTION', `${name}[${i}] is ${v}; counts and shares must be finite and >= 0`, {
        column: name,
        value: v,
        expected: 'a finite number >= 0',
      });
    }
    total += v;
  }
  if (!(total > 0))
    throw new InputError('INVALID_DISTRIBUTION', `${name} sums to 0; it needs at least one positive count or share`, {
      column: name,
    });
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] / total;
  return out;
}

export function checkSameLength(p: ArrayLike<number>, q: ArrayLike<number>, names: [string, string]): void {
  if (p.length !== q.length) {
    throw new InputError(
      'LENGTH_MISMATCH',
      `${names[0]} has ${p.length} bins and ${names[1]} ${q.length}; give both the same bins`,
      {
        value: q.length,
        expected: `${p.length} bins`,
      },
    );
  }
}
