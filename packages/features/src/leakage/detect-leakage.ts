import type { ColumnTable } from 'arquero';
import { InputError, type Task, isTask, describeValue } from '@campaign-ml/core';
import {
  type EncodedTarget,
  averageRanks,
  correlation,
  oneVsRestAucs,
  outOfFoldEncoding,
  rSquared,
} from './separability';

/** Why a column was flagged. */
export type LeakageKind =
  'target-copy' | 'category-map' | 'ratio' | 'proxy' | 'after-event' | 'target-name' | 'derived';

export interface LeakageFinding {
  column: string;
  /** A sentence a person can check, naming the evidence. Several reasons are joined by "; ". */
  reason: string;
  /**
   * The measure behind the strongest finding: ROC AUC (classification) or R² (regression) for
   * data checks, the share of rows after the event time for time checks, the column's own
   * single-feature score for name rules.
   */
  score: number;
  /** Every rule that fired, strongest first. */
  kinds: LeakageKind[];
  /**
   * `leak`: the column explains the outcome; drop it. `warning`: it only separates a rare class
   * (under `minClassShare` of the rows, often an artefact of when the data was pulled, such as the
   * newest rows still `live`); reported, not dropped. `dropLeaks` drops only `leak` findings.
   */
  severity: LeakageSeverity;
  /** Multiclass: the class that drove the strongest class-based reason, with its share of rows. */
  drivenBy?: { class: string; share: number };
  /**
   * Multiclass: the column's one-vs-rest score for every class (direction-free ROC AUC) with the
   * class's share of rows, and `weighted`, their mean weighted by support.
   */
  perClass?: { class: string; share: number; score: number }[];
  weighted?: number;
}

export type LeakageSeverity = 'leak' | 'warning';

export interface LeakageOptions {
  /** The column to predict. */
  target: string;
  task: Task;
  /**
   * The time the outcome is decided (e.g. a campaign's `deadline`). Datetime columns at or after
   * it in most rows are flagged. Without it, the latest timestamp column is checked instead.
   */
  timeColumn?: string;
  /** Binary: the target value that counts as positive (default: the second in sorted order). */
  positive?: unknown;
  /** A single feature scoring at least this flags the column (AUC / R², default 0.98). */
  threshold?: number;
  /** Rank correlation with a flagged column that marks a proxy (default 0.9). */
  proxyCorrelation?: number;
  /** Columns not to check (identifiers you already drop, weights...). */
  ignore?: readonly string[];
  /**
   * Multiclass: a class holding less than this share of the rows cannot alone make a column a
   * leak; a column that separates only such a class (and not the classes weighted by support) is
   * a `warning`. Default 0.02.
   */
  minClassShare?: number;
}

type Kind = 'numeric' | 'datetime' | 'boolean' | 'category';

interface Col {
  name: string;
  kind: Kind;
  /** numeric view: numbers, Date as ms, booleans as 0/1; NaN = missing. Category: NaN. */
  num: Float64Array;
  /** category codes (boolean, category); -1 never occurs: missing has its own code. */
  codes?: Int32Array;
  nCodes: number;
  score: number;
  ranks?: Float64Array;
}

/** Names like "changed", "updated": a timestamp recording what happened after the start. */
const AFTER_WORDS =
  /(changed|updated|modified|closed|resolved|completed|finished|ended|settled|outcome|result|final|paid|converted|responded)/i;
/** A column this strong alone (AUC; R² for regression) is checked in ratios and as a proxy. */
const MIN_STRONG = 0.75;
const MIN_STRONG_R2 = 0.5;
const TIME_SHARE = 0.9;
/** Ratio screening: rows in the subsample, and how far below the threshold a ratio may score there. */
const SCREEN_ROWS = 3000;
const SCREEN_MARGIN = 0.05;

