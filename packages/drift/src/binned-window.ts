import type { ColumnTable } from 'arquero';
import type { Bundle } from '@campaign-ml/bundle';
import { InputError } from '@campaign-ml/core';
import type { BinCounts } from './binned-column-drift';
import { columnArray, columnKind, type ColumnKind } from './column-values';
import { CategoricalBins, frozenBinsFor, NumericBins, rankUnseen } from './frozen-bins';
import {
  PERFORMANCE_METRICS,
  summaryFromBundle,
  type PerformanceReferenceSummary,
  type PerformanceValues,
} from './performance-estimate';

export interface BinnedWindowOptions {
  /** Most rows the window holds. Default 10,000. */
  rows?: number;
  /** Sub-windows (buckets) the rows are split into; the oldest is dropped as a new one starts. Default 10. */
  buckets?: number;
  /** New category names kept per column and bucket (their counts always go to the unseen bin). Default 20. */
  unseenNames?: number;
  /** The input columns to count. Default: every input column the bundle keeps a reference for. */
  columns?: readonly string[];
}

/** One counted column: its frozen bins and where its counters sit in a bucket. */
export interface WindowColumn {
  readonly column: string;
  readonly kind: ColumnKind;
  readonly bins: NumericBins | CategoricalBins;
  /** The reference's share of missing values. */
  readonly referenceMissing: number;
}

/** A snapshot of the window's counts (copies: later adds do not change it). */
export interface WindowCounts {
  /** Rows in the window now. */
  rows: number;
  /** Rows counted since the window started (or was reset), dropped ones included. */
  seen: number;
  /** Most rows the window holds (buckets x bucket size). */
  capacity: number;
  buckets: number;
  columns: (BinCounts & { column: string })[];
  prediction: Float64Array;
  /**
   * Binary: what performance estimation without labels (CBPE) sums: rows and sum of P(positive) on
   * each side of the threshold, and per prediction bin (in the order of predictionBins).
   */
  performance?: {
    positive: { rows: number; sumP: number };
    negative: { rows: number; sumP: number };
    bins: { rows: number; sumP: number }[];
  };
}

const NAME_LIMIT = 100;

/**
 * A sliding window of counts over the bundle's frozen bins: every input column's bins (missing,
 * the reference's deciles or categories, unseen) and the prediction's 20 reference bins. Rows are
 * counted, never kept: the window is a ring of `buckets` sub-windows of `rows / buckets` rows,
 * each a row of one Float64Array; when the newest is full the oldest is subtracted from the
 * running totals and reused. Memory is fixed at construction (plus at most `unseenNames` new
 * category names per column and bucket), whatever the number of rows counted. liveDriftReport
 * turns a snapshot into driftReport's robust report.
 */
export class BinnedWindow {
  readonly columns: readonly WindowColumn[];
  readonly predictionBins: NumericBins;
  readonly bucketRows: number;
  readonly buckets: number;
  /** The bundle the window compares with (a report's `bundle`). */
  readonly bundle: { id: string; task: string; createdAt: string };
  /** Training rows behind the reference. */
  readonly referenceRows: number;
  /** The reference's share of missing predictions. */
  readonly referenceMissing: number;
  /** Binary: the threshold, the bundle's test-split summary for CBPE (if kept) and its test metrics. */
  readonly performance?: {
    threshold: number;
    summary?: PerformanceReferenceSummary;
    testMetrics: Partial<PerformanceValues>;
  };
  private readonly unseenNames: number;
  /** Binary: where the CBPE sums sit in a bucket (per prediction bin rows and sum of p, then the two sides); -1 otherwise. */
  private readonly cbpeAt: number = -1;
  /** Counter layout of one bucket: each column's bins, its below/above (numeric), the prediction's bins, the row count. */
  private readonly offsets: Int32Array;
  private readonly extraAt: Int32Array;
  private readonly predictionAt: number;
  private readonly rowsAt: number;
  private readonly width: number;
  private readonly ring: Float64Array;
  private readonly totals: Float64Array;
  /** New category names per bucket and column (categorical columns only), bounded by unseenNames. */
  private readonly names: Map<string, number>[][];
  /** One row's bins, resolved before anything is counted so a bad value leaves the window as it was. */
  private readonly rowBins: Int32Array;
  private readonly rowExtra: Int32Array;
  private readonly rowNames: (string | null)[];
  private head = 0;
  private filled = 1;
  private total = 0;

