import type { PerformanceReference } from '@campaign-ml/bundle';
import { InputError } from '@campaign-ml/core';
import { rocAuc } from './target-metrics';

/**
 * Performance without labels: NannyML's confidence-based performance estimation (CBPE) for a
 * binary classifier whose probabilities are calibrated. If P(y = 1 | p) = p, a row predicted
 * positive (p >= threshold) is a true positive with probability p and a false positive with
 * probability 1 - p; a row predicted negative is a false negative with probability p and a true
 * negative with probability 1 - p. Summing gives the expected confusion matrix, and from it the
 * metrics (NannyML `performance_estimation/confidence_based/metrics.py`). ROC AUC is the area
 * under the expected ROC curve: rows sorted by p, expected TPR = cumulative p / sum p, expected
 * FPR = cumulative (1 - p) / sum (1 - p).
 *
 * It holds under covariate shift (the inputs move, P(y | x) stays); it cannot see concept drift
 * (the same inputs now lead to other outcomes), and it is only as good as the calibration, which
 * is why the labelled reference is checked first (see `calibration`).
 */

export const PERFORMANCE_METRICS = ['accuracy', 'precision', 'recall', 'f1Score', 'rocAuc'] as const;
export type PerformanceMetric = (typeof PERFORMANCE_METRICS)[number];
export type PerformanceValues = Record<PerformanceMetric, number>;

/** Counts (realised) or expected counts (estimated) of the confusion matrix. */
export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface PerformanceEstimateOptions {
  /** Predicted positive when p >= threshold (the bundle's threshold). Default 0.5. */
  threshold?: number;
  /**
   * Labelled reference rows, held out from training (the test part): their probabilities and
   * labels (0/1). They give the realised metrics, the bounds, and the calibration check. Without
   * them the estimates are given unchecked, with a warning.
   */
  reference?: { probabilities: ArrayLike<number>; labels: ArrayLike<number> };
  /** Or the reference already summarized (a bundle's `reference.performance`, from its test split). */
  referenceSummary?: PerformanceReferenceSummary;
  /** Labels (0/1, NaN when unknown) of the current rows: the realised metrics beside the estimates. */
  labels?: ArrayLike<number>;
  /** Windows of the current rows (indices), each estimated on its own. */
  windows?: readonly { label: string; rows: Int32Array; start?: string }[];
  /** Consecutive chunks the reference is cut into for the bounds (NannyML's default: 10). */
  referenceChunks?: number;
  /** Smallest gap between estimated and realised reference metrics that can fail the calibration check. Default 0.01. */
  tolerance?: number;
  /** Realised metrics to show when no labelled reference is given (e.g. the bundle's test-set metrics). */
  referenceMetrics?: Partial<PerformanceValues>;
  /**
   * The expected confusion matrix and ROC AUC already summed (a live window's counters, see
   * expectedFromCounts): `probabilities` is then ignored (pass []), and so are `windows` and `labels`.
   */
  sums?: ExpectedSums;
}

/** What CBPE needs of rows, summed: their number, the expected confusion matrix and the expected ROC AUC. */
export interface ExpectedSums {
  rows: number;
  confusion: Confusion;
  rocAuc: number;
}

/**
 * ExpectedSums from counters a window can keep in fixed memory: rows and sum of p on each side of
 * the threshold (the confusion matrix is then exact) and, per bin of p in increasing order, rows and
 * sum of p. ROC AUC comes from the bins with the rows of a bin counted as tied, so it is close to
 * expectedRocAuc but not equal: pairs inside one bin count half whatever their order.
 */
