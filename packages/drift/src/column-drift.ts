import type { TestResult } from './robust-test';

/** What a column is compared as. */
export type DriftKind = 'numeric' | 'categorical' | 'datetime' | 'prediction' | 'target';

/** One column's result in a drift report. */
export interface ColumnDrift extends TestResult {
  column: string;
  kind: DriftKind;
  rows: { reference: number; current: number };
  /** Share of missing values. */
  missing: { reference: number; current: number };
  /** Values the reference never saw: new categories by name, numbers below / above the training range. */
  unseen?: { share: number; values?: { value: string; count: number }[]; below?: number; above?: number };
  importance?: number;
  /** Bin shares for the report's small histograms (no raw values). */
  histogram: { labels: string[]; reference: number[]; current: number[] };
  /** Set when the column could not be compared, with the reason; the test fields are then NaN. */
  skipped?: string;
}

/**
 * Report order: drifted columns first, by importance when given (else by effect size), then the
 * others by effect size, then the columns that could not be compared.
 */
export function rankColumns(results: ColumnDrift[], skipped: ColumnDrift[], byImportance: boolean): ColumnDrift[] {
  const byEffect = (a: ColumnDrift, b: ColumnDrift) => (b.effect.value || 0) - (a.effect.value || 0);
  const importance = (a: ColumnDrift, b: ColumnDrift) =>
    (b.importance ?? -Infinity) - (a.importance ?? -Infinity) || byEffect(a, b);
  return [
    ...results.filter((r) => r.drifted).sort(byImportance ? importance : byEffect),
    ...results.filter((r) => !r.drifted).sort(byEffect),
    ...skipped,
  ];
}
