/**
 * DiCE's quality measures (Mothilal et al. 2020) on typed records, over the columns given:
 *
 *  - distance(a, b) = Σ over continuous columns |a − b| / MAD  +  Σ over categorical columns [a ≠ b]
 *    (a missing value against a present one counts 1, like a category change);
 *  - a counterfactual's proximity is its distance to the original (smaller is closer), its
 *    sparsity the number of columns it changes;
 *  - the set's diversity is the mean pairwise distance, its count diversity the mean pairwise
 *    share of columns that differ; validity is the share of the k requested that are valid and
 *    distinct.
 */
import { toNumber } from './column-domain';

export interface MetricColumn {
  name: string;
  /** MAD scale of a continuous column (numbers, dates in ms); absent for categorical ones. */
  mad?: number;
}

export interface CounterfactualSetMetrics {
  /** How many were asked for. */
  requested: number;
  /** Distinct valid counterfactuals returned. */
  found: number;
  /** found / requested. */
  validity: number;
  /** Mean distance to the original (MAD-scaled; smaller is closer). */
  meanProximity: number;
  /** Mean number of columns changed. */
  meanSparsity: number;
  /** Mean pairwise distance between the counterfactuals (0 with fewer than two). */
  diversity: number;
  /** Mean pairwise share of columns that differ (0 with fewer than two). */
  countDiversity: number;
}

type TypedRecord = Readonly<Record<string, unknown>>;

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b || ((a === null || a === undefined) && (b === null || b === undefined));
}

function columnDistance(col: MetricColumn, a: unknown, b: unknown): number {
  if (same(a, b)) return 0;
  if (col.mad === undefined) return 1;
  const x = toNumber(a);
  const y = toNumber(b);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return 1;
  return Math.abs(x - y) / col.mad;
}

export function cfDistance(columns: readonly MetricColumn[], a: TypedRecord, b: TypedRecord): number {
  let d = 0;
  for (const c of columns) d += columnDistance(c, a[c.name], b[c.name]);
  return d;
}

/** Columns whose values differ between two records. */
export function changedColumns(columns: readonly MetricColumn[], a: TypedRecord, b: TypedRecord): string[] {
  return columns.filter((c) => !same(a[c.name], b[c.name])).map((c) => c.name);
}

export function counterfactualSetMetrics(
  columns: readonly MetricColumn[],
  original: TypedRecord,
  counterfactuals: readonly TypedRecord[],
  requested: number,
): CounterfactualSetMetrics {
  const n = counterfactuals.length;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  const pairs: number[] = [];
  const countPairs: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      pairs.push(cfDistance(columns, counterfactuals[i], counterfactuals[j]));
      countPairs.push(changedColumns(columns, counterfactuals[i], counterfactuals[j]).length / columns.length);
    }
  return {
    requested,
    found: n,
    validity: requested > 0 ? n / requested : 0,
    meanProximity: mean(counterfactuals.map((c) => cfDistance(columns, original, c))),
    meanSparsity: mean(counterfactuals.map((c) => changedColumns(columns, original, c).length)),
    diversity: mean(pairs),
    countDiversity: mean(countPairs),
  };
}