export function expectedFromCounts(
  positive: { rows: number; sumP: number },
  negative: { rows: number; sumP: number },
  bins: readonly { rows: number; sumP: number }[],
): ExpectedSums {
  const confusion: Confusion = {
    tp: positive.sumP,
    fp: positive.rows - positive.sumP,
    fn: negative.sumP,
    tn: negative.rows - negative.sumP,
  };
  let P = 0;
  let N = 0;
  for (const b of bins) {
    P += b.sumP;
    N += b.rows - b.sumP;
  }
  let auc = NaN;
  if (P > 0 && N > 0) {
    auc = 0;
    let tp = 0;
    for (let i = bins.length - 1; i >= 0; i--) {
      const dtp = bins[i].sumP;
      const dfp = bins[i].rows - bins[i].sumP;
      auc += (dfp / N) * ((2 * tp + dtp) / P / 2);
      tp += dtp;
    }
  }
  return { rows: positive.rows + negative.rows, confusion, rocAuc: auc };
}

export interface PerformanceWindow {
  label: string;
  start?: string;
  rows: number;
  /** Expected confusion matrix. */
  confusion: Confusion;
  estimated: PerformanceValues;
  /** Reference realised value ± 3 sd over reference chunks x sqrt(chunk rows / window rows + 1 / chunks). */
  bounds?: Record<PerformanceMetric, { lower: number; upper: number }>;
  /** Metrics whose estimate left the bounds (only when the calibration check passed). */
  alerts: PerformanceMetric[];
  /** Rows of the window with a label, and the realised metrics on them. */
  labelled?: number;
  realised?: PerformanceValues;
}

export interface CalibrationCheck {
  checked: boolean;
  /** null when not checked (no labelled reference). */
  calibrated: boolean | null;
  rule: string;
  /** Expected calibration error on the reference (10 equal-count bins of p). */
  ece?: number;
  /** On the reference: CBPE's estimate, the realised value, |gap| and the largest gap allowed, per metric. */
  metrics?: Record<PerformanceMetric, { estimated: number; realised: number; gap: number; tolerance: number }>;
  /** The metrics whose gap exceeded the tolerance. */
  failed?: PerformanceMetric[];
}

export interface PerformanceEstimate {
  method: 'cbpe';
  /** 'estimated'; 'miscalibrated': estimates given but not trusted (no alerts); 'not estimated' with `reason`. */
  status: 'estimated' | 'miscalibrated';
  threshold: number;
  calibration: CalibrationCheck;
  reference?: {
    rows: number;
    chunks: number;
    chunkRows: number;
    /** Realised metrics on the whole labelled reference (or the bundle's test-set metrics, `source: 'bundle'`). */
    realised: Partial<PerformanceValues>;
    /** Population sd of each realised metric over the reference chunks. */
    chunkSd?: PerformanceValues;
    /** rows: given labelled rows; test split: the bundle's summary of its test split; bundle: its test metrics only (unchecked). */
    source: 'rows' | 'test split' | 'bundle';
  };
  overall: PerformanceWindow;
  windows?: PerformanceWindow[];
  /** True when any metric of the overall estimate or of a window left its bounds. */
  alert: boolean;
  warnings: string[];
}

export interface PerformanceNotEstimated {
  method: 'cbpe';
  status: 'not estimated';
  reason: string;
}

export type PerformanceReport = PerformanceEstimate | PerformanceNotEstimated;

/** The expected confusion matrix of calibrated probabilities at a threshold (p >= threshold is positive). */
export function expectedConfusion(probabilities: ArrayLike<number>, threshold = 0.5, rows?: Int32Array): Confusion {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  const m = rows ? rows.length : probabilities.length;
  for (let k = 0; k < m; k++) {
    const p = probabilities[rows ? rows[k] : k];
    if (p >= threshold) {
      tp += p;
      fp += 1 - p;
    } else {
      fn += p;
      tn += 1 - p;
    }
  }
  return { tp, fp, fn, tn };
}

/**
 * Area under the expected ROC curve: rows by decreasing p (ties as one step), expected TPR =
 * cumulative p / sum p, FPR = cumulative (1 - p) / sum (1 - p), trapezoids. Equal to
 * [sum over pairs i ranked above j of p_i (1 - p_j) + half of the tied pairs (i = j included)] / (P N).
 */