  constructor(bundle: Bundle, options: BinnedWindowOptions = {}) {
    const doc = bundle.document;
    const reference = doc.reference;
    if (!reference)
      throw new InputError(
        'NO_REFERENCE',
        `bundle "${doc.id}" keeps no reference distributions, so there is nothing to compare a live window with; retrain it with a current pipeline`,
      );
    const rows = options.rows ?? 10_000;
    const buckets = options.buckets ?? 10;
    if (!Number.isInteger(buckets) || buckets < 1)
      throw new InputError('INVALID_OPTION', `buckets must be an integer >= 1, got ${buckets}`, {
        column: 'buckets',
        value: buckets,
        expected: 'an integer >= 1',
      });
    if (!Number.isInteger(rows) || rows < buckets)
      throw new InputError('INVALID_OPTION', `rows must be an integer >= buckets (${buckets}), got ${rows}`, {
        column: 'rows',
        value: rows,
        expected: `an integer >= ${buckets}`,
      });
    this.bundle = { id: doc.id, task: doc.task, createdAt: doc.createdAt };
    this.referenceRows = reference.rows;
    this.referenceMissing = reference.predictions.missing;
    this.buckets = buckets;
    this.bucketRows = Math.ceil(rows / buckets);
    this.unseenNames = options.unseenNames ?? 20;
    const schema = new Map(doc.schema.columns.map((c) => [c.name, c]));
    const columns: WindowColumn[] = [];
    for (const name of options.columns ?? Object.keys(reference.inputs)) {
      const col = schema.get(name);
      const ref = reference.inputs[name];
      if (!col || !ref)
        throw new InputError('UNKNOWN_COLUMN', `column "${name}" is not an input the bundle keeps a reference for`, {
          column: name,
          expected: `one of: ${Object.keys(reference.inputs).join(', ')}`,
        });
      const kind = columnKind(col.type);
      if (!kind) continue;
      columns.push({
        column: name,
        kind,
        bins: frozenBinsFor(kind, col, ref, reference.rows),
        referenceMissing: ref.missing,
      });
    }
    this.columns = Object.freeze(columns);
    this.predictionBins = new NumericBins(reference.predictions, reference.rows, undefined);
    this.offsets = new Int32Array(columns.length);
    this.extraAt = new Int32Array(columns.length).fill(-1);
    let w = 0;
    columns.forEach((c, i) => {
      this.offsets[i] = w;
      w += c.bins.labels.length;
      if (c.bins instanceof NumericBins && c.bins.range) {
        this.extraAt[i] = w;
        w += 2;
      }
    });
    this.predictionAt = w;
    w += this.predictionBins.labels.length;
    if (doc.task === 'binary') {
      const threshold = bundle.threshold ?? 0.5;
      const test = (doc.metrics as { test?: Record<string, unknown> }).test ?? {};
      const testMetrics: Partial<PerformanceValues> = {};
      for (const m of PERFORMANCE_METRICS) if (typeof test[m] === 'number') testMetrics[m] = test[m] as number;
      const summary = summaryFromBundle(reference.performance, threshold);
      this.performance = { threshold, ...(summary ? { summary } : {}), testMetrics };
      this.cbpeAt = w;
      w += 2 * this.predictionBins.labels.length + 4;
    }
    this.rowsAt = w++;
    this.width = w;
    this.ring = new Float64Array(buckets * w);
    this.totals = new Float64Array(w);
    this.names = Array.from({ length: buckets }, () => columns.map(() => new Map<string, number>()));
    this.rowBins = new Int32Array(columns.length);
    this.rowExtra = new Int32Array(columns.length);
    this.rowNames = new Array<string | null>(columns.length).fill(null);
  }

  /** Most rows the window holds. */
  get capacity(): number {
    return this.buckets * this.bucketRows;
  }

  /** Rows in the window now. */
  get rows(): number {
    return this.totals[this.rowsAt];
  }

