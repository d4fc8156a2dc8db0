import type { ColumnTable } from 'arquero';
import { InputError, type Task, isTask, describeValue } from '@campaign-ml/core';
import {
  type EncodedTarget,
  averageRanks,
  bestOneVsRestAuc,
  correlation,
  outOfFoldEncoding,
  rankAuc,
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
}

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

  const findings = new Map<string, { reasons: { kind: LeakageKind; text: string; score: number }[] }>();
  const flag = (column: string, kind: LeakageKind, text: string, score: number): void => {
    let f = findings.get(column);
    if (!f) findings.set(column, (f = { reasons: [] }));
    f.reasons.push({ kind, text, score });
  };
  const metric = task === 'regression' ? 'R²' : 'ROC AUC';
  const scratch = new Float64Array(target.n);

  // (1) single-column separability, (2) one-to-one category maps
  for (const c of cols) {
    const { score, cls } = singleScore(c, target, scratch);
    c.score = score;
    if (score >= threshold) {
      const what = task === 'regression' ? `explains "${targetName}"` : describeSeparation(target, cls, targetName);
      flag(
        c.name,
        'target-copy',
        `"${c.name}" alone ${what} almost perfectly (${metric} ${score.toFixed(4)}): it is a copy of the outcome or recorded after it`,
        score,
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
  const ratioScore = (t: EncodedTarget, r: Float64Array): number =>
    task === 'regression' ? rSquared(r, t.values) : bestOneVsRestAuc(r, t).auc;
  for (const a of numeric) {
    if (a.score < strong || a.score >= threshold) continue;
    let best: { b: Col; score: number } | undefined;
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
      if (s >= threshold && (!best || s > best.score)) best = { b, score: s };
    }
    if (best) {
      flag(
        a.name,
        'ratio',
        `"${a.name}" / "${best.b.name}" predicts "${targetName}" almost perfectly (${metric} ${best.score.toFixed(4)}; "${a.name}" alone ${a.score.toFixed(3)}): "${a.name}" carries the outcome measured against "${best.b.name}"`,
        best.score,
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
        const s = task === 'regression' ? rSquared(gap, target.values) : bestOneVsRestAuc(gap, target).auc;
        if (s >= threshold) {
          flag(
            x.name,
            'after-event',
            `the time from "${y.name}" to "${x.name}" predicts "${targetName}" almost perfectly (${metric} ${s.toFixed(4)}): "${x.name}" is recorded when the outcome is known`,
            s,
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
  for (const c of cols) {
    for (const parent of flaggedNames) {
      if (parent === c.name || !c.name.startsWith(parent)) continue;
      const rest = c.name.slice(parent.length);
      if (/^[_.\- ]/.test(rest)) {
        flag(
          c.name,
          'derived',
          `"${c.name}" is derived from the flagged column "${parent}" (its "${rest.slice(1)}" part)`,
          c.score,
        );
        break;
      }
    }
  }

  const out: LeakageFinding[] = [];
  for (const [column, f] of findings) {
    const reasons = [...f.reasons].sort((a, b) => rank(a.kind) - rank(b.kind));
    out.push({
      column,
      reason: reasons.map((r) => r.text).join('; '),
      score: reasons[0].score,
      kinds: reasons.map((r) => r.kind),
    });
  }
  return out.sort(
    (a, b) => rank(a.kinds[0]) - rank(b.kinds[0]) || b.score - a.score || a.column.localeCompare(b.column),
  );
}

const ORDER: LeakageKind[] = ['target-copy', 'category-map', 'ratio', 'after-event', 'proxy', 'target-name', 'derived'];
function rank(k: LeakageKind): number {
  return ORDER.indexOf(k);
}

function hasDataReason(reasons: { kind: LeakageKind }[]): boolean {
  return reasons.some((r) => r.kind === 'target-copy' || r.kind === 'ratio');
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

function singleScore(c: Col, target: EncodedTarget, scratch: Float64Array): { score: number; cls: number } {
  if (c.kind === 'numeric' || c.kind === 'datetime') {
    if (target.classes === 0) return { score: rSquared(c.num, target.values), cls: 0 };
    return (({ auc, cls }) => ({ score: auc, cls }))(bestOneVsRestAuc(c.num, target));
  }
  const codes = c.codes!;
  if (target.classes === 0)
    return { score: rSquared(outOfFoldEncoding(codes, c.nCodes, target, 0, scratch), target.values), cls: 0 };
  if (target.classes === 2) {
    return { score: bestOneVsRestAuc(outOfFoldEncoding(codes, c.nCodes, target, 1, scratch), target).auc, cls: 1 };
  }
  let best = { score: 0.5, cls: 0 };
  for (let k = 0; k < target.classes; k++) {
    const auc = rankAuc(outOfFoldEncoding(codes, c.nCodes, target, k, scratch), target.labels, k, target.classes);
    if (auc > best.score) best = { score: auc, cls: k };
  }
  return best;
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