/** Share of rows per class. */
function classShares(t: EncodedTarget): Float64Array {
  const share = new Float64Array(t.classes);
  for (let i = 0; i < t.n; i++) share[t.labels[i]]++;
  for (let k = 0; k < t.classes; k++) share[k] /= t.n;
  return share;
}

/**
 * What a set of per-class scores (direction-free one-vs-rest AUCs) says. Binary: the AUC.
 * Multiclass: the best score among classes with at least `minShare` of the rows decides a leak;
 * a rare class alone is evidence for a warning only, unless the support-weighted mean of the
 * classes' scores also reaches the threshold.
 */
interface Assessment {
  score: number;
  cls: number;
  severity: LeakageSeverity;
  weighted: number;
}

function assess(aucs: Float64Array, share: Float64Array, minShare: number, threshold: number): Assessment {
  const k = aucs.length;
  if (k === 2) return { score: aucs[1], cls: 1, severity: 'leak', weighted: aucs[1] };
  let weighted = 0;
  let best = -1;
  let bestCommon = -1;
  for (let c = 0; c < k; c++) {
    weighted += share[c] * aucs[c];
    if (best < 0 || aucs[c] > aucs[best]) best = c;
    if (share[c] >= minShare && (bestCommon < 0 || aucs[c] > aucs[bestCommon])) bestCommon = c;
  }
  if (bestCommon >= 0 && aucs[bestCommon] >= threshold)
    return { score: aucs[bestCommon], cls: bestCommon, severity: 'leak', weighted };
  if (weighted >= threshold) return { score: weighted, cls: best, severity: 'leak', weighted };
  return { score: aucs[best], cls: best, severity: 'warning', weighted };
}

/** Direction-free one-vs-rest AUC of `scores` for every class. */
function classAucs(scores: Float64Array, target: EncodedTarget): Float64Array {
  const aucs = oneVsRestAucs(scores, target.labels, target.classes);
  for (let k = 0; k < aucs.length; k++) aucs[k] = Math.max(aucs[k], 1 - aucs[k]);
  return aucs;
}

function subsampleTarget(t: EncodedTarget, stride: number): EncodedTarget {
  const n = Math.ceil(t.n / stride);
  const labels = new Int32Array(n);
  const values = new Float64Array(n);
  for (let j = 0, i = 0; j < n; j++, i += stride) {
    labels[j] = t.labels[i];
    values[j] = t.values[i];
  }
  return { ...t, n, labels, values };
}

/**
 * Report columns that leak the outcome: recorded after it, or near-copies of the target.
 * Returns findings sorted by score (strongest first); nothing is dropped (see `dropLeaks`).
 *
 * Rules: (1) a single column alone predicts the target almost perfectly (numeric by rank AUC,
 * categorical by out-of-fold per-category target rates; R² for regression); (2) a category that
 * maps one-to-one to the target; (3) a ratio of a strong numeric column to another numeric column
 * predicts it almost perfectly (e.g. pledged / goal); (4) a strong numeric column rank-correlated
 * with a flagged one (a proxy, e.g. backers_count of pledged); (5) timestamps after the event time
 * (`timeColumn`), or without a hint the latest timestamp whose name says it records a change or
 * whose gap to another timestamp predicts the target; (6) columns named after the target; (7)
 * columns derived from a flagged column (`X_month`, `X_weekday` of a flagged `X`).
 */
