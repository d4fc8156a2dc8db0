import { isMissing, type ColumnKind } from './column-kind';
import type { GridValue } from './grid';
import type { Region, Regions } from './interesting-regions';
import type { PartialDependence } from './partial-dependence';
import type { SentenceTemplates } from './templates';

/** Which rows a column's regions pick, and the words for it. */
export interface GroupCondition {
  /** Numeric and datetime columns: closed intervals (an open end is ±Infinity), bounds rounded as printed. */
  ranges?: Array<{ lo: number; hi: number }>;
  /** Categorical and boolean columns (and a numeric grid of its distinct values): the values. */
  values?: GridValue[];
  /** "Income between 61,000 and 98,000" */
  text: string;
}

/**
 * The condition a column's regions describe. A grid of distinct values (categories, booleans, a
 * low-cardinality number) picks the regions' grid values themselves; a grid along a range picks
 * the intervals around each region, halfway to the neighbouring grid points and open-ended at the
 * grid's ends (the curve is flat beyond them), rounded to a hundredth of the grid's span's order
 * of magnitude so that the sentence and the group agree exactly.
 */
export function groupCondition(
  pdp: PartialDependence,
  regions: Regions,
  label: string,
  t: SentenceTemplates,
): GroupCondition {
  const { grid } = pdp;
  const numeric = pdp.kind === 'numeric' || pdp.kind === 'datetime';
  if (!numeric || pdp.gridSource !== 'range') {
    const values = regions.regions.flatMap((r) => grid.slice(r.start, r.end + 1));
    if (grid.length > 1 && values.length === grid.length) return { values, text: t.anyValue(label) };
    const yesNo = pdp.kind === 'boolean' || (numeric && grid.length === 2 && grid[0] === 0 && grid[1] === 1);
    const word = (v: GridValue) => (yesNo ? (v === true || v === 1 ? t.yes : t.no) : formatValue(pdp.kind, v, 6, t));
    if (!numeric || values.length <= 1 || yesNo) return { values, text: t.oneOf(label, values.map(word)) };
    // A number with few distinct values: consecutive runs of them as ranges.
    const ranges = regions.regions.map((r) => ({ lo: grid[r.start] as number, hi: grid[r.end] as number }));
    return { values, ranges, text: rangesText(ranges, label, pdp.kind, 6, t, true) };
  }
  const g = grid as number[];
  const span = g[g.length - 1] - g[0];
  const { step, digits } = roundingStep(span, pdp.kind);
  const round = (v: number) => Number((Math.round(v / step) * step).toPrecision(12));
  const ranges = regions.regions.map((r: Region) => ({
    lo: r.start === 0 ? -Infinity : round((g[r.start - 1] + g[r.start]) / 2),
    hi: r.end === g.length - 1 ? Infinity : round((g[r.end] + g[r.end + 1]) / 2),
  }));
  return { ranges, text: rangesText(ranges, label, pdp.kind, digits, t, false) };
}

/** Whether a cell value meets the condition (a missing value never does). */
export function meets(condition: GroupCondition, v: unknown): boolean {
  if (isMissing(v)) return false;
  if (condition.ranges) {
    const x = v instanceof Date ? v.getTime() : Number(v);
    return condition.ranges.some((r) => x >= r.lo && x <= r.hi);
  }
  const values = condition.values ?? [];
  return values.some((c) => (typeof c === 'boolean' ? Boolean(v) === c : String(c) === String(v)));
}

function rangesText(
  ranges: ReadonlyArray<{ lo: number; hi: number }>,
  label: string,
  kind: ColumnKind,
  digits: number,
  t: SentenceTemplates,
  exact: boolean,
): string {
  const f = (v: number) => formatValue(kind, v, digits, t);
  const parts = ranges.map(({ lo, hi }) => {
    if (exact && lo === hi) return t.oneOf(label, [f(lo)]);
    if (lo === -Infinity && hi === Infinity) return t.anyValue(label);
    if (lo === -Infinity) return t.atMost(label, f(hi));
    if (hi === Infinity) return t.atLeast(label, f(lo));
    return t.between(label, f(lo), f(hi));
  });
  return t.orRanges(parts);
}

function formatValue(kind: ColumnKind, v: GridValue, digits: number, t: SentenceTemplates): string {
  if (typeof v !== 'number') return String(v);
  if (kind === 'datetime') return t.formatDate(v);
  return t.formatNumber(v, digits);
}

/** Rounding step: a hundredth of the span's order of magnitude (finer than the 100-point grid's spacing at worst 10 times over); datetimes: whole days. */
function roundingStep(span: number, kind: ColumnKind): { step: number; digits: number } {
  if (kind === 'datetime') return { step: 86_400_000, digits: 0 };
  if (!(span > 0)) return { step: 1e-6, digits: 6 };
  const exponent = Math.floor(Math.log10(span)) - 2;
  return { step: 10 ** exponent, digits: Math.max(0, -exponent) };
}
