import { ConfigError, InputError } from '@campaign-ml/core';
import { isMissing, type ColumnKind } from './column-kind';
import type { ColumnValues } from './repeat-rows';

/** A grid point: a number (datetimes: epoch milliseconds), a category or a boolean. */
export type GridValue = number | string | boolean;

/** How a numeric (or datetime) grid is laid out. */
export type GridMethod = 'sklearn' | 'uniform' | 'quantile';

export interface GridOptions {
  /**
   * 'sklearn' (default): scikit-learn's `_grid_from_X`, `gridResolution` points evenly between the
   * `percentiles` of the values (scipy's mquantiles, alphap = betap = 0.4); 'uniform': evenly
   * between min and max (dalex for Python); 'quantile': the distinct values among
   * `gridResolution` evenly spaced quantiles, min to max (dalex for R, NumPy's linear rule). Under
   * every method a column with fewer distinct values than `gridResolution` uses those values.
   * Or the grid itself, as a list of values.
   */
  grid?: GridMethod | readonly GridValue[];
  /** Default [0.05, 0.95] (the 'sklearn' method only). */
  percentiles?: readonly [number, number];
  /** Points of a numeric grid. Default 100. */
  gridResolution?: number;
}

/** A grid and how it came about. */
export interface Grid {
  values: GridValue[];
  /** 'values': the column's distinct values (or categories); 'range': points along its range; 'given': from the caller. */
  source: 'values' | 'range' | 'given';
}

/**
 * The grid of a column's partial dependence. Numeric and datetime columns follow `options.grid`;
 * categorical columns give their categories (in `order` first — the schema's most-frequent-first
 * order — then the rest alphabetically), booleans false then true; missing values are left out.
 */
export function gridFor(
  column: string,
  kind: ColumnKind,
  values: ColumnValues,
  options: GridOptions = {},
  order: readonly string[] = [],
): Grid {
  if (Array.isArray(options.grid)) {
    if (options.grid.length === 0)
      throw new ConfigError('INVALID_OPTION', `the grid given for "${column}" is empty`, {
        column,
        expected: 'at least one value',
      });
    return { values: [...(options.grid as GridValue[])], source: 'given' };
  }
  if (kind === 'categorical' || kind === 'boolean')
    return { values: categoryGrid(values, kind, order), source: 'values' };
  const numbers: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    numbers.push(v instanceof Date ? v.getTime() : Number(v));
  }
  if (numbers.length === 0)
    throw new InputError('NO_VALUES', `column "${column}" has no non-missing value to build a grid from`, {
      column,
      expected: 'at least one value',
    });
  const sorted = Float64Array.from(numbers).sort();
  const method = (options.grid as GridMethod | undefined) ?? 'sklearn';
  const resolution = options.gridResolution ?? 100;
  if (!(Number.isInteger(resolution) && resolution > 1))
    throw new ConfigError('INVALID_OPTION', `gridResolution must be an integer > 1, got ${resolution}`, {
      column: 'gridResolution',
      value: resolution,
      expected: 'an integer > 1',
    });
  const uniques = uniqueSorted(sorted);
  if (uniques.length < resolution) return { values: uniques, source: 'values' };
  if (method === 'uniform')
    return { values: linspace(sorted[0], sorted[sorted.length - 1], resolution), source: 'range' };
  if (method === 'quantile') {
    const qs: number[] = [];
    for (let i = 0; i < resolution; i++) qs.push(linearQuantile(sorted, i / (resolution - 1)));
    return { values: uniqueSorted(Float64Array.from(qs)), source: 'range' };
  }
  if (method !== 'sklearn')
    throw new ConfigError('INVALID_OPTION', `unknown grid "${String(method)}"`, {
      column: 'grid',
      value: method,
      expected: "'sklearn', 'uniform', 'quantile' or a list of values",
    });
  const [lo, hi] = options.percentiles ?? [0.05, 0.95];
  if (!(lo >= 0 && hi <= 1 && lo < hi))
    throw new ConfigError('INVALID_OPTION', `percentiles must be two numbers 0 ≤ a < b ≤ 1, got [${lo}, ${hi}]`, {
      column: 'percentiles',
      value: [lo, hi],
      expected: '0 ≤ a < b ≤ 1',
    });
  const a = mquantile(sorted, lo);
  const b = mquantile(sorted, hi);
  if (Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b))
    throw new InputError(
      'FLAT_GRID',
      `the ${lo} and ${hi} quantiles of "${column}" are both ${a}: choose percentiles further apart (or a 'uniform' grid)`,
      { column, value: a, expected: 'distinct quantiles' },
    );
  return { values: linspace(a, b, resolution), source: 'range' };
}

/**
 * scipy.stats.mstats.mquantiles of sorted values with alphap = betap = 0.4 (its default):
 * m = 0.4 + 0.2·p, j = floor(clip(n·p + m, 1, n − 1)), γ = clip(n·p + m − j, 0, 1),
 * q = (1 − γ)·x[j − 1] + γ·x[j].
 */
export function mquantile(sorted: ArrayLike<number>, p: number, alphap = 0.4, betap = 0.4): number {
  const n = sorted.length;
  if (n === 1) return sorted[0];
  const m = alphap + p * (1 - alphap - betap);
  const aleph = n * p + m;
  const j = Math.floor(Math.min(Math.max(aleph, 1), n - 1));
  const gamma = Math.min(Math.max(aleph - j, 0), 1);
  return (1 - gamma) * sorted[j - 1] + gamma * sorted[j];
}

/** NumPy's default (linear) quantile of sorted values. */
export function linearQuantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  const h = (n - 1) * p;
  const j = Math.floor(h);
  if (j >= n - 1) return sorted[n - 1];
  return sorted[j] + (h - j) * (sorted[j + 1] - sorted[j]);
}

/** numpy.linspace(start, stop, num): start + i·step, the last point exactly stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(i * step + start);
  out[num - 1] = stop;
  return out;
}

function uniqueSorted(sorted: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) out.push(sorted[i]);
  return out;
}

function categoryGrid(values: ColumnValues, kind: ColumnKind, order: readonly string[]): GridValue[] {
  const seen = new Set<GridValue>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!isMissing(v)) seen.add(kind === 'boolean' ? Boolean(v) : String(v));
  }
  if (kind === 'boolean') return [false, true].filter((b) => seen.has(b));
  const first = order.filter((c) => seen.has(c));
  const known = new Set(first);
  const rest = [...seen]
    .map(String)
    .filter((c) => !known.has(c))
    .sort();
  return [...first, ...rest];
}