export function expectedRocAuc(probabilities: ArrayLike<number>, rows?: Int32Array): number {
  const p = rows ? Float64Array.from(rows, (i) => probabilities[i]) : Float64Array.from(probabilities);
  p.sort();
  let P = 0;
  let N = 0;
  for (let i = 0; i < p.length; i++) {
    P += p[i];
    N += 1 - p[i];
  }
  if (!(P > 0) || !(N > 0)) return NaN;
  let tp = 0;
  let area = 0;
  for (let i = p.length - 1; i >= 0;) {
    let j = i;
    let dtp = 0;
    let dfp = 0;
    while (j >= 0 && p[j] === p[i]) {
      dtp += p[j];
      dfp += 1 - p[j];
      j--;
    }
    area += (dfp / N) * ((tp + tp + dtp) / P / 2);
    tp += dtp;
    i = j;
  }
  return area;
}

function metricsOf(c: Confusion, auc: number): PerformanceValues {
  const n = c.tp + c.fp + c.fn + c.tn;
  const precision = c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : 0;
  const recall = c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : 0;
  const f1 = 2 * c.tp + c.fp + c.fn > 0 ? (2 * c.tp) / (2 * c.tp + c.fp + c.fn) : 0;
  return { accuracy: n > 0 ? (c.tp + c.tn) / n : NaN, precision, recall, f1Score: f1, rocAuc: auc };
}

/** CBPE's metrics for rows (all, or a subset). */
function estimatedOf(p: ArrayLike<number>, threshold: number, rows?: Int32Array) {
  const confusion = expectedConfusion(p, threshold, rows);
  return { confusion, estimated: metricsOf(confusion, expectedRocAuc(p, rows)) };
}

/** Realised metrics on the rows (all, or a subset) whose label is 0 or 1. */
function realisedOf(
  p: ArrayLike<number>,
  y: ArrayLike<number>,
  threshold: number,
  rows?: Int32Array,
): { labelled: number; realised: PerformanceValues } {
  const c: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const m = rows ? rows.length : p.length;
  const ys: number[] = [];
  const ps: number[] = [];
  for (let k = 0; k < m; k++) {
    const i = rows ? rows[k] : k;
    const label = y[i];
    if (label !== 0 && label !== 1) continue;
    const pos = p[i] >= threshold;
    if (pos && label === 1) c.tp++;
    else if (pos) c.fp++;
    else if (label === 1) c.fn++;
    else c.tn++;
    ys.push(label);
    ps.push(p[i]);
  }
  return { labelled: ys.length, realised: metricsOf(c, rocAuc(ys, Float64Array.from(ps))) };
}

/** Expected calibration error over `bins` equal-count bins of p (sorted). */
function expectedCalibrationError(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): number {
  const order = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  const n = order.length;
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const s = Math.floor((b * n) / bins);
    const e = Math.floor(((b + 1) * n) / bins);
    if (e <= s) continue;
    let sp = 0;
    let sy = 0;
    for (let k = s; k < e; k++) {
      sp += p[order[k]];
      sy += y[order[k]];
    }
    ece += Math.abs(sp - sy) / n;
  }
  return ece;
}

const ROUND = 1e6;
const r6 = (x: number) => (Number.isFinite(x) ? Math.round(x * ROUND) / ROUND : x);
const roundValues = (v: PerformanceValues): PerformanceValues =>
  Object.fromEntries(PERFORMANCE_METRICS.map((m) => [m, r6(v[m])])) as PerformanceValues;
const roundConfusion = (c: Confusion): Confusion => ({ tp: r6(c.tp), fp: r6(c.fp), fn: r6(c.fn), tn: r6(c.tn) });

export const CALIBRATION_RULE =
  'calibrated when, on the labelled reference, every metric estimated by CBPE is within max(tolerance, 3 sd / sqrt(chunks)) of the realised one (sd: of the realised metric over the reference chunks, i.e. 3 standard errors of the whole reference)';