export function detectLeakage(table: ColumnTable, options: LeakageOptions): LeakageFinding[] {
  const { target: targetName, task, timeColumn } = options;
  const threshold = options.threshold ?? 0.98;
  const proxyCorr = options.proxyCorrelation ?? 0.9;
  if (!isTask(task)) {
    throw new InputError(
      'INVALID_TASK',
      `task must be "binary", "multiclass" or "regression", got ${describeValue(task)}`,
      {
        value: task,
        expected: 'binary | multiclass | regression',
      },
    );
  }
  const names = table.columnNames();
  requireColumn(names, targetName, 'target');
  if (timeColumn !== undefined) requireColumn(names, timeColumn, 'timeColumn');

  const rawTarget = table.array(targetName) as ArrayLike<unknown>;
  const keep: number[] = [];
  for (let i = 0; i < rawTarget.length; i++) if (rawTarget[i] !== null && rawTarget[i] !== undefined) keep.push(i);
  const target = encodeTarget(rawTarget, keep, task, options.positive, targetName);

  const ignore = new Set(options.ignore ?? []);
  const cols: Col[] = [];
  for (const name of names) {
    if (name === targetName || ignore.has(name)) continue;
    cols.push(readColumn(name, table.array(name) as ArrayLike<unknown>, keep));
  }

  const findings = new Map<string, { reasons: Reason[] }>();
  const flag = (column: string, kind: LeakageKind, text: string, score: number, evidence?: Evidence): void => {
    let f = findings.get(column);
    if (!f) findings.set(column, (f = { reasons: [] }));
    f.reasons.push({ kind, text, score, severity: evidence?.severity ?? 'leak', evidence });
  };
  const metric = task === 'regression' ? 'R²' : 'ROC AUC';
  const scratch = new Float64Array(target.n);
  const minShare = options.minClassShare ?? 0.02;
  const share = target.classes > 0 ? classShares(target) : new Float64Array(0);
  /** Classification evidence from per-class scores; the sentence ends with the rare-class caveat when it is one. */
  const evidence = (aucs: Float64Array): Evidence => {
    const a = assess(aucs, share, minShare, threshold);
    return { ...a, aucs };
  };
  /** A leak's sentence, or for a rare class's evidence the warning that replaces its conclusion. */
  const conclude = (e: Evidence | undefined, leak: string): string =>
    e && e.severity === 'warning'
      ? `only "${target.classNames[e.cls]}" (${pct(share[e.cls])} of rows) is separated; the classes weighted by support reach ${metric} ${e.weighted.toFixed(3)}. Reported, not dropped: a class this rare is often an artefact of when the data was pulled (rows still open, a purge), and the column may be known before the outcome`
      : leak;
  const scoreOf = (scores: Float64Array, t: EncodedTarget): number =>
    task === 'regression' ? rSquared(scores, t.values) : assess(classAucs(scores, t), share, minShare, threshold).score;

  // (1) single-column separability, (2) one-to-one category maps
  for (const c of cols) {
    const aucs = singleScores(c, target, scratch);
    const e = task === 'regression' ? undefined : evidence(aucs);
    // A column's strength (for ratios and proxies) is its best score over the classes.
    const score = e ? Math.max(...aucs) : aucs[0];
    c.score = e ? e.score : score;
    if (score >= threshold) {
      const what = task === 'regression' ? `explains "${targetName}"` : describeSeparation(target, e!.cls, targetName);
      const shown = e ? e.score : score;
      flag(
        c.name,
        'target-copy',
        `"${c.name}" alone ${what} almost perfectly (${metric} ${shown.toFixed(4)}): ${conclude(e, 'it is a copy of the outcome or recorded after it')}`,
        shown,
        e,
      );
    }
    if (task !== 'regression' && c.codes && c.nCodes >= 2) {
      const map = oneToOne(c.codes, c.nCodes, target);
      if (map)
        flag(
          c.name,
          'category-map',
          `each value of "${c.name}" maps to exactly one "${targetName}" class and back (${c.nCodes} values for ${target.classes} classes): it restates the target`,
          1,
        );
    }
  }

  // (3) ratios of a strong numeric column to another numeric column
  const numeric = cols.filter((c) => c.kind === 'numeric');
  const ratio = new Float64Array(target.n);
  const strong = task === 'regression' ? MIN_STRONG_R2 : MIN_STRONG;
  // Screen every ratio on an evenly spaced subsample first; only promising ones get the full pass.
  const stride = Math.max(1, Math.floor(target.n / SCREEN_ROWS));
  const sample = stride > 1 ? subsampleTarget(target, stride) : target;
  const ratioSample = new Float64Array(sample.n);
  const ratioScore = (t: EncodedTarget, r: Float64Array): number => scoreOf(r, t);
  for (const a of numeric) {
    if (a.score < strong || a.score >= threshold) continue;
    let best: { b: Col; score: number; e?: Evidence } | undefined;
    for (const b of numeric) {
      if (b === a || b.score >= a.score) continue;
      if (stride > 1) {
        for (let j = 0, i = 0; j < sample.n; j++, i += stride) {
          const d = b.num[i];
          ratioSample[j] = d > 0 ? a.num[i] / d : NaN;
        }
        if (ratioScore(sample, ratioSample) < threshold - SCREEN_MARGIN) continue;
      }
      for (let i = 0; i < target.n; i++) {
        const d = b.num[i];
        ratio[i] = d > 0 ? a.num[i] / d : NaN;
      }
      const s = ratioScore(target, ratio);
      const e = task === 'regression' ? undefined : evidence(classAucs(ratio, target));
      if (s >= threshold && (!e || e.severity === 'leak') && (!best || s > best.score)) best = { b, score: s, e };
    }
    if (best) {
      flag(
        a.name,
        'ratio',
        `"${a.name}" / "${best.b.name}" predicts "${targetName}" almost perfectly (${metric} ${best.score.toFixed(4)}; "${a.name}" alone ${a.score.toFixed(3)}): "${a.name}" carries the outcome measured against "${best.b.name}"`,
        best.score,
        best.e,
      );
    }
  }

  // (5) timestamps after the event
  const dates = cols.filter((c) => c.kind === 'datetime');
  if (timeColumn !== undefined) {
    const t = readColumn(timeColumn, table.array(timeColumn) as ArrayLike<unknown>, keep);
    if (t.kind !== 'datetime' && t.kind !== 'numeric') {
      throw new InputError('NOT_A_TIME', `timeColumn "${timeColumn}" must hold dates or numeric times`, {
        column: timeColumn,
        expected: 'Date values',
      });
    }
    for (const x of dates) {
      if (x.name === timeColumn) continue;
      const { atOrAfter, after } = order(x.num, t.num);
      if (atOrAfter >= TIME_SHARE && after > 0.01) {
        flag(
          x.name,
          'after-event',
          `"${x.name}" is at or after the event time "${timeColumn}" in ${pct(atOrAfter)} of rows (strictly after in ${pct(after)}): it was recorded after the outcome`,
          atOrAfter,
        );
      }
    }
  }
  const gap = new Float64Array(target.n);
  for (const x of dates) {
    if (x.name === timeColumn) continue;
    let latest = dates.length > 1;
    let minShare = 1;
    for (const y of dates) {
      if (y === x) continue;
      const { atOrAfter, after } = order(x.num, y.num);
      if (atOrAfter < TIME_SHARE || after === 0) latest = false;
      minShare = Math.min(minShare, atOrAfter);
      if (atOrAfter >= TIME_SHARE && after > 0) {
        for (let i = 0; i < target.n; i++) gap[i] = x.num[i] - y.num[i];
        const e = task === 'regression' ? undefined : evidence(classAucs(gap, target));
        const s = e ? Math.max(...e.aucs) : rSquared(gap, target.values);
        if (s >= threshold) {
          const shown = e ? e.score : s;
          flag(
            x.name,
            'after-event',
            `the time from "${y.name}" to "${x.name}" predicts "${targetName}" almost perfectly (${metric} ${shown.toFixed(4)}): ${conclude(e, `"${x.name}" is recorded when the outcome is known`)}`,
            shown,
            e,
          );
        }
      }
    }
    if (latest && AFTER_WORDS.test(x.name)) {
      flag(
        x.name,
        'after-event',
        `"${x.name}" is the latest timestamp (at or after every other date column in ${pct(minShare)} of rows) and its name says it records a change: it is set after the outcome`,
        minShare,
      );
    }
  }

  // (6) named after the target
  const prefix = new RegExp(`^${escapeRegExp(targetName)}(?:$|[_.\\- ]|\\d)`, 'i');
  for (const c of cols) {
    if (prefix.test(c.name) && targetName.length >= 3) {
      flag(
        c.name,
        'target-name',
        `"${c.name}" is named after the target "${targetName}": such columns record the outcome or its timing`,
        c.score,
      );
    }
  }

  // (4) proxies of flagged numeric columns, (7) derived columns of flagged ones
  const flaggedNumeric = () =>
    numeric
      .concat(dates)
      .filter((c) => findings.has(c.name) && c.kind !== 'datetime' && hasDataReason(findings.get(c.name)!.reasons));
  const severityOf = (column: string): LeakageSeverity =>
    findings.get(column)!.reasons.some((r) => r.severity === 'leak') ? 'leak' : 'warning';
  for (const a of numeric.concat(dates)) {
    if (findings.has(a.name) || a.score < strong) continue;
    for (const f of flaggedNumeric()) {
      f.ranks ??= averageRanks(f.num);
      a.ranks ??= averageRanks(a.num);
      const rho = correlation(a.ranks, f.ranks);
      if (Math.abs(rho) >= proxyCorr) {
        flag(
          a.name,
          'proxy',
          `"${a.name}" follows the flagged column "${f.name}" (rank correlation ${rho.toFixed(3)}) and alone reaches ${metric} ${a.score.toFixed(3)}: a proxy of the outcome`,
          a.score,
        );
        break;
      }
    }
  }
  const flaggedNames = [...findings.keys()];
  const parentSeverity = new Map(flaggedNames.map((n) => [n, severityOf(n)]));
  for (const c of cols) {
    for (const parent of flaggedNames) {
      if (parent === c.name || !c.name.startsWith(parent)) continue;
      const rest = c.name.slice(parent.length);
      if (/^[_.\- ]/.test(rest)) {
        const severity = parentSeverity.get(parent)!;
        flag(
          c.name,
          'derived',
          `"${c.name}" is derived from the flagged column "${parent}" (its "${rest.slice(1)}" part)${severity === 'warning' ? ', which is only reported' : ''}`,
          c.score,
          severity === 'warning'
            ? { severity, score: c.score, cls: -1, weighted: NaN, aucs: new Float64Array(0) }
            : undefined,
        );
        break;
      }
    }
  }

  const out: LeakageFinding[] = [];
  for (const [column, f] of findings) {
    // Leak reasons first (a warning never outranks a leak), then by rule.
    const reasons = [...f.reasons].sort(
      (a, b) => Number(a.severity === 'warning') - Number(b.severity === 'warning') || rank(a.kind) - rank(b.kind),
    );
    const finding: LeakageFinding = {
      column,
      reason: reasons.map((r) => r.text).join('; '),
      score: reasons[0].score,
      kinds: reasons.map((r) => r.kind),
      severity: reasons[0].severity,
    };
    const e = reasons.find((r) => r.evidence && r.evidence.cls >= 0)?.evidence;
    if (e && target.classes > 2) {
      finding.drivenBy = { class: target.classNames[e.cls], share: share[e.cls] };
      finding.perClass = target.classNames.map((name, k) => ({ class: name, share: share[k], score: e.aucs[k] }));
      finding.weighted = e.weighted;
    }
    out.push(finding);
  }
  return out.sort(
    (a, b) =>
      Number(a.severity === 'warning') - Number(b.severity === 'warning') ||
      rank(a.kinds[0]) - rank(b.kinds[0]) ||
      b.score - a.score ||
      a.column.localeCompare(b.column),
  );
}

