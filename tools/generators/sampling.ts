/**
 * Small sampling helpers on top of core's seeded Rng: weighted choice, Poisson counts,
 * log-normal draws. No other source of randomness is used by the generators.
 */
import { InputError, type Rng } from '@campaign-ml/core';

/** A categorical distribution prepared once (cumulative weights) for repeated draws. */
export class Categorical<T> {
  readonly items: readonly T[];
  private readonly cumulative: Float64Array;

  constructor(entries: readonly (readonly [T, number])[]) {
    if (entries.length === 0)
      throw new InputError('EMPTY_DISTRIBUTION', 'A categorical distribution needs at least one entry.');
    this.items = entries.map((e) => e[0]);
    this.cumulative = new Float64Array(entries.length);
    let total = 0;
    for (let i = 0; i < entries.length; i++) {
      const w = entries[i][1];
      if (!(w >= 0)) {
        throw new InputError('BAD_WEIGHT', `Weight of ${String(entries[i][0])} must be >= 0, got ${w}.`, {
          value: w,
          expected: 'a non-negative number',
        });
      }
      total += w;
      this.cumulative[i] = total;
    }
    for (let i = 0; i < entries.length; i++) this.cumulative[i] /= total;
  }

  /** Index of a draw. */
  drawIndex(rng: Rng): number {
    const u = rng.random();
    const c = this.cumulative;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u < c[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  draw(rng: Rng): T {
    return this.items[this.drawIndex(rng)];
  }
}

/** Poisson count (Knuth for small means, rounded normal approximation above 30). */
export function poisson(rng: Rng, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean > 30) return Math.max(0, Math.round(rng.normal(mean, Math.sqrt(mean))));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.random();
  while (p > limit) {
    k++;
    p *= rng.random();
  }
  return k;
}

/** exp(Normal(log(median), sigma)). */
export function logNormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(rng.normal(0, sigma));
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Check a generator's `rows` option: a positive integer. */
export function checkRowCount(rows: number, option = 'rows'): void {
  if (!Number.isInteger(rows) || rows < 1) {
    throw new InputError('BAD_ROW_COUNT', `Option "${option}" must be a positive integer, got ${rows}.`, {
      column: option,
      value: rows,
      expected: 'a positive integer',
    });
  }
}
