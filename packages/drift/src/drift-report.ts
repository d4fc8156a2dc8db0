import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { Bundle, ColumnReference } from '@campaign-ml/bundle';
import { InputError, type Problem } from '@campaign-ml/core';
import type { ColumnSchema } from '@campaign-ml/schema';
import { categoryColumn, columnArray, columnKind, numericColumn, type ColumnKind } from './column-values';
import { evidentlyDefaultTest, evidentlyTest, EVIDENTLY_THRESHOLDS, type EvidentlyTestName } from './evidently-test';
import { distinctCount, type Values } from './evidently-bins';
import { binnedColumnDrift, roundedShares as shares, type BinCounts } from './binned-column-drift';
import { rankColumns, type ColumnDrift } from './column-drift';
import { frozenBinsFor, NumericBins, type CategoricalBins } from './frozen-bins';
import { robustTest, ROBUST_DEFAULTS, type RobustThresholds } from './robust-test';
import { targetMetrics } from './target-metrics';
import { meanPlus3Sd, nullPsiThreshold, splitWindows, type WindowOptions } from './windows';
import {
  estimatePerformance,
  PERFORMANCE_METRICS,
  summaryFromBundle,
  type PerformanceReport,
  type PerformanceValues,
} from './performance-estimate';

export type { ColumnDrift } from './column-drift';

export interface DriftOptions {
  /**
   * 'robust' (default): every column against bins frozen from the bundle's reference, chi-square
   * p-value AND PSI effect size must both pass. 'evidently': Evidently's default test per column
   * on raw reference rows (`reference` required), Evidently's thresholds.
   */
  mode?: 'robust' | 'evidently';
  /** Reference rows: required by the evidently mode; in robust mode, what `thresholds: 'learned'` learns from. */
  reference?: ColumnTable;
  /** The input columns to compare. Default: every input column the bundle keeps a reference for (robust) or types (evidently). */
  columns?: readonly string[];
  /** Robust thresholds (p-value 0.05, PSI 0.1), or 'learned' per column from reference windows (needs `window`). */
  thresholds?: Partial<RobustThresholds> | 'learned';
  /** Evidently mode: one test for every column instead of the defaults, and its threshold. */
  evidently?: { stattest?: EvidentlyTestName; threshold?: number };
  /** Share of drifted columns at which the dataset drifts. Default 0.5 (Evidently's drift_share). */
  driftShare?: number;
  /** Importance per input column (e.g. permutation importance from training): ranks the drifted columns. */
  importance?: Readonly<Record<string, number>>;
  /**
   * Model outputs for the table's rows if already computed (the API's window); else the table is
   * scored. `false`: compare the inputs only (no scoring: the prediction and the target's metrics
   * are left out), for a quick check of the data where scoring would cost most of the time.
   */
  predictions?: ArrayLike<number> | false;
  /** Metrics on labelled rows; default targetMetrics (a monitor's set). The pipeline may pass models' full set. */
  metrics?: (y: Float64Array, scores: Float64Array) => Record<string, number>;
  /** Check windows of rows or periods too. */
  window?: WindowOptions;
  /**
   * The rows (and `reference`) are already in the schema's types, e.g. the table of
   * bundle.validator('unseen').table(raw) or the API's window of validated records: skip typing
   * them again (on 1M x 50 that is most of the time). Default false: every value is typed.
   */
  typed?: boolean;
  /**
   * Performance estimated without labels (CBPE), binary bundles only. `reference`: labelled rows
   * held out from training (the test part, or a checked period after it), default the top-level
   * `reference` when its rows carry the target column; they give the realised metrics, the bounds
   * and the calibration check. `false`: leave it out.
   */
  performance?: false | { reference?: ColumnTable; referenceChunks?: number; tolerance?: number };
}

export interface TargetReport {
  column: string;
  /** Rows with a label the model knows. */
  rows: number;
  /** Labels not among the bundle's classes (or not numbers, for regression). */
  unknownLabels: number;
  /** Share of each label (classification) among labelled rows. */
  shares?: Record<string, number>;
  /** The model on these rows, beside the test-set metrics kept in the bundle. */
  metrics: Record<string, number>;
  referenceMetrics?: Record<string, number>;
  /** metrics - referenceMetrics, for the metrics both have. */
  change?: Record<string, number>;
  /** The target's own drift test (evidently mode, when the reference rows carry labels). */
  drift?: ColumnDrift;
}