interface Evidence extends Assessment {
  /** Direction-free one-vs-rest AUC per class. */
  aucs: Float64Array;
}

interface Reason {
  kind: LeakageKind;
  text: string;
  score: number;
  severity: LeakageSeverity;
  evidence?: Evidence;
}

const ORDER: LeakageKind[] = ['target-copy', 'category-map', 'ratio', 'after-event', 'proxy', 'target-name', 'derived'];
function rank(k: LeakageKind): number {
  return ORDER.indexOf(k);
}

function hasDataReason(reasons: Reason[]): boolean {
  return reasons.some((r) => (r.kind === 'target-copy' || r.kind === 'ratio') && r.severity === 'leak');
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function requireColumn(names: readonly string[], name: string, what: string): void {
  if (!names.includes(name)) {
    throw new InputError(
      'UNKNOWN_COLUMN',
      `${what} column "${name}" is not in the table (columns: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''})`,
      {
        column: name,
        expected: 'a column of the table',
      },
    );
  }
}

function describeSeparation(target: EncodedTarget, cls: number, targetName: string): string {
  return target.classes === 2
    ? `separates the "${targetName}" classes`
    : `separates "${targetName}" = ${target.classNames[cls]} from the rest`;
}

/** Share of rows (both present) where x >= y, and where x > y. */
function order(x: Float64Array, y: Float64Array): { atOrAfter: number; after: number } {
  let n = 0;
  let ge = 0;
  let gt = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (a !== a || b !== b) continue;
    n++;
    if (a >= b) ge++;
    if (a > b) gt++;
  }
  return n === 0 ? { atOrAfter: 0, after: 0 } : { atOrAfter: ge / n, after: gt / n };
}

