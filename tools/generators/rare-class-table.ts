/**
 * Issue 12, item 1: a crowdfunding-like table with a six-class outcome where two classes are
 * rare (~1% each) and artefacts of the data rather than of the campaigns: `live` is the newest 1%
 * of rows (the data was pulled before they ended), `purged` is every campaign of a small country
 * whose projects were all taken down. Launch date, deadline and country separate those rare
 * classes perfectly, yet are known before the outcome; `backers_count` and `spotlight` are real
 * leaks (recorded after the outcome, they separate the common classes).
 */
import { createRng } from '@campaign-ml/core';
import { csv, type Cell } from './quirk-tables';

export interface RareClassTable {
  header: readonly string[];
  rows: readonly Cell[][];
  csv: string;
  target: string;
  /** Columns known before the outcome that only a rare class makes look like leaks. */
  beforeEvent: readonly string[];
  /** Columns that really leak the outcome. */
  leaks: readonly string[];
}

const DAY = 86_400_000;
const COUNTRIES = ['US', 'GB', 'CA', 'DE', 'FR', 'AU'];
const CATEGORIES = ['games', 'music', 'film', 'tech', 'art', 'food', 'design'];

export function rareClassTable(seed = 12, n = 3000): RareClassTable {
  const rng = createRng(seed);
  const start = Date.UTC(2015, 0, 1);
  // Launch days spread over three years, sorted so that the newest rows come last.
  const launched = Array.from({ length: n }, () => start + rng.int(3 * 365) * DAY + rng.int(DAY)).sort((a, b) => a - b);
  const liveFrom = n - Math.round(0.01 * n);
  const rows: Cell[][] = [];
  for (let i = 0; i < n; i++) {
    const purged = rng.bernoulli(0.01);
    const country = purged ? 'XK' : COUNTRIES[rng.int(COUNTRIES.length)];
    const category = CATEGORIES[rng.int(CATEGORIES.length)];
    const goal = Math.round(Math.exp(rng.normal(8.5, 1.2)));
    const staffPick = rng.bernoulli(0.15);
    const days = 15 + rng.int(46);
    const launch = launched[i];
    const month = new Date(launch).getUTCMonth();
    const z =
      0.6 -
      0.55 * (Math.log(goal) - 8.5) +
      (staffPick ? 1.6 : 0) +
      (category === 'games' || category === 'design' ? 0.7 : category === 'food' ? -0.6 : 0) -
      0.02 * (days - 30) +
      (month === 11 ? -0.5 : 0);
    let state: string;
    if (i >= liveFrom) state = 'live';
    else if (purged) state = 'purged';
    else {
      const u = rng.random();
      const pSuccess = 1 / (1 + Math.exp(-z));
      if (u < 0.09) state = 'canceled';
      else if (u < 0.12) state = 'suspended';
      else state = rng.bernoulli(pSuccess) ? 'successful' : 'failed';
    }
    const success = state === 'successful';
    const backers = success ? 40 + rng.int(400) : rng.int(25);
    rows.push([
      new Date(launch).toISOString().slice(0, 19).replace('T', ' '),
      new Date(launch + days * DAY).toISOString().slice(0, 19).replace('T', ' '),
      country,
      category,
      goal,
      staffPick ? 'True' : 'False',
      backers,
      success ? 'True' : 'False',
      state,
    ]);
  }
  const header = [
    'launched_at',
    'deadline',
    'country',
    'category',
    'goal',
    'staff_pick',
    'backers_count',
    'spotlight',
    'state',
  ];
  return {
    header,
    rows,
    csv: csv(header, rows),
    target: 'state',
    beforeEvent: ['launched_at', 'deadline', 'country'],
    leaks: ['backers_count', 'spotlight'],
  };
}