export interface WindowReport {
  label: string;
  start?: string;
  rows: number;
  dataset: { drifted: boolean; driftedColumns: number; columns: number; share: number };
  columns: Record<string, { score: number; pValue: number | null; threshold: number; drifted: boolean }>;
  prediction?: { score: number; pValue: number | null; threshold: number; drifted: boolean };
}

export interface DriftReport {
  format: 'campaign-ml/drift';
  version: 1;
  mode: 'robust' | 'evidently';
  bundle: { id: string; task: string; createdAt: string };
  rows: { input: number; compared: number; rejected: number; reference: number };
  /** Problems with the rows that could not be read (the first 20), naming row, column and value. */
  problems: Problem[];
  dataset: { drifted: boolean; driftedColumns: number; columns: number; share: number; driftShare: number };
  /** Input columns, drifted first (by importance when given, else by effect size), then the rest by effect size. */
  columns: ColumnDrift[];
  prediction?: ColumnDrift;
  target?: TargetReport;
  windows?: WindowReport[];
  /** Confidence-based performance estimation (binary), or why it was not estimated. */
  performance?: PerformanceReport;
  thresholds: { mode: string; pValue?: number; psi?: number | 'learned'; evidently?: Record<string, number> };
}

type Kind = ColumnDrift['kind'];

/** One column, ready to be compared over all rows or any subset of them. */
interface Comparer {
  column: string;
  kind: Kind;
  compare(rows?: Int32Array, learned?: number): ColumnDrift;
  /** Robust mode: the effect (PSI) of a subset of another table's rows (reference windows). */
  effectOf?(table: ColumnTable, rows: Int32Array): number;
  /** Robust mode: mean + 3 sd of PSI under no drift for a window of `rows` (nullPsiThreshold). */
  nullThreshold?(rows: number): number;
}

/**
 * Compare new rows with the bundle's reference: every input column, the model's predictions,
 * and the target when the rows carry labels (with the model's metrics on them). Rows are typed
 * by the bundle's record validator (new categories pass, as "unseen"); rows it rejects are
 * counted and their first problems reported. See README.md for the tests and thresholds.
 */