function checkProbabilities(p: ArrayLike<number>, what: string): void {
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    if (!(v >= 0 && v <= 1))
      throw new InputError('INVALID_PROBABILITY', `${what}: row ${i} has ${v}, not a probability in [0, 1]`, {
        row: i,
        value: v,
        expected: 'a number in [0, 1]',
      });
  }
}

/**
 * What CBPE keeps of a labelled reference: the realised metrics, their sd over consecutive chunks
 * (the bounds) and the calibration check, at one threshold. Small (a few dozen numbers), so
 * training stores the test split's in the bundle (`reference.performance`) and drift needs no rows.
 */
export interface PerformanceReferenceSummary {
  method: 'cbpe';
  threshold: number;
  rows: number;
  chunks: number;
  realised: PerformanceValues;
  chunkSd: PerformanceValues;
  calibration: CalibrationCheck;
}

/** The labelled reference's summary (see PerformanceReferenceSummary); checks probabilities, labels and size. */
export function summarizePerformanceReference(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: { threshold?: number; referenceChunks?: number; tolerance?: number } = {},
): PerformanceReferenceSummary {
  const threshold = options.threshold ?? 0.5;
  const chunks = options.referenceChunks ?? 10;
  const tolerance = options.tolerance ?? 0.01;
  const rp = probabilities;
  const ry = labels;
  if (!(chunks >= 2) || !Number.isInteger(chunks))
    throw new InputError('INVALID_OPTION', `referenceChunks must be an integer >= 2, got ${chunks}`, {
      value: chunks,
      expected: 'e.g. 10',
    });
  if (rp.length !== ry.length)
    throw new InputError(
      'LENGTH_MISMATCH',
      `reference has ${rp.length} probabilities and ${ry.length} labels; give one label per row`,
      { value: ry.length, expected: String(rp.length) },
    );
  checkProbabilities(rp, 'reference probabilities');
  for (let i = 0; i < ry.length; i++)
    if (ry[i] !== 0 && ry[i] !== 1)
      throw new InputError('INVALID_LABEL', `reference labels: row ${i} has ${ry[i]}, expected 0 or 1`, {
        row: i,
        value: ry[i],
        expected: '0 or 1',
      });
  if (rp.length < chunks * 10)
    throw new InputError(
      'TOO_FEW_ROWS',
      `the labelled reference has ${rp.length} rows: CBPE's bounds need at least ${chunks * 10} (${chunks} chunks of 10)`,
      { value: rp.length, expected: `>= ${chunks * 10} rows` },
    );
  const n = rp.length;
  const chunkRows = n / chunks;
  const perChunk: PerformanceValues[] = [];
  for (let c = 0; c < chunks; c++) {
    const s = Math.floor(c * chunkRows);
    const e = Math.floor((c + 1) * chunkRows);
    perChunk.push(
      realisedOf(
        rp,
        ry,
        threshold,
        Int32Array.from({ length: e - s }, (_, k) => s + k),
      ).realised,
    );
  }
  const chunkSd = Object.fromEntries(
    PERFORMANCE_METRICS.map((m) => [m, sd(perChunk.map((v) => v[m]))]),
  ) as PerformanceValues;
  const realised = realisedOf(rp, ry, threshold).realised;
  const estimated = estimatedOf(rp, threshold).estimated;
  const metrics = {} as NonNullable<CalibrationCheck['metrics']>;
  const failed: PerformanceMetric[] = [];
  for (const m of PERFORMANCE_METRICS) {
    const gap = Math.abs(estimated[m] - realised[m]);
    const allowed = Math.max(tolerance, (3 * chunkSd[m]) / Math.sqrt(chunks));
    metrics[m] = { estimated: r6(estimated[m]), realised: r6(realised[m]), gap: r6(gap), tolerance: r6(allowed) };
    if (!(gap <= allowed) && Number.isFinite(realised[m])) failed.push(m);
  }
  return {
    method: 'cbpe',
    threshold,
    rows: n,
    chunks,
    realised: roundValues(realised),
    chunkSd: roundValues(chunkSd),
    calibration: {
      checked: true,
      calibrated: failed.length === 0,
      rule: CALIBRATION_RULE,
      ece: r6(expectedCalibrationError(rp, ry)),
      metrics,
      failed,
    },
  };
}

