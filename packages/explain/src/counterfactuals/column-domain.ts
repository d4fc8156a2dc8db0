import type { ColumnTable } from 'arquero';
import { ConfigError } from '@campaign-ml/core';
import type { Bundle, ColumnReference, NumericReference } from '@campaign-ml/bundle';
import type { ColumnSchema } from '@campaign-ml/schema';

/** A per-column range a user may impose (numbers, or dates as ISO strings or epoch ms). */
export interface ColumnRange {
  min?: number | string;
  max?: number | string;
}

/**
 * Where a column's value may go in a counterfactual: the plausible interval (the training data's
 * observed range from the bundle schema, narrowed by a user range) for numbers and dates, the
 * categories the reference saw for categories, true/false for booleans.
 */
export interface ColumnDomain {
  name: string;
  kind: 'numeric' | 'datetime' | 'boolean' | 'category';
  integer: boolean;
  /** Plausible interval (numeric: values; datetime: epoch ms). */
  min: number;
  max: number;
  /** Allowed values (category, boolean), most frequent first. */
  values: readonly (string | boolean)[];
  /** Median absolute deviation (numeric, datetime) that scales distances; 1 for categories. */
  mad: number;
  /** Reference decile edges (numeric, datetime): candidate values. */
  edges: readonly number[];
  /** Monotone constraint: the value may only go up or down. */
  direction?: 'increase' | 'decrease';
}

const DAY = 86_400_000;

export function toNumber(v: unknown): number {
  if (v === null || v === undefined) return NaN;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string') {
    const n = Number(v);
    return Number.isFinite(n) ? n : Date.parse(v);
  }
  return Number(v);
}

/** Quantile of a numeric reference, interpolated on its decile edges and cumulative shares. */
export function referenceQuantile(ref: NumericReference, q: number): number {
  const { edges, fractions } = ref;
  if (edges.length === 0) return ref.mean;
  let cum = 0;
  let prevEdge = edges[0];
  let prevCum = 0;
  for (let i = 0; i < edges.length; i++) {
    cum += fractions[i];
    if (cum >= q) {
      if (i === 0 || cum === prevCum) return edges[i];
      return prevEdge + ((edges[i] - prevEdge) * (q - prevCum)) / (cum - prevCum);
    }
    prevEdge = edges[i];
    prevCum = cum;
  }
  return edges[edges.length - 1];
}

/** MAD from a numeric reference: half its interquartile range (exact for symmetric shapes), else 0.6745·std. */
export function referenceMad(ref: NumericReference | undefined): number {
  if (!ref) return NaN;
  const half = (referenceQuantile(ref, 0.75) - referenceQuantile(ref, 0.25)) / 2;
  return half > 0 ? half : 0.6745 * ref.std;
}

/** Exact MAD of a column of values: median(|x − median(x)|), missing values ignored. */
export function madOf(values: ArrayLike<unknown>): number {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = toNumber(values[i]);
    if (Number.isFinite(v)) xs.push(v);
  }
  if (xs.length === 0) return NaN;
  const med = median(xs);
  return median(xs.map((x) => Math.abs(x - med)));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function rangeBound(v: number | string | undefined, field: string, kind: ColumnDomain['kind']): number | undefined {
  if (v === undefined) return undefined;
  const n = kind === 'datetime' && typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n))
    throw new ConfigError(
      'INVALID_OPTION',
      `${field} must be ${kind === 'datetime' ? 'an ISO date or epoch milliseconds' : 'a number'}, found ${JSON.stringify(v)}`,
      { column: field, value: v, expected: kind === 'datetime' ? 'an ISO date' : 'a number' },
    );
  return n;
}