export function driftReport(bundle: Bundle, table: ColumnTable, options: DriftOptions = {}): DriftReport {
  const mode = options.mode ?? 'robust';
  const doc = bundle.document;
  const reference = doc.reference;
  if (mode === 'robust' && !reference) {
    throw new InputError(
      'NO_REFERENCE',
      `bundle "${doc.id}" keeps no reference distributions; retrain it with a current pipeline, or use mode "evidently" with reference rows`,
    );
  }
  if (mode === 'evidently' && !options.reference) {
    throw new InputError(
      'NO_REFERENCE_ROWS',
      'the evidently mode compares raw values: pass the reference rows (e.g. the training table) as options.reference',
    );
  }
  if (options.thresholds === 'learned' && !options.window) {
    throw new InputError(
      'INVALID_OPTION',
      "thresholds: 'learned' are learned per window size: give options.window as well",
    );
  }
  if (options.thresholds === 'learned' && mode === 'evidently') {
    throw new InputError(
      'INVALID_OPTION',
      "thresholds: 'learned' apply to the robust mode's PSI; the evidently mode keeps Evidently's thresholds",
    );
  }
  const validator = bundle.validator('unseen');
  const asIs = (t: ColumnTable) => ({
    table: t,
    rows: Int32Array.from({ length: t.numRows() }, (_, i) => i),
    problems: [] as Problem[],
  });
  const cur = options.typed ? asIs(table) : validator.table(table);
  const n = cur.table.numRows();
  if (n === 0) {
    throw new InputError(
      'EMPTY_INPUT',
      `no row of the data could be compared (${table.numRows()} rows, ${cur.problems.length} problems${cur.problems[0] ? `; first: ${cur.problems[0].message}` : ''})`,
    );
  }
  const ref = options.reference
    ? options.typed
      ? asIs(options.reference)
      : validator.table(options.reference)
    : undefined;
  const schema = new Map(doc.schema.columns.map((c) => [c.name, c]));
  const thresholds: RobustThresholds = {
    ...ROBUST_DEFAULTS,
    ...(typeof options.thresholds === 'object' ? options.thresholds : {}),
  };
  const driftShare = options.driftShare ?? 0.5;

  // Columns to compare.
  const candidates =
    options.columns ?? (mode === 'robust' ? Object.keys(reference!.inputs) : validator.columns.map((c) => c.name));
  const comparers: Comparer[] = [];
  const skipped: ColumnDrift[] = [];
  for (const name of candidates) {
    const col = schema.get(name);
    if (!col)
      throw new InputError('UNKNOWN_COLUMN', `column "${name}" is not an input of bundle "${doc.id}"`, {
        column: name,
        expected: `one of: ${[...schema.keys()].join(', ')}`,
      });
    const kind = columnKind(col.type);
    if (!kind) continue;
    const present = cur.table.columnNames().includes(name);
    if (!present) {
      skipped.push(skippedColumn(name, kind, 'not in the current data'));
      continue;
    }
    if (mode === 'robust') {
      const r = reference!.inputs[name];
      if (!r) skipped.push(skippedColumn(name, kind, 'the bundle keeps no reference for it'));
      else comparers.push(robustComparer(name, kind, col, r, reference!.rows, cur.table, thresholds));
    } else if (kind === 'datetime') {
      skipped.push(skippedColumn(name, kind, 'Evidently does not test datetime columns'));
    } else if (!ref!.table.columnNames().includes(name)) {
      skipped.push(skippedColumn(name, kind, 'not in the reference rows'));
    } else {
      comparers.push(
        evidentlyComparer(
          name,
          kind,
          kind === 'numeric' ? 'numerical' : 'categorical',
          columnValuesOf(ref!.table, name, kind),
          columnValuesOf(cur.table, name, kind),
          options.evidently,
        ),
      );
    }
  }

  // Predictions (and the reference's, in evidently mode).
  const scores =
    options.predictions === false
      ? undefined
      : options.predictions
        ? alignedScores(options.predictions, table.numRows(), cur.rows, bundle)
        : scoreInBlocks(bundle, cur.table);
  const predicted = scores ? predictionValues(bundle, scores, n) : undefined;
  let prediction: Comparer | undefined;
  if (!predicted) {
    prediction = undefined;
  } else if (mode === 'robust') {
    const bins = new NumericBins(reference!.predictions, reference!.rows, undefined);
    prediction = binnedComparer(
      'prediction',
      'prediction',
      bins,
      predicted,
      thresholds,
      reference!.predictions.missing,
    );
  } else {
    const refPredicted = predictionValues(bundle, scoreInBlocks(bundle, ref!.table), ref!.table.numRows());
    prediction = evidentlyComparer('prediction', 'prediction', 'numerical', refPredicted, predicted, options.evidently);
  }

  // Target.
  const target =
    scores &&
    targetReport(bundle, table, cur.rows, scores, options, mode === 'evidently' ? options.reference : undefined);

  // Everything compared over all rows.
  const results = comparers.map((c) => c.compare());
  if (options.importance) for (const r of results) r.importance = options.importance[r.column];
  const predictionResult = prediction?.compare();
  const counted = [...results];
  if (mode === 'evidently') {
    if (predictionResult) counted.push(predictionResult);
    if (target?.drift) counted.push(target.drift);
  }
  const drifted = counted.filter((r) => r.drifted).length;
  const share = counted.length ? drifted / counted.length : 0;

  const columns = rankColumns(results, skipped, options.importance !== undefined);

  const report: DriftReport = {
    format: 'campaign-ml/drift',
    version: 1,
    mode,
    bundle: { id: doc.id, task: doc.task, createdAt: doc.createdAt },
    rows: {
      input: table.numRows(),
      compared: n,
      rejected: table.numRows() - n,
      reference: mode === 'robust' ? reference!.rows : ref!.table.numRows(),
    },
    problems: cur.problems.slice(0, 20),
    dataset: {
      drifted: counted.length > 0 && share >= driftShare,
      driftedColumns: drifted,
      columns: counted.length,
      share,
      driftShare,
    },
    columns,
    ...(predictionResult ? { prediction: predictionResult } : {}),
    ...(target ? { target } : {}),
    thresholds:
      mode === 'robust'
        ? { mode, pValue: thresholds.pValue, psi: options.thresholds === 'learned' ? 'learned' : thresholds.psi }
        : {
            mode,
            evidently: options.evidently?.stattest
              ? {
                  [options.evidently.stattest]:
                    options.evidently.threshold ?? EVIDENTLY_THRESHOLDS[options.evidently.stattest],
                }
              : { ...EVIDENTLY_THRESHOLDS },
          },
  };
  if (options.performance !== false) {
    const own = options.performance?.reference;
    const perfRef = own
      ? { raw: own, typed: options.typed ? asIs(own) : validator.table(own) }
      : ref && { raw: options.reference!, typed: ref };
    report.performance = performanceReport(bundle, table, cur, predicted, perfRef, options);
  }
  if (options.window)
    report.windows = windowReports(
      cur.table,
      options.window,
      comparers,
      prediction,
      options,
      ref?.table,
      driftShare,
      mode,
    );
  return report;
}