/**
 * A column's score against the target: regression `[R²]`; classification the direction-free
 * one-vs-rest AUC of every class (categories by their out-of-fold rate of that class).
 */
function singleScores(c: Col, target: EncodedTarget, scratch: Float64Array): Float64Array {
  if (c.kind === 'numeric' || c.kind === 'datetime') {
    if (target.classes === 0) return Float64Array.of(rSquared(c.num, target.values));
    return classAucs(c.num, target);
  }
  const codes = c.codes!;
  if (target.classes === 0)
    return Float64Array.of(rSquared(outOfFoldEncoding(codes, c.nCodes, target, 0, scratch), target.values));
  if (target.classes === 2) return classAucs(outOfFoldEncoding(codes, c.nCodes, target, 1, scratch), target);
  const aucs = new Float64Array(target.classes);
  for (let k = 0; k < target.classes; k++) {
    const a = oneVsRestAucs(outOfFoldEncoding(codes, c.nCodes, target, k, scratch), target.labels, target.classes)[k];
    aucs[k] = Math.max(a, 1 - a);
  }
  return aucs;
}

function oneToOne(codes: Int32Array, nCodes: number, target: EncodedTarget): boolean {
  if (nCodes !== target.classes) return false;
  const classOf = new Int32Array(nCodes).fill(-1);
  const codeOf = new Int32Array(target.classes).fill(-1);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    const y = target.labels[i];
    if (classOf[c] === -1) classOf[c] = y;
    else if (classOf[c] !== y) return false;
    if (codeOf[y] === -1) codeOf[y] = c;
    else if (codeOf[y] !== c) return false;
  }
  return true;
}