/** The domain of one actionable column, from the bundle's schema and reference (and the data, for MAD). */
export function columnDomain(
  bundle: Bundle,
  name: string,
  options: { range?: ColumnRange; direction?: 'increase' | 'decrease'; data?: ColumnTable },
): ColumnDomain {
  const col: ColumnSchema | undefined = bundle.document.schema.columns.find((c) => c.name === name);
  const ref: ColumnReference | undefined = bundle.document.reference?.inputs[name];
  if (!col)
    throw new ConfigError('UNKNOWN_COLUMN', `"${name}" is not a column of the bundle's schema`, { column: name });
  const kind: ColumnDomain['kind'] | null =
    col.type === 'number' || col.type === 'integer'
      ? 'numeric'
      : col.type === 'datetime'
        ? 'datetime'
        : col.type === 'boolean'
          ? 'boolean'
          : col.type === 'category'
            ? 'category'
            : null;
  if (!kind)
    throw new ConfigError(
      'NOT_ACTIONABLE',
      `"${name}" is a ${col.type} column; only number, integer, date, boolean and category columns can be changed`,
      { column: name, value: col.type },
    );
  if (kind === 'boolean')
    return { name, kind, integer: false, min: NaN, max: NaN, values: [true, false], mad: 1, edges: [] };
  if (kind === 'category') {
    const fromRef = ref?.kind === 'categorical' ? Object.keys(ref.fractions).filter((k) => k !== '(other)') : [];
    const values = fromRef.length ? fromRef : (col.categories ?? []);
    return { name, kind, integer: false, min: NaN, max: NaN, values, mad: 1, edges: [] };
  }
  const numRef = ref?.kind === 'numeric' ? ref : undefined;
  const edges = numRef?.edges ?? [];
  let min = toNumber(col.min);
  let max = toNumber(col.max);
  if (!Number.isFinite(min)) min = edges.length ? edges[0] : -Infinity;
  if (!Number.isFinite(max)) max = edges.length ? edges[edges.length - 1] : Infinity;
  const lo = rangeBound(options.range?.min, `ranges.${name}.min`, kind);
  const hi = rangeBound(options.range?.max, `ranges.${name}.max`, kind);
  if (lo !== undefined) min = Math.max(min, lo);
  if (hi !== undefined) max = Math.min(max, hi);
  if (!(min <= max))
    throw new ConfigError('EMPTY_RANGE', `ranges.${name} leaves no value inside the training data's observed range`, {
      column: `ranges.${name}`,
      value: options.range,
    });
  let mad = options.data?.columnNames().includes(name) ? madOf(options.data.array(name) as ArrayLike<unknown>) : NaN;
  if (!(mad > 0)) mad = referenceMad(numRef);
  if (!(mad > 0)) mad = kind === 'datetime' ? DAY : 1;
  // Integral: an integer column, or a number column whose observed ends and reference deciles (all
  // training values) are whole numbers: inference types counts and money without cents as "number".
  const integer =
    col.type === 'integer' ||
    (kind === 'numeric' &&
      numRef !== undefined &&
      [toNumber(col.min), toNumber(col.max), ...edges].every((v) => Number.isInteger(v)));
  return { name, kind, integer, min, max, values: [], mad, edges, direction: options.direction };
}

function allowedMove(d: ColumnDomain, from: number, to: number): boolean {
  if (d.direction === 'increase') return !(to < from);
  if (d.direction === 'decrease') return !(to > from);
  return true;
}

/** Whether a typed value lies in the domain (and moves the allowed way from `from`). */
export function inDomain(d: ColumnDomain, value: unknown, from: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (d.kind === 'boolean') return typeof value === 'boolean';
  if (d.kind === 'category') return d.values.includes(value as string);
  const v = toNumber(value);
  if (!(v >= d.min && v <= d.max)) return false;
  if (d.integer && !Number.isInteger(v)) return false;
  const f = toNumber(from);
  return Number.isFinite(f) ? allowedMove(d, f, v) : true;
}

/** A typed value from a number in the domain's units (a Date for datetimes, an integer for integers). */
export function fromNumber(d: ColumnDomain, x: number): number | Date {
  if (d.kind === 'datetime') return new Date(Math.round(x));
  return d.integer ? Math.round(x) : x;
}

/**
 * Candidate values for one column, nearest to the current value first: for numbers and dates the
 * observed range's ends, the reference deciles, the current value scaled (numbers) or shifted by
 * days (dates) and moved by ±½, 1, 2 MAD; categories and booleans every other value.
 */
export function candidateValues(d: ColumnDomain, current: unknown): unknown[] {
  if (d.kind === 'boolean' || d.kind === 'category') return d.values.filter((v) => v !== current);
  const x = toNumber(current);
  const raw: number[] = [d.min, d.max, ...d.edges];
  if (Number.isFinite(x)) {
    for (const m of [0.5, 1, 2]) raw.push(x - m * d.mad, x + m * d.mad);
    if (d.kind === 'numeric') for (const f of [0.1, 0.25, 0.5, 0.75, 0.9, 1.1, 1.25, 1.5, 2, 3]) raw.push(x * f);
    else for (const days of [1, 3, 7, 14, 30, 60, 90, 180]) raw.push(x - days * DAY, x + days * DAY);
  }
  const seen = new Set<number>();
  const out: number[] = [];
  for (const r of raw) {
    if (!Number.isFinite(r)) continue;
    const v = toNumber(fromNumber(d, Math.min(d.max, Math.max(d.min, r))));
    if (v === x || seen.has(v) || !inDomain(d, fromNumber(d, v), current)) continue;
    seen.add(v);
    out.push(v);
  }
  out.sort((a, b) => (Number.isFinite(x) ? Math.abs(a - x) - Math.abs(b - x) : 0) || a - b);
  return out.map((v) => fromNumber(d, v));
}
