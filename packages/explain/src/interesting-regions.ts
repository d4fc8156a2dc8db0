import { ConfigError, InputError } from '@campaign-ml/core';
import type { ColumnKind } from './column-kind';
import { linearQuantile, type GridValue } from './grid';

/**
 * Which grid points count as high:
 * - 'near-max' (default): value ≥ max − 10% of the curve's range (max − min); works for any scale;
 * - 'share-of-max': value ≥ 0.9 × max (what the iFood study drew; meaningful for positive curves only);
 * - 'top-decile': value ≥ the 90th percentile of the curve's values at the grid points (NumPy's linear rule).
 */
export type RegionRule = 'near-max' | 'share-of-max' | 'top-decile';

export interface RegionOptions {
  rule?: RegionRule;
}

/** A run of consecutive grid points (numeric, datetime) or one category where the curve is high. */
export interface Region {
  /** First and last grid value of the run (the same category twice for a categorical column). */
  from: GridValue;
  to: GridValue;
  /** Their grid indices (inclusive). */
  start: number;
  end: number;
  /** Highest and mean curve value inside. */
  max: number;
  mean: number;
}

export interface Regions {
  rule: RegionRule;
  /** The curve value a grid point must reach. */
  cut: number;
  /** Whether the grid is a set of categories (each qualifying one is a region of its own). */
  categorical: boolean;
  regions: Region[];
}

/** The part of a partial-dependence result the rules read. */
export interface Curve {
  grid: readonly GridValue[];
  average: readonly number[];
  kind?: ColumnKind;
}

/**
 * Regions of interest of a partial-dependence curve: contiguous grid intervals (or, for a
 * categorical or boolean column, the categories) where the curve is at least the rule's cut.
 *
 * ```ts
 * interestingRegions(partialDependence(bundle, table, 'Income'), { rule: 'near-max' }).regions;
 * // [{ from: 61000, to: 98000, start: 41, end: 72, max: 0.31, mean: 0.29 }]
 * ```
 */
export function interestingRegions(curve: Curve, options: RegionOptions = {}): Regions {
  const rule = options.rule ?? 'near-max';
  const { grid, average } = curve;
  if (grid.length !== average.length || grid.length === 0)
    throw new InputError(
      'INVALID_CURVE',
      `a curve needs as many values as grid points (grid ${grid.length}, values ${average.length})`,
      { column: 'average', value: average.length, expected: `${grid.length} values` },
    );
  const finite = average.filter((v) => Number.isFinite(v));
  if (finite.length === 0)
    throw new InputError('INVALID_CURVE', 'the curve has no finite value', { column: 'average' });
  const max = Math.max(...finite);
  const min = Math.min(...finite);
  let cut: number;
  if (rule === 'near-max') cut = max - 0.1 * (max - min);
  else if (rule === 'share-of-max') cut = 0.9 * max;
  else if (rule === 'top-decile') cut = linearQuantile(Float64Array.from(finite).sort(), 0.9);
  else
    throw new ConfigError('INVALID_OPTION', `unknown region rule "${String(rule)}"`, {
      column: 'rule',
      value: rule,
      expected: "'near-max', 'share-of-max' or 'top-decile'",
    });
  const categorical =
    curve.kind === 'categorical' || curve.kind === 'boolean' || grid.some((g) => typeof g !== 'number');
  const regions: Region[] = [];
  let start = -1;
  const close = (end: number) => {
    let top = -Infinity;
    let sum = 0;
    for (let i = start; i <= end; i++) {
      top = Math.max(top, average[i]);
      sum += average[i];
    }
    regions.push({ from: grid[start], to: grid[end], start, end, max: top, mean: sum / (end - start + 1) });
    start = -1;
  };
  for (let i = 0; i < grid.length; i++) {
    const high = average[i] >= cut;
    if (high && start < 0) start = i;
    if (start >= 0 && (!high || categorical)) close(high ? i : i - 1);
  }
  if (start >= 0) close(grid.length - 1);
  return { rule, cut, categorical, regions };
}