function skippedColumn(column: string, kind: Kind, reason: string): ColumnDrift {
  return {
    column,
    kind,
    test: 'none',
    statistic: NaN,
    pValue: null,
    effect: { name: 'none', value: NaN },
    score: NaN,
    threshold: {},
    drifted: false,
    rows: { reference: 0, current: 0 },
    missing: { reference: NaN, current: NaN },
    histogram: { labels: [], reference: [], current: [] },
    skipped: reason,
  };
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

function robustComparer(
  name: string,
  kind: Kind,
  col: ColumnSchema,
  r: ColumnReference,
  rows: number,
  table: ColumnTable,
  thresholds: RobustThresholds,
): Comparer {
  const bins = frozenBinsFor(kind as ColumnKind, col, r, rows);
  if (bins instanceof NumericBins)
    return binnedComparer(name, kind, bins, numericColumn(table, name), thresholds, r.missing, (t) =>
      numericColumn(t, name),
    );
  return binnedComparer(name, kind, bins, categoryColumn(table, name), thresholds, r.missing, (t) =>
    categoryColumn(t, name),
  );
}

/**
 * A column compared over frozen bins. The bin of every current row is found once; a window (a
 * subset of rows) then only adds up bin counts.
 */
function binnedComparer<V>(
  name: string,
  kind: Kind,
  bins: NumericBins | CategoricalBins,
  values: ArrayLike<V>,
  thresholds: RobustThresholds,
  referenceMissing: number,
  valuesOf?: (t: ColumnTable) => ArrayLike<V>,
): Comparer {
  const count = (vals: ArrayLike<V>) => (bins as { count(v: ArrayLike<V>): BinCounts }).count(vals);
  const subset = (vals: ArrayLike<V>, rows: Int32Array): V[] => Array.from(rows, (i) => vals[i]);
  const refTotal = bins.reference.reduce((a, b) => a + b, 0);
  const binsInUse = bins.reference.filter((c) => c > 0).length;
  return {
    column: name,
    kind,
    nullThreshold: (rows) => nullPsiThreshold(binsInUse, rows, refTotal),
    compare: (rows, learned) =>
      binnedColumnDrift(
        name,
        kind,
        bins,
        count(rows ? subset(values, rows) : values),
        thresholds,
        referenceMissing,
        learned,
      ),
    effectOf: valuesOf
      ? (t: ColumnTable, rows: Int32Array) =>
          robustTest(bins.reference, count(subset(valuesOf(t), rows)).counts, thresholds).effect.value
      : undefined,
  };
}

function columnValuesOf(table: ColumnTable, name: string, kind: Kind): Float64Array | (string | null)[] {
  return kind === 'categorical' ? categoryColumn(table, name) : numericColumn(table, name);
}

/** Non-missing values (finite numbers, non-null keys), optionally of a subset of rows. */
function present(values: Float64Array | (string | null)[], rows?: Int32Array): Values {
  if (values instanceof Float64Array) {
    const out = new Float64Array(rows ? rows.length : values.length);
    let k = 0;
    const m = rows ? rows.length : values.length;
    for (let i = 0; i < m; i++) {
      const v = values[rows ? rows[i] : i];
      if (v - v === 0) out[k++] = v;
    }
    return out.slice(0, k);
  }
  const out: string[] = [];
  const m = rows ? rows.length : values.length;
  for (let i = 0; i < m; i++) {
    const v = values[rows ? rows[i] : i];
    if (v !== null) out.push(v);
  }
  return out;
}

function evidentlyComparer(
  name: string,
  kind: Kind,
  evKind: 'numerical' | 'categorical',
  refValues: Float64Array | (string | null)[],
  curValues: Float64Array | (string | null)[],
  ev: DriftOptions['evidently'],
): Comparer {
  const refPresent = present(refValues);
  const refMissing = refValues.length ? 1 - refPresent.length / refValues.length : 0;
  return {
    column: name,
    kind,
    compare(rows) {
      const curPresent = present(curValues, rows);
      const total = rows ? rows.length : curValues.length;
      if (refPresent.length === 0 || curPresent.length === 0) {
        return skippedColumn(
          name,
          kind,
          refPresent.length === 0 ? 'no values in the reference rows' : 'no values in the current rows',
        );
      }
      const u = distinctCount(refPresent, curPresent);
      const test = ev?.stattest ?? evidentlyDefaultTest(evKind, refPresent.length, u);
      const t = evidentlyTest(test, evKind, refPresent, curPresent, ev?.threshold ?? EVIDENTLY_THRESHOLDS[test]);
      return {
        column: name,
        kind,
        ...t,
        rows: { reference: refValues.length, current: total },
        missing: { reference: round4(refMissing), current: total ? round4(1 - curPresent.length / total) : 0 },
        histogram: smallHistogram(refPresent, curPresent),
      };
    },
  };
}

/** Evidently-style small histograms: 10 equal-width bins over both sides' range, or the 12 most frequent values. */
function smallHistogram(ref: Values, cur: Values): ColumnDrift['histogram'] {
  if (ref instanceof Float64Array && cur instanceof Float64Array) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const a of [ref, cur])
      for (let i = 0; i < a.length; i++) {
        if (a[i] < lo) lo = a[i];
        if (a[i] > hi) hi = a[i];
      }
    const k = 10;
    const w = (hi - lo) / k || 1;
    const count = (a: Float64Array) => {
      const c = new Float64Array(k);
      for (let i = 0; i < a.length; i++) c[Math.min(k - 1, Math.floor((a[i] - lo) / w))]++;
      return c;
    };
    const labels = Array.from(
      { length: k },
      (_, i) => `${Number((lo + i * w).toPrecision(4))} - ${Number((lo + (i + 1) * w).toPrecision(4))}`,
    );
    return { labels, reference: shares(count(ref)), current: shares(count(cur)) };
  }
  const counts = new Map<string, [number, number]>();
  (ref as string[]).forEach((v) => ((counts.get(v) ?? counts.set(v, [0, 0]).get(v)!)[0] += 1));
  (cur as string[]).forEach((v) => ((counts.get(v) ?? counts.set(v, [0, 0]).get(v)!)[1] += 1));
  const sorted = [...counts.entries()].sort((a, b) => b[1][0] + b[1][1] - (a[1][0] + a[1][1]));
  const top = sorted.slice(0, 12);
  const rest = sorted.slice(12).reduce((acc, [, c]) => [acc[0] + c[0], acc[1] + c[1]], [0, 0]);
  const labels = top.map(([k]) => k);
  const r = top.map(([, c]) => c[0]);
  const c = top.map(([, x]) => x[1]);
  if (sorted.length > 12) {
    labels.push('(others)');
    r.push(rest[0]);
    c.push(rest[1]);
  }
  return { labels, reference: shares(r), current: shares(c) };
}

