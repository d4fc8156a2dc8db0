import { binnedColumnDrift } from './binned-column-drift';
import type { BinnedWindow, WindowCounts } from './binned-window';
import { rankColumns } from './column-drift';
import type { DriftReport } from './drift-report';
import { estimatePerformance, expectedFromCounts, type PerformanceReport } from './performance-estimate';
import { ROBUST_DEFAULTS, type RobustThresholds } from './robust-test';

export interface LiveDriftOptions {
  /** Robust thresholds (p-value 0.05, PSI 0.1). */
  thresholds?: Partial<RobustThresholds>;
  /** Share of drifted columns at which the dataset drifts. Default 0.5. */
  driftShare?: number;
  /** Importance per input column: ranks the drifted columns. */
  importance?: Readonly<Record<string, number>>;
}

/** driftReport's robust report of a live window, with the window's size. */
export interface LiveDriftReport extends DriftReport {
  window: { rows: number; seen: number; capacity: number; buckets: number };
}

/**
 * The robust drift report of a window's counts: per input column the chi-square test of the
 * reference's counts against the window's over the frozen bins, PSI as the effect size, new
 * categories by name and out-of-range numbers; the prediction over its 20 reference bins; the
 * dataset verdict. The same numbers driftReport(bundle, rows, { mode: 'robust' }) gives for the
 * rows the window holds (both go through binnedColumnDrift), computed from counts alone, so its
 * cost does not depend on the rows. `counts` defaults to window.counts().
 */
export function liveDriftReport(
  window: BinnedWindow,
  options: LiveDriftOptions = {},
  counts: WindowCounts = window.counts(),
): LiveDriftReport {
  const thresholds: RobustThresholds = { ...ROBUST_DEFAULTS, ...(options.thresholds ?? {}) };
  const driftShare = options.driftShare ?? 0.5;
  const results = window.columns.map((c, i) => {
    const r = binnedColumnDrift(c.column, c.kind, c.bins, counts.columns[i], thresholds, c.referenceMissing);
    if (options.importance) r.importance = options.importance[c.column];
    return r;
  });
  const prediction = binnedColumnDrift(
    'prediction',
    'prediction',
    window.predictionBins,
    { counts: counts.prediction },
    thresholds,
    window.referenceMissing,
  );
  const drifted = results.filter((r) => r.drifted).length;
  const share = results.length ? drifted / results.length : 0;
  return {
    format: 'campaign-ml/drift',
    version: 1,
    mode: 'robust',
    bundle: window.bundle,
    rows: { input: counts.rows, compared: counts.rows, rejected: 0, reference: window.referenceRows },
    problems: [],
    dataset: {
      drifted: results.length > 0 && share >= driftShare,
      driftedColumns: drifted,
      columns: results.length,
      share,
      driftShare,
    },
    columns: rankColumns(results, [], options.importance !== undefined),
    prediction,
    ...(window.performance ? { performance: livePerformance(window, counts) } : {}),
    thresholds: { mode: 'robust', pValue: thresholds.pValue, psi: thresholds.psi },
    window: { rows: counts.rows, seen: counts.seen, capacity: counts.capacity, buckets: counts.buckets },
  };
}

/**
 * CBPE on the window's sums (binary bundles): the confusion matrix is exact (sums of p on each side
 * of the threshold), ROC AUC comes from the 20 prediction bins with each bin's rows counted as tied
 * (close to the exact one; tested within 0.01). The bundle's test-split summary gives the check and
 * the bounds when it keeps one.
 */
function livePerformance(window: BinnedWindow, counts: WindowCounts): PerformanceReport {
  const perf = window.performance!;
  const sums = counts.performance;
  if (!sums || sums.positive.rows + sums.negative.rows === 0)
    return { method: 'cbpe', status: 'not estimated', reason: 'no scored row in the window yet' };
  const estimate = estimatePerformance([], {
    threshold: perf.threshold,
    sums: expectedFromCounts(sums.positive, sums.negative, sums.bins),
    ...(perf.summary ? { referenceSummary: perf.summary } : { referenceMetrics: perf.testMetrics }),
  });
  estimate.warnings.push(
    "ROC AUC is estimated from the window's prediction bins (rows within a bin count as tied): close to, not equal to, the estimate over the rows",
  );
  return estimate;
}
