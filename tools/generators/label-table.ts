/**
 * Issue 12, item 7: a small binary table whose target is spelt with the given labels, the first
 * holding `share` of the rows — to check which label a run takes as positive when none is given.
 */
import { createRng } from '@campaign-ml/core';
import { csv, type Cell } from './quirk-tables';

export interface LabelTable {
  header: readonly string[];
  rows: readonly Cell[][];
  csv: string;
  target: string;
}

/** `signal`: how far apart the two labels' `score` means are (0: no signal at all). */
export function labelTable(
  labels: readonly [string, string],
  share: number,
  seed = 7,
  n = 300,
  signal = 2,
): LabelTable {
  const rng = createRng(seed);
  const rows: Cell[][] = [];
  for (let i = 0; i < n; i++) {
    const first = rng.bernoulli(share);
    const x = rng.normal(first ? signal / 2 : -signal / 2, 1);
    rows.push([Math.round(x * 1000) / 1000, rng.int(5), first ? labels[0] : labels[1]]);
  }
  const header = ['score', 'visits', 'outcome'];
  return { header, rows, csv: csv(header, rows), target: 'outcome' };
}