function readColumn(name: string, values: ArrayLike<unknown>, keep: readonly number[]): Col {
  const n = keep.length;
  let kind: Kind | undefined;
  for (let j = 0; j < n; j++) {
    const v = values[keep[j]];
    if (v === null || v === undefined) continue;
    const k: Kind =
      typeof v === 'number'
        ? 'numeric'
        : v instanceof Date
          ? 'datetime'
          : typeof v === 'boolean'
            ? 'boolean'
            : 'category';
    if (kind === undefined) kind = k;
    else if (kind !== k) {
      kind = 'category';
      break;
    }
  }
  kind ??= 'category';
  const num = new Float64Array(n).fill(NaN);
  if (kind === 'numeric' || kind === 'datetime') {
    for (let j = 0; j < n; j++) {
      const v = values[keep[j]];
      if (typeof v === 'number') num[j] = v;
      else if (v instanceof Date) num[j] = v.getTime();
    }
    return { name, kind, num, nCodes: 0, score: 0.5 };
  }
  const codes = new Int32Array(n);
  const dict = new Map<unknown, number>();
  for (let j = 0; j < n; j++) {
    const raw = values[keep[j]];
    const v = raw === undefined ? null : raw;
    let code = dict.get(v);
    if (code === undefined) dict.set(v, (code = dict.size));
    codes[j] = code;
    if (kind === 'boolean') num[j] = v === true ? 1 : v === false ? 0 : NaN;
  }
  return { name, kind, num, codes, nCodes: dict.size, score: 0.5 };
}

