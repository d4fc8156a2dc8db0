/**
 * Issue 12, item 3: a census-like table whose missing values are written every way exports write
 * them: `?`, `NA`, `N/A`, `null`, `-`, a lone space, and a site-specific `unknown` (only missing
 * when the config says so), in number, integer, category and boolean columns alike.
 */
import { createRng } from '@campaign-ml/core';
import { csv, type Cell } from './quirk-tables';

export interface MissingTokenTable {
  header: readonly string[];
  rows: readonly Cell[][];
  csv: string;
  target: string;
  /** The token this table adds to the defaults (config `missing: [...]`). */
  custom: string;
  /** Column -> the type it must get once every token reads as missing. */
  types: Record<string, string>;
  /** Every token the table uses. */
  tokens: readonly string[];
}

const TOKENS = ['?', 'NA', 'N/A', 'null', '-', ' ', 'unknown'];

export function missingTokenTable(seed = 33, n = 600): MissingTokenTable {
  const rng = createRng(seed);
  const rows: Cell[][] = [];
  // Row i = 35q + 7c + 3 loses column c, written as token (q + c) in turn.
  const token = (i: number, c: number) => TOKENS[(Math.floor(i / 35) + c) % TOKENS.length];
  for (let i = 0; i < n; i++) {
    const age = 18 + rng.int(60);
    const hours = 10 + rng.int(60);
    const gain = rng.bernoulli(0.3) ? Math.round(rng.uniform(100, 20000) * 100) / 100 : 0;
    const education = ['Bachelors', 'HS-grad', 'Masters', 'Doctorate'][rng.int(4)];
    const married = rng.bernoulli(0.5);
    const z =
      -1.5 +
      0.03 * (age - 40) +
      0.04 * (hours - 40) +
      gain / 6000 +
      (education === 'Masters' || education === 'Doctorate' ? 1.2 : 0) +
      (married ? 0.8 : 0);
    // Every 7th row loses one value, with each token in turn and each column in turn.
    const lose = i % 7 === 3 ? Math.floor(i / 7) % 5 : -1;
    rows.push([
      lose === 0 ? token(i, 0) : age,
      lose === 1 ? token(i, 1) : hours,
      lose === 2 ? token(i, 2) : gain,
      lose === 3 ? token(i, 3) : education,
      lose === 4 ? token(i, 4) : married ? 'yes' : 'no',
      rng.random() < 1 / (1 + Math.exp(-z)) ? '>50K' : '<=50K',
    ]);
  }
  const header = ['age', 'hours_per_week', 'capital_gain', 'education', 'married', 'income'];
  return {
    header,
    rows,
    csv: csv(header, rows),
    target: 'income',
    custom: 'unknown',
    types: {
      age: 'integer',
      hours_per_week: 'integer',
      capital_gain: 'number',
      education: 'category',
      married: 'boolean',
    },
    tokens: TOKENS,
  };
}