/** Rows scored per block by scoreInBlocks. */
const SCORE_BLOCK = 65_536;

/**
 * bundle.scoreTable over blocks of rows: the same scores (features and models work row by row),
 * but the feature matrix of one block at a time (64k rows x 107 features is 56 MB, where 1M rows
 * at once is 860 MB, allocated, zeroed and collected again).
 */
function scoreInBlocks(bundle: Bundle, table: ColumnTable): Float64Array {
  const n = table.numRows();
  if (n <= SCORE_BLOCK) return bundle.scoreTable(table);
  const names = table.columnNames();
  const columns = names.map((name) => columnArray(table, name));
  let out: Float64Array | undefined;
  for (let start = 0; start < n; start += SCORE_BLOCK) {
    const end = Math.min(n, start + SCORE_BLOCK);
    const block = aq.table(Object.fromEntries(names.map((name, i) => [name, sliceOf(columns[i], start, end)])), names);
    const scores = bundle.scoreTable(block);
    const width = scores.length / (end - start);
    out ??= new Float64Array(n * width);
    out.set(scores, start * width);
  }
  return out!;
}

function sliceOf(values: ArrayLike<unknown>, start: number, end: number): ArrayLike<unknown> {
  if (Array.isArray(values) || ArrayBuffer.isView(values))
    return (values as unknown as { slice(s: number, e: number): ArrayLike<unknown> }).slice(start, end);
  return Array.from({ length: end - start }, (_, i) => values[start + i]);
}