/**
 * CBPE for the current rows (and each window), with the labelled reference's realised metrics,
 * bounds (realised ± 3 sd over reference chunks, NannyML's thresholds, scaled by sqrt(chunk rows /
 * window rows + 1 / chunks): one reference serves windows of any size, and the reference value's own
 * sampling error counts) and a calibration check. An
 * estimate outside its bounds is an alert, unless the check failed: then `status` is
 * 'miscalibrated', the estimates stay in the report for reading, and no alert is raised from them.
 */
export function estimatePerformance(
  probabilities: ArrayLike<number>,
  options: PerformanceEstimateOptions = {},
): PerformanceEstimate {
  const threshold = options.threshold ?? 0.5;
  const tolerance = options.tolerance ?? 0.01;
  const chunks = options.referenceChunks ?? 10;
  if (!(chunks >= 2) || !Number.isInteger(chunks))
    throw new InputError('INVALID_OPTION', `referenceChunks must be an integer >= 2, got ${chunks}`, {
      value: chunks,
      expected: 'e.g. 10',
    });
  const sums = options.sums;
  checkProbabilities(probabilities, 'probabilities');
  if (!sums && probabilities.length === 0)
    throw new InputError('EMPTY_INPUT', 'no probabilities to estimate performance from');
  if (options.labels && options.labels.length !== probabilities.length)
    throw new InputError(
      'LENGTH_MISMATCH',
      `labels has ${options.labels.length} values for ${probabilities.length} probabilities`,
      { value: options.labels.length, expected: String(probabilities.length) },
    );
  const warnings: string[] = [];
  let calibration: CalibrationCheck;
  let reference: PerformanceEstimate['reference'];
  let chunkSd: PerformanceValues | undefined;
  let chunkRows = 0;

  const summary = options.reference
    ? summarizePerformanceReference(options.reference.probabilities, options.reference.labels, {
        threshold,
        referenceChunks: chunks,
        tolerance,
      })
    : options.referenceSummary;
  if (summary) {
    if (summary.threshold !== threshold)
      throw new InputError(
        'THRESHOLD_MISMATCH',
        `the reference summary was computed at threshold ${summary.threshold}, the estimate is asked at ${threshold}`,
        { value: threshold, expected: String(summary.threshold) },
      );
    calibration = summary.calibration;
    chunkSd = summary.chunkSd;
    chunkRows = summary.rows / summary.chunks;
    const { metrics, failed } = calibration;
    if (failed!.length)
      warnings.push(
        `the model's probabilities are not calibrated enough for CBPE: on the labelled reference, ${failed!
          .map((m) => `${m} is estimated ${fmt(metrics![m].estimated)} but is ${fmt(metrics![m].realised)}`)
          .join(
            '; ',
          )} (gap above ${failed!.map((m) => fmt(metrics![m].tolerance)).join(', ')}). The estimates are shown but raise no alert; calibrate the model (e.g. isotonic or Platt on held-out rows) or check that the reference rows were held out from training.`,
      );
    reference = {
      rows: summary.rows,
      chunks: summary.chunks,
      chunkRows: Math.round(chunkRows),
      realised: summary.realised,
      chunkSd: summary.chunkSd,
      source: options.reference ? 'rows' : 'test split',
    };
  } else {
    calibration = {
      checked: false,
      calibrated: null,
      rule: `${CALIBRATION_RULE}; not checked: no labelled reference rows`,
    };
    warnings.push(
      'no labelled reference rows: the calibration of the probabilities was not checked and the estimates have no bounds; they assume calibrated probabilities. Give held-out labelled rows (e.g. the test part) as the reference.',
    );
    if (options.referenceMetrics)
      reference = { rows: 0, chunks: 0, chunkRows: 0, realised: { ...options.referenceMetrics }, source: 'bundle' };
  }
  const trusted = calibration.calibrated === true;

  const windowOf = (label: string, rows: Int32Array | undefined, start?: string): PerformanceWindow => {
    const count = sums && !rows ? sums.rows : rows ? rows.length : probabilities.length;
    const { confusion, estimated } =
      sums && !rows
        ? { confusion: sums.confusion, estimated: metricsOf(sums.confusion, sums.rocAuc) }
        : estimatedOf(probabilities, threshold, rows);
    const w: PerformanceWindow = {
      label,
      ...(start ? { start } : {}),
      rows: count,
      confusion: roundConfusion(confusion),
      estimated: roundValues(estimated),
      alerts: [],
    };
    if (chunkSd && reference) {
      // Realised performance of a window of `count` rows varies with sd sigma sqrt(chunkRows / count);
      // the reference value it is compared with is itself a sample of chunks x chunkRows rows, with
      // sd sigma sqrt(1 / chunks). Both count: without the second, a large window gets bounds
      // narrower than the reference value is known (a 400-row test split, 2,000 new rows).
      const scale = Math.sqrt(chunkRows / count + chunkRows / reference.rows);
      const bounds = {} as NonNullable<PerformanceWindow['bounds']>;
      for (const m of PERFORMANCE_METRICS) {
        const centre = reference.realised[m]!;
        const half = 3 * chunkSd[m] * scale;
        bounds[m] = { lower: r6(Math.max(0, centre - half)), upper: r6(Math.min(1, centre + half)) };
        const e = estimated[m];
        if (trusted && Number.isFinite(e) && (e < centre - half || e > centre + half)) w.alerts.push(m);
      }
      w.bounds = bounds;
    }
    if (options.labels && !sums) {
      const { labelled, realised } = realisedOf(probabilities, options.labels, threshold, rows);
      if (labelled > 0) {
        w.labelled = labelled;
        w.realised = roundValues(realised);
      }
    }
    return w;
  };

  const overall = windowOf('all rows', undefined);
  const windows = sums ? undefined : options.windows?.map((w) => windowOf(w.label, w.rows, w.start));
  const alert = overall.alerts.length > 0 || (windows ?? []).some((w) => w.alerts.length > 0);
  return {
    method: 'cbpe',
    status: calibration.calibrated === false ? 'miscalibrated' : 'estimated',
    threshold,
    calibration,
    ...(reference ? { reference } : {}),
    overall,
    ...(windows ? { windows } : {}),
    alert,
    warnings,
  };
}

function sd(values: number[]): number {
  const f = values.filter(Number.isFinite);
  if (f.length === 0) return NaN;
  const mean = f.reduce((a, b) => a + b, 0) / f.length;
  return Math.sqrt(f.reduce((a, b) => a + (b - mean) ** 2, 0) / f.length);
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(3))) : String(x);
}

/** The bundle's CBPE summary when it is whole and at the bundle's threshold (else the estimate runs unchecked). */
export function summaryFromBundle(
  p: PerformanceReference | undefined,
  threshold: number,
): PerformanceReferenceSummary | undefined {
  if (!p || p.method !== 'cbpe' || p.threshold !== threshold || !p.calibration?.checked) return undefined;
  const whole = (r: Record<string, number> | undefined) => PERFORMANCE_METRICS.every((m) => typeof r?.[m] === 'number');
  return whole(p.realised) && whole(p.chunkSd) && p.rows > 0 && p.chunks >= 2
    ? (p as unknown as PerformanceReferenceSummary)
    : undefined;
}