function encodeTarget(
  raw: ArrayLike<unknown>,
  keep: readonly number[],
  task: Task,
  positive: unknown,
  name: string,
): EncodedTarget {
  const n = keep.length;
  if (n < 2)
    throw new InputError('EMPTY_INPUT', `the target "${name}" has fewer than two known values`, { column: name });
  const labels = new Int32Array(n);
  const values = new Float64Array(n);
  if (task === 'regression') {
    for (let j = 0; j < n; j++) {
      const v = raw[keep[j]];
      const x = typeof v === 'number' ? v : v instanceof Date ? v.getTime() : typeof v === 'boolean' ? Number(v) : NaN;
      if (!Number.isFinite(x)) {
        throw new InputError(
          'INVALID_TARGET',
          `regression target "${name}" holds ${describeValue(v)} at row ${keep[j] + 1}; it must be numeric`,
          {
            row: keep[j] + 1,
            column: name,
            value: v,
            expected: 'a finite number',
          },
        );
      }
      values[j] = x;
    }
    return { n, classes: 0, labels, values, classNames: [] };
  }
  const distinct = [...new Set(keep.map((i) => raw[i]))].sort((a, b) =>
    String(a).localeCompare(String(b), 'en', { numeric: true }),
  );
  if (distinct.length < 2) {
    throw new InputError(
      'SINGLE_CLASS',
      `the target "${name}" holds a single value (${describeValue(distinct[0])}); leakage needs two or more classes`,
      {
        column: name,
        value: distinct[0],
      },
    );
  }
  let classNames: unknown[];
  if (task === 'binary') {
    if (positive !== undefined && !distinct.includes(positive)) {
      throw new InputError(
        'UNKNOWN_POSITIVE',
        `positive class ${describeValue(positive)} does not occur in "${name}" (values: ${distinct.slice(0, 5).map(describeValue).join(', ')})`,
        {
          column: name,
          value: positive,
          expected: `one of: ${distinct.slice(0, 10).map(String).join(', ')}`,
        },
      );
    }
    if (positive === undefined && distinct.length > 2) {
      throw new InputError(
        'NOT_BINARY',
        `binary target "${name}" has ${distinct.length} values; filter the rows to two classes or pass "positive"`,
        {
          column: name,
          value: distinct.length,
          expected: '2 values, or a positive class',
        },
      );
    }
    const pos = positive ?? distinct[distinct.length - 1];
    classNames = [distinct.find((d) => d !== pos), pos];
    for (let j = 0; j < n; j++) labels[j] = raw[keep[j]] === pos ? 1 : 0;
  } else {
    classNames = distinct;
    const code = new Map(distinct.map((d, i) => [d, i]));
    for (let j = 0; j < n; j++) labels[j] = code.get(raw[keep[j]])!;
  }
  for (let j = 0; j < n; j++) values[j] = labels[j];
  return { n, classes: classNames.length, labels, values, classNames: classNames.map(String) };
}