/** One number per row, as the reference's prediction distribution keeps it. */
function predictionValues(bundle: Bundle, scores: Float64Array, rows: number): Float64Array {
  if (bundle.task === 'regression') return scores;
  const k = bundle.classes!.length;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    if (k === 2) out[r] = scores[r * 2 + 1];
    else {
      let best = scores[r * k];
      for (let c = 1; c < k; c++) best = Math.max(best, scores[r * k + c]);
      out[r] = best;
    }
  }
  return out;
}

/** Caller-supplied model outputs for the input rows, restricted to the rows that were compared. */
function alignedScores(given: ArrayLike<number>, inputRows: number, kept: Int32Array, bundle: Bundle): Float64Array {
  const width = bundle.task === 'regression' ? 1 : bundle.classes!.length;
  if (given.length !== inputRows * width) {
    throw new InputError(
      'LENGTH_MISMATCH',
      `options.predictions has ${given.length} values; expected ${inputRows * width} (${inputRows} rows x ${width} ${width === 1 ? 'value' : 'class probabilities'}, as bundle.scoreTable returns)`,
      {
        value: given.length,
        expected: String(inputRows * width),
      },
    );
  }
  const out = new Float64Array(kept.length * width);
  for (let i = 0; i < kept.length; i++) for (let c = 0; c < width; c++) out[i * width + c] = given[kept[i] * width + c];
  return out;
}

