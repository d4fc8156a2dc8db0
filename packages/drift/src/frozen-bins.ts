import type { CategoricalReference, ColumnReference, NumericReference } from '@campaign-ml/bundle';
import type { ColumnSchema } from '@campaign-ml/schema';
import type { ColumnKind } from './column-values';

/** Bin label of the explicit bin for values the reference never saw. */
export const UNSEEN = '(unseen)';
export const MISSING = '(missing)';

/**
 * The bins of one column frozen from the bundle's reference: the same bins every time a column is
 * checked, whatever the new data looks like, so results from day to day are comparable and no
 * binning choice hides a shift. Bin 0 is "missing", then the reference's own bins (decile ranges
 * or categories), then "unseen": numbers outside the training range [min, max] and categories
 * the reference never saw. Reference counts are the bundle's shares times its row count.
 */
export interface FrozenBins {
  labels: string[];
  reference: Float64Array;
}

export interface NumericCounts {
  counts: Float64Array;
  /** Values below the training minimum and above the training maximum (both in the unseen bin). */
  below: number;
  above: number;
}

export interface CategoricalCounts {
  counts: Float64Array;
  /** New categories by name with their counts, most frequent first. */
  unseen: { value: string; count: number }[];
}

function referenceCounts(shares: readonly number[], missing: number, rows: number, unseenBin: boolean): Float64Array {
  const missingCount = Math.round(missing * rows);
  const present = rows - missingCount;
  const out = new Float64Array(shares.length + (unseenBin ? 2 : 1));
  out[0] = missingCount;
  for (let i = 0; i < shares.length; i++) out[i + 1] = Math.round(shares[i] * present);
  return out;
}

function formatEdge(x: number, asDate: boolean): string {
  if (asDate) return new Date(x).toISOString().slice(0, 10);
  return Number.isInteger(x) ? String(x) : Number(x.toPrecision(4)).toString();
}

/** Numeric (and date) bins: (-inf, e0], (e0, e1], ..., (ek, inf) within [min, max], plus missing and unseen. */
export class NumericBins implements FrozenBins {
  readonly labels: string[];
  readonly reference: Float64Array;
  private readonly edges: Float64Array;

  constructor(
    ref: NumericReference,
    rows: number,
    /** The training range; values outside it go to "unseen". Undefined: no unseen bin (open-ended edges). */
    readonly range: { min: number; max: number } | undefined,
    asDate = false,
  ) {
    this.edges = Float64Array.from(ref.edges);
    const e = ref.edges;
    const inner = ref.fractions.map((_, i) =>
      e.length === 0
        ? 'all'
        : i === 0
          ? `<= ${formatEdge(e[0], asDate)}`
          : i === e.length
            ? `> ${formatEdge(e[i - 1], asDate)}`
            : `${formatEdge(e[i - 1], asDate)} - ${formatEdge(e[i], asDate)}`,
    );
    this.labels = [MISSING, ...inner, ...(range ? [UNSEEN] : [])];
    this.reference = referenceCounts(ref.fractions, ref.missing, rows, range !== undefined);
  }

  /** Count the values (NaN = missing) into the bins in one pass. */
  count(values: ArrayLike<number>): NumericCounts {
    const counts = new Float64Array(this.labels.length);
    const edges = this.edges;
    const k = edges.length;
    const unseenBin = this.labels.length - 1;
    const lo = this.range ? this.range.min : -Infinity;
    const hi = this.range ? this.range.max : Infinity;
    let below = 0;
    let above = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== v) {
        counts[0]++;
        continue;
      }
      if (v < lo) {
        below++;
        counts[unseenBin]++;
        continue;
      }
      if (v > hi) {
        above++;
        counts[unseenBin]++;
        continue;
      }
      // First edge >= v: bins are right-closed, as the reference was counted.
      let a = 0;
      let b = k;
      while (a < b) {
        const mid = (a + b) >> 1;
        if (v <= edges[mid]) b = mid;
        else a = mid + 1;
      }
      counts[a + 1]++;
    }
    return { counts, below, above };
  }

  /**
   * The bin of one value (NaN: missing, bin 0; outside the training range: the last, "unseen"),
   * the same bin `count` puts it in; for counting one record at a time (the API's live window).
   */
  bin(v: number): number {
    if (v !== v) return 0;
    const range = this.range;
    if (range && (v < range.min || v > range.max)) return this.labels.length - 1;
    const edges = this.edges;
    let a = 0;
    let b = edges.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (v <= edges[mid]) b = mid;
      else a = mid + 1;
    }
    return a + 1;
  }
}

/** Categorical bins: the reference's categories (top 50 and "(other)"), plus missing and unseen. */
export class CategoricalBins implements FrozenBins {
  readonly labels: string[];
  readonly reference: Float64Array;
  private readonly index = new Map<string, number>();
  private readonly other: number;
  private readonly known: ReadonlySet<string>;

  constructor(ref: CategoricalReference, rows: number, schemaCategories: readonly string[] = []) {
    const keys = Object.keys(ref.fractions);
    keys.forEach((key, i) => this.index.set(key, i + 1));
    this.labels = [MISSING, ...keys, UNSEEN];
    this.reference = referenceCounts(
      keys.map((key) => ref.fractions[key]),
      ref.missing,
      rows,
      true,
    );
    this.other = this.index.get('(other)') ?? -1;
    // Categories seen in training but outside the reference's top 50 belong to "(other)", not "unseen".
    this.known = new Set(schemaCategories);
  }

  count(values: ArrayLike<string | null>): CategoricalCounts {
    const counts = new Float64Array(this.labels.length);
    const unseenBin = this.labels.length - 1;
    const unseen = new Map<string, number>();
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null) {
        counts[0]++;
        continue;
      }
      const bin = this.bin(v);
      counts[bin]++;
      if (bin === unseenBin) unseen.set(v, (unseen.get(v) ?? 0) + 1);
    }
    return {
      counts,
      unseen: rankUnseen(unseen),
    };
  }

  /** The bin of one category key (null: missing, bin 0; never seen in training: the last, "unseen"). */
  bin(v: string | null): number {
    if (v === null) return 0;
    const bin = this.index.get(v);
    if (bin !== undefined) return bin;
    if (this.other > 0 && this.known.has(v)) return this.other;
    return this.labels.length - 1;
  }
}

/** New categories with their counts, most frequent first (ties by name). */
export function rankUnseen(unseen: ReadonlyMap<string, number>): { value: string; count: number }[] {
  return [...unseen.entries()]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
}

/**
 * The frozen bins of an input column: numbers and dates by the reference's deciles with the
 * schema's training range [min, max] (outside it: "unseen"), categories by the reference's.
 */
export function frozenBinsFor(
  kind: ColumnKind,
  col: ColumnSchema,
  ref: ColumnReference,
  rows: number,
): NumericBins | CategoricalBins {
  if (ref.kind === 'numeric') {
    const toNum = (v: number | string | undefined) =>
      v === undefined ? NaN : typeof v === 'number' ? v : Date.parse(v);
    const min = toNum(col.min);
    const max = toNum(col.max);
    const range = Number.isFinite(min) && Number.isFinite(max) ? { min, max } : undefined;
    return new NumericBins(ref, rows, range, kind === 'datetime');
  }
  return new CategoricalBins(ref, rows, col.categories);
}
