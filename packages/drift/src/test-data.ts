/**
 * Test support (not exported by the package): a generated campaign table and the random split
 * that the committed bundle fixture (__fixtures__/bundle.json, written by
 * tools/fixtures/drift-bundle.ts) was trained on. Only core's seeded RNG and arquero, so drift's
 * tests build the same rows without importing features or models.
 */
import * as aq from 'arquero';
import { createRng } from '@campaign-ml/core';

export const CATEGORIES = ['Music', 'Games', 'Art', 'Film', 'Technology', 'Food'];
const CATEGORY_WEIGHTS = [0.25, 0.2, 0.18, 0.15, 0.12, 0.1];
const COUNTRIES = ['US', 'GB', 'DE', 'CA'];

/** Numeric inputs of driftTable, with their schema type. */
export const NUMERIC_COLUMNS = ['goal', 'backers', 'duration_days', 'rating'] as const;

/**
 * n campaigns: goal (log-normal), backers (integer, 10% missing), duration_days (integer 15-60),
 * rating (about normal), category (6, 3% missing), country (4), video and staff_pick (booleans),
 * launched_at (two years) and the target state.
 */
export function driftTable(n: number, seed: number): aq.ColumnTable {
  const rng = createRng(seed);
  const cols = {
    goal: [] as number[],
    backers: [] as (number | null)[],
    duration_days: [] as number[],
    rating: [] as number[],
    category: [] as (string | null)[],
    country: [] as string[],
    video: [] as boolean[],
    staff_pick: [] as boolean[],
    launched_at: [] as Date[],
    state: [] as string[],
  };
  for (let i = 0; i < n; i++) {
    const goal = Math.round(Math.exp(rng.normal(8.5, 0.8)));
    const backers = Math.round(Math.exp(rng.normal(3, 1)));
    const duration = 15 + rng.int(46);
    const rating = Math.round(rng.normal(3.5, 0.6) * 100) / 100;
    let u = rng.random();
    let c = 0;
    while (c < CATEGORIES.length - 1 && u >= CATEGORY_WEIGHTS[c]) u -= CATEGORY_WEIGHTS[c++];
    const category = rng.bernoulli(0.03) ? null : CATEGORIES[c];
    const country = rng.bernoulli(0.6) ? 'US' : rng.choice(COUNTRIES.slice(1));
    const video = rng.bernoulli(0.6);
    const staff = rng.bernoulli(0.1);
    cols.goal.push(goal);
    cols.backers.push(rng.bernoulli(0.1) ? null : backers);
    cols.duration_days.push(duration);
    cols.rating.push(rating);
    cols.category.push(category);
    cols.country.push(country);
    cols.video.push(video);
    cols.staff_pick.push(staff);
    cols.launched_at.push(new Date(Date.UTC(2022, 0, 1) + rng.int(730) * 86400000 + rng.int(86400) * 1000));
    const z =
      (video ? 0.8 : -0.6) +
      (staff ? 1.5 : 0) +
      (category === 'Music' ? 0.5 : 0) -
      (Math.log(goal) - 8.5) +
      (Math.log(backers + 1) - 3) * 0.8 +
      (rating - 3.5) * 0.7 -
      (duration - 37) / 40;
    cols.state.push(z + rng.normal(0, 0.8) > 0 ? 'successful' : 'failed');
  }
  return aq.table(cols);
}

/** Split rows at random into two halves (the first gets floor(n/2) rows). */
export function randomSplit(table: aq.ColumnTable, seed: number): { a: aq.ColumnTable; b: aq.ColumnTable } {
  const n = table.numRows();
  const perm = createRng(seed).permutation(n);
  const take = (idx: ArrayLike<number>) => {
    const rows = Array.from(idx);
    const data: Record<string, unknown[]> = {};
    for (const name of table.columnNames()) {
      const values = table.array(name) as ArrayLike<unknown>;
      data[name] = rows.map((r) => values[r]);
    }
    return aq.table(data);
  };
  const half = Math.floor(n / 2);
  return { a: take(perm.subarray(0, half)), b: take(perm.subarray(half)) };
}

/** The fixture's table: 4,000 campaigns split at random; the bundle was trained on `a`. */
export function fixtureSplit(): { a: aq.ColumnTable; b: aq.ColumnTable } {
  return randomSplit(driftTable(4000, 16), 17);
}