function targetReport(
  bundle: Bundle,
  table: ColumnTable,
  kept: Int32Array,
  scores: Float64Array,
  options: DriftOptions,
  reference: ColumnTable | undefined,
): TargetReport | undefined {
  const doc = bundle.document;
  const name = doc.target.column;
  if (!table.columnNames().includes(name)) return undefined;
  const raw = table.array(name) as ArrayLike<unknown>;
  const classes = bundle.classes;
  const width = classes ? classes.length : 1;
  const index = new Map((classes ?? []).map((c, i) => [c, i]));
  const labelOf = (v: unknown): number => {
    if (v === null || v === undefined || v === '') return NaN;
    if (!classes) return typeof v === 'number' ? v : Number(v);
    return index.get(String(v)) ?? NaN;
  };
  const ys: number[] = [];
  const at: number[] = [];
  let unknown = 0;
  for (let i = 0; i < kept.length; i++) {
    const y = labelOf(raw[kept[i]]);
    if (Number.isFinite(y)) {
      ys.push(y);
      at.push(i);
    } else if (raw[kept[i]] !== null && raw[kept[i]] !== undefined) unknown++;
  }
  if (ys.length === 0) return { column: name, rows: 0, unknownLabels: unknown, metrics: {} };
  const y = Float64Array.from(ys);
  const s = new Float64Array(at.length * width);
  at.forEach((row, i) => {
    for (let c = 0; c < width; c++) s[i * width + c] = scores[row * width + c];
  });
  const metrics = options.metrics
    ? options.metrics(y, s)
    : targetMetrics(bundle.task, y, s, width, bundle.threshold ?? 0.5);
  const test = (doc.metrics as { test?: Record<string, number> }).test;
  const referenceMetrics =
    test && typeof test === 'object'
      ? Object.fromEntries(Object.entries(test).filter(([k, v]) => typeof v === 'number' && k in metrics))
      : undefined;
  const change = referenceMetrics
    ? Object.fromEntries(Object.entries(referenceMetrics).map(([k, v]) => [k, metrics[k] - v]))
    : undefined;
  const out: TargetReport = {
    column: name,
    rows: ys.length,
    unknownLabels: unknown,
    metrics,
    ...(referenceMetrics ? { referenceMetrics, change } : {}),
  };
  if (classes) {
    const counts = new Array<number>(classes.length).fill(0);
    for (const v of ys) counts[v]++;
    out.shares = Object.fromEntries(classes.map((c, i) => [c, round4(counts[i] / ys.length)]));
  }
  if (reference && reference.columnNames().includes(name)) {
    const refRaw = reference.array(name) as ArrayLike<unknown>;
    const kind = classes ? 'categorical' : 'numerical';
    const toValues = (vals: ArrayLike<unknown>) =>
      classes
        ? Array.from(vals, (v) => (v === null || v === undefined ? null : String(v)))
        : Float64Array.from(vals as ArrayLike<number>, (v) => labelOf(v));
    out.drift = evidentlyComparer(
      name,
      'target',
      kind,
      toValues(refRaw),
      toValues(Array.from(kept, (i) => raw[i])),
      options.evidently,
    ).compare();
  }
  return out;
}

/** Labels of the rows as class indices (NaN when missing or not a known class). */
function labelsOf(bundle: Bundle, table: ColumnTable, rows: ArrayLike<number>): Float64Array {
  const raw = table.array(bundle.document.target.column) as ArrayLike<unknown>;
  const index = new Map((bundle.classes ?? []).map((c, i) => [c, i]));
  return Float64Array.from({ length: rows.length }, (_, i) => {
    const v = raw[rows[i]];
    return v === null || v === undefined ? NaN : (index.get(String(v)) ?? NaN);
  });
}

/**
 * CBPE on the compared rows (binary bundles): the labelled reference is options.reference when
 * it carries the target column (scored here), else the bundle's test-set metrics are shown
 * unchecked; labels in the current rows give the realised metrics beside the estimates.
 */
function performanceReport(
  bundle: Bundle,
  table: ColumnTable,
  cur: { table: ColumnTable; rows: Int32Array },
  predicted: Float64Array | undefined,
  reference: { raw: ColumnTable; typed: { table: ColumnTable; rows: Int32Array } } | undefined,
  options: DriftOptions,
): PerformanceReport {
  const doc = bundle.document;
  const not = (reason: string): PerformanceReport => ({ method: 'cbpe', status: 'not estimated', reason });
  if (doc.task !== 'binary')
    return not(
      `CBPE estimates from the calibrated probability of one positive class: this bundle is ${doc.task === 'regression' ? 'a regression' : 'a multiclass classifier'}`,
    );
  if (!predicted) return not('the rows were not scored (predictions: false)');
  const target = doc.target.column;
  const labelled = table.columnNames().includes(target) ? labelsOf(bundle, table, cur.rows) : undefined;
  let ref: { probabilities: Float64Array; labels: Float64Array } | undefined;
  // The typed reference keeps the inputs only: labels come from the raw rows it kept.
  if (reference && reference.raw.columnNames().includes(target)) {
    const kept = reference.typed.rows;
    const y = labelsOf(bundle, reference.raw, kept);
    const scores = predictionValues(bundle, scoreInBlocks(bundle, reference.typed.table), kept.length);
    const keep = Int32Array.from({ length: kept.length }, (_, i) => i).filter((i) => y[i] === 0 || y[i] === 1);
    ref = { probabilities: Float64Array.from(keep, (i) => scores[i]), labels: Float64Array.from(keep, (i) => y[i]) };
  }
  // Without labelled rows: the summary of the test split training kept in the bundle, if any.
  const testSplit = ref ? undefined : summaryFromBundle(doc.reference?.performance, bundle.threshold ?? 0.5);
  const test = (doc.metrics as { test?: Record<string, unknown> }).test ?? {};
  const referenceMetrics: Partial<PerformanceValues> = {};
  for (const m of PERFORMANCE_METRICS) if (typeof test[m] === 'number') referenceMetrics[m] = test[m] as number;
  const settings = options.performance || {};
  const estimate = estimatePerformance(predicted, {
    threshold: bundle.threshold ?? 0.5,
    ...(ref ? { reference: ref } : testSplit ? { referenceSummary: testSplit } : { referenceMetrics }),
    ...(labelled ? { labels: labelled } : {}),
    ...(options.window ? { windows: splitWindows(cur.table, options.window).windows } : {}),
    ...(settings.referenceChunks !== undefined ? { referenceChunks: settings.referenceChunks } : {}),
    ...(settings.tolerance !== undefined ? { tolerance: settings.tolerance } : {}),
  });
  if (bundle.groupThresholds)
    estimate.warnings.push(
      `the bundle predicts with a threshold per "${bundle.groupThresholds.column}" group; CBPE used the single threshold ${bundle.threshold ?? 0.5}`,
    );
  if (reference && !ref)
    estimate.warnings.push(
      `the reference rows carry no "${target}" column: give labelled held-out rows to check calibration and get bounds`,
    );
  return estimate;
}

