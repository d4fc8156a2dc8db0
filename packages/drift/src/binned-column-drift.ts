import type { ColumnDrift, DriftKind } from './column-drift';
import type { CategoricalBins, NumericBins } from './frozen-bins';
import { robustTest, type RobustThresholds } from './robust-test';

/** Current counts over a column's frozen bins, and what the unseen bin holds. */
export interface BinCounts {
  counts: Float64Array;
  /** New categories by name, most frequent first. */
  unseen?: { value: string; count: number }[];
  /** Numbers below / above the training range. */
  below?: number;
  above?: number;
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** Shares of counts, rounded to 4 digits (the report's histograms). */
export function roundedShares(counts: ArrayLike<number>): number[] {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  return Array.from(counts, (c) => (total ? round4(c / total) : 0));
}

/**
 * The robust result of one column from its counts over frozen bins: what driftReport computes
 * from rows and liveDriftReport from the API's window, so both give the same answer for the same
 * rows. `learned`: a PSI threshold learned from reference windows replaces the fixed ones.
 */
export function binnedColumnDrift(
  column: string,
  kind: DriftKind,
  bins: NumericBins | CategoricalBins,
  c: BinCounts,
  thresholds: RobustThresholds,
  referenceMissing: number,
  learned?: number,
): ColumnDrift {
  const unseenBin = bins.labels[bins.labels.length - 1] === '(unseen)';
  let refTotal = 0;
  for (let i = 0; i < bins.reference.length; i++) refTotal += bins.reference[i];
  let total = 0;
  for (let i = 0; i < c.counts.length; i++) total += c.counts[i];
  const t = robustTest(bins.reference, c.counts, thresholds);
  if (learned !== undefined) {
    t.threshold = { effect: learned };
    t.drifted = t.effect.value > learned;
  }
  const unseenCount = unseenBin ? c.counts[c.counts.length - 1] : 0;
  const present = total - c.counts[0];
  return {
    column,
    kind,
    ...t,
    rows: { reference: refTotal, current: total },
    missing: { reference: round4(referenceMissing), current: total ? round4(c.counts[0] / total) : 0 },
    ...(unseenBin
      ? {
          unseen: {
            share: present ? round4(unseenCount / present) : 0,
            ...(c.unseen ? { values: c.unseen.slice(0, 20) } : {}),
            ...(c.below !== undefined ? { below: c.below, above: c.above } : {}),
          },
        }
      : {}),
    histogram: { labels: bins.labels, reference: roundedShares(bins.reference), current: roundedShares(c.counts) },
  };
}