  /** Rows counted since the start (or the last reset), including those the window has dropped. */
  get seen(): number {
    return this.total;
  }

  /**
   * Count one typed record (the values bundle.validator gives: numbers, Dates or ISO strings for
   * dates, strings or booleans for categories, null for missing) and its prediction (binary:
   * P(positive), multiclass: the top probability, regression: the value).
   */
  add(record: Readonly<Record<string, unknown>>, prediction: number): void {
    const columns = this.columns;
    for (let c = 0; c < columns.length; c++) this.resolve(c, record[columns[c].column], -1);
    this.commit(prediction);
  }

  /**
   * Count every row of a typed table (bundle.validator(...).table or .records) with its
   * predictions. A value of the wrong type throws an InputError naming the column and row; each
   * row is counted whole or not at all (the rows before it stay counted).
   */
  addTable(table: ColumnTable, predictions: ArrayLike<number>): void {
    const n = table.numRows();
    if (predictions.length !== n)
      throw new InputError(
        'LENGTH_MISMATCH',
        `${predictions.length} predictions for ${n} rows: give one number per row (binary: P(positive), multiclass: the top probability, regression: the value)`,
        { value: predictions.length, expected: String(n) },
      );
    const names = new Set(table.columnNames());
    const arrays = this.columns.map((c) => (names.has(c.column) ? columnArray(table, c.column) : undefined));
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < arrays.length; c++) {
        const values = arrays[c];
        this.resolve(c, values ? values[r] : null, r);
      }
      this.commit(predictions[r]);
    }
  }

  /** Forget every row (a new bundle is served). */
  reset(): void {
    this.ring.fill(0);
    this.totals.fill(0);
    for (const bucket of this.names) for (const m of bucket) m.clear();
    this.head = 0;
    this.filled = 1;
    this.total = 0;
  }

  /** The counts of the rows in the window now. */
  counts(): WindowCounts {
    const t = this.totals;
    const columns = this.columns.map((c, i) => {
      const o = this.offsets[i];
      const out: BinCounts & { column: string } = {
        column: c.column,
        counts: t.slice(o, o + c.bins.labels.length),
      };
      const e = this.extraAt[i];
      if (e >= 0) {
        out.below = t[e];
        out.above = t[e + 1];
      }
      if (c.bins instanceof CategoricalBins) {
        const merged = new Map<string, number>();
        for (const bucket of this.names) for (const [k, v] of bucket[i]) merged.set(k, (merged.get(k) ?? 0) + v);
        out.unseen = rankUnseen(merged);
      }
      return out;
    });
    return {
      rows: this.rows,
      seen: this.total,
      capacity: this.capacity,
      buckets: this.buckets,
      columns,
      prediction: t.slice(this.predictionAt, this.predictionAt + this.predictionBins.labels.length),
      ...(this.cbpeAt >= 0 ? { performance: this.performanceSums() } : {}),
    };
  }

  private performanceSums(): NonNullable<WindowCounts['performance']> {
    const t = this.totals;
    const o = this.cbpeAt;
    const k = this.predictionBins.labels.length;
    const bins = Array.from({ length: k }, (_, b) => ({ rows: t[o + 2 * b], sumP: t[o + 2 * b + 1] }));
    const s = o + 2 * k;
    return { positive: { rows: t[s], sumP: t[s + 1] }, negative: { rows: t[s + 2], sumP: t[s + 3] }, bins };
  }

  /**
   * Bytes the window holds: its counters (fixed at construction) and the new category names kept
   * (bounded by unseenNames x buckets x columns). What the memory tests watch.
   */
  retainedBytes(): number {
    let names = 0;
    for (const bucket of this.names) for (const m of bucket) for (const k of m.keys()) names += 2 * k.length + 8;
    return this.ring.byteLength + this.totals.byteLength + names;
  }

  /** Start a row: the bucket offset to count it in (moving on to the next bucket, dropping the oldest, when full). */
  private startRow(): number {
    if (this.ring[this.head * this.width + this.rowsAt] >= this.bucketRows) {
      this.head = (this.head + 1) % this.buckets;
      const o = this.head * this.width;
      if (this.filled === this.buckets) {
        for (let j = 0; j < this.width; j++) this.totals[j] -= this.ring[o + j];
        this.ring.fill(0, o, o + this.width);
        for (const m of this.names[this.head]) m.clear();
      } else this.filled++;
    }
    const at = this.head * this.width;
    this.ring[at + this.rowsAt]++;
    this.totals[this.rowsAt]++;
    this.total++;
    return at;
  }

  private bump(at: number, j: number): void {
    this.ring[at + j]++;
    this.totals[j]++;
  }

  /** Find column c's bin for v (and its below/above counter, its new category name) without counting. */
  private resolve(c: number, v: unknown, row: number): void {
    const col = this.columns[c];
    const bins = col.bins;
    this.rowExtra[c] = -1;
    this.rowNames[c] = null;
    if (bins instanceof NumericBins) {
      const x = this.toNumber(col, v, row);
      const bin = bins.bin(x);
      this.rowBins[c] = this.offsets[c] + bin;
      const e = this.extraAt[c];
      if (e >= 0 && bin === bins.labels.length - 1) this.rowExtra[c] = x < bins.range!.min ? e : e + 1;
      return;
    }
    const key = v === null || v === undefined ? null : typeof v === 'string' ? v : this.toKey(col, v, row);
    const bin = bins.bin(key);
    this.rowBins[c] = this.offsets[c] + bin;
    if (key !== null && bin === bins.labels.length - 1) this.rowNames[c] = key;
  }

  /** Count the resolved row and its prediction. */
  private commit(prediction: number): void {
    const at = this.startRow();
    const bucket = this.names[this.head];
    for (let c = 0; c < this.rowBins.length; c++) {
      this.bump(at, this.rowBins[c]);
      if (this.rowExtra[c] >= 0) this.bump(at, this.rowExtra[c]);
      const key = this.rowNames[c];
      if (key !== null) {
        const names = bucket[c];
        const name = key.length > NAME_LIMIT ? key.slice(0, NAME_LIMIT) : key;
        const seen = names.get(name);
        if (seen !== undefined) names.set(name, seen + 1);
        else if (names.size < this.unseenNames) names.set(name, 1);
      }
    }
    const p = typeof prediction === 'number' ? prediction : NaN;
    const bin = this.predictionBins.bin(p);
    this.bump(at, this.predictionAt + bin);
    // CBPE: rows and sum of P(positive), per bin and on each side of the threshold (probabilities only).
    if (this.cbpeAt >= 0 && p >= 0 && p <= 1) {
      const o = this.cbpeAt;
      this.add2(at, o + 2 * bin, p);
      this.add2(at, o + 2 * this.predictionBins.labels.length + (p >= this.performance!.threshold ? 0 : 2), p);
    }
  }

  /** One more row and p into the counter pair (rows, sum of p) at j. */
  private add2(at: number, j: number, p: number): void {
    this.ring[at + j]++;
    this.totals[j]++;
    this.ring[at + j + 1] += p;
    this.totals[j + 1] += p;
  }

  private toNumber(col: WindowColumn, v: unknown, row: number): number {
    if (typeof v === 'number') return v;
    if (v === null || v === undefined) return NaN;
    if (v instanceof Date) return v.getTime();
    if (col.kind === 'datetime' && typeof v === 'string') {
      const t = Date.parse(v);
      if (t === t) return t;
    }
    return this.badValue(col, v, row);
  }

  private toKey(col: WindowColumn, v: unknown, row: number): string {
    if (typeof v === 'boolean' || typeof v === 'number') return String(v);
    return this.badValue(col, v, row);
  }

  private badValue(col: WindowColumn, v: unknown, row: number): never {
    const expected =
      col.kind === 'numeric' ? 'a number' : col.kind === 'datetime' ? 'a Date or an ISO date' : 'a string or boolean';
    throw new InputError(
      'WRONG_TYPE',
      `column "${col.column}"${row >= 0 ? ` (row ${row})` : ''}: expected ${expected} or null, found ${JSON.stringify(v)}; count typed values (bundle.validator(...).records or .table)`,
      { column: col.column, value: v, expected, ...(row >= 0 ? { row } : {}) },
    );
  }
}