function windowReports(
  table: ColumnTable,
  spec: WindowOptions,
  comparers: Comparer[],
  prediction: Comparer | undefined,
  options: DriftOptions,
  reference: ColumnTable | undefined,
  driftShare: number,
  mode: 'robust' | 'evidently',
): WindowReport[] {
  const { windows } = splitWindows(table, spec);
  const learned = options.thresholds === 'learned';
  // Learned thresholds: mean + 3 sd of each column's PSI over reference windows of the same kind
  // (what the column does from period to period: seasons, dates), but never below mean + 3 sd of
  // PSI under pure sampling noise at the window's size (nullPsiThreshold). The floor matters: a
  // few reference windows underestimate the sd, and windows cut from the rows the reference was
  // computed on sit closer to it than new rows can (NannyML's reference chunks, nannyml#426).
  const refWindows = learned && reference ? splitWindows(reference, spec).windows : undefined;
  const learnedFromReference = new Map<string, number>();
  if (refWindows) {
    for (const c of comparers) {
      if (!c.effectOf) continue;
      learnedFromReference.set(c.column, meanPlus3Sd(refWindows.map((w) => c.effectOf!(reference!, w.rows))));
    }
  }
  const thresholdFor = (c: Comparer, rows: number): number | undefined => {
    if (!learned) return undefined;
    return Math.max(learnedFromReference.get(c.column) ?? 0, c.nullThreshold?.(rows) ?? 0);
  };
  return windows.map((w) => {
    const cols: WindowReport['columns'] = {};
    let drifted = 0;
    let counted = 0;
    for (const c of comparers) {
      const r = c.compare(w.rows, thresholdFor(c, w.rows.length));
      if (r.skipped) continue;
      counted++;
      if (r.drifted) drifted++;
      cols[c.column] = {
        score: r.score,
        pValue: r.pValue,
        threshold: r.threshold.effect ?? r.threshold.pValue ?? NaN,
        drifted: r.drifted,
      };
    }
    const p = prediction?.compare(w.rows, thresholdFor(prediction, w.rows.length));
    const pred = p && {
      score: p.score,
      pValue: p.pValue,
      threshold: p.threshold.effect ?? p.threshold.pValue ?? NaN,
      drifted: p.drifted,
    };
    if (p && mode === 'evidently') {
      counted++;
      if (p.drifted) drifted++;
    }
    const share = counted ? drifted / counted : 0;
    return {
      label: w.label,
      ...(w.start ? { start: w.start } : {}),
      rows: w.rows.length,
      dataset: { drifted: counted > 0 && share >= driftShare, driftedColumns: drifted, columns: counted, share },
      columns: cols,
      ...(pred ? { prediction: pred } : {}),
    };
  });
}
