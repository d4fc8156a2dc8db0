import { ConfigError, InputError, createRng } from '@campaign-ml/core';
import type { GroupMetric } from './rates';
import { groupsOf, type GroupInfo, type SensitiveFeatures } from './sensitive-groups';

/** How a gap between groups is measured. */
export type GapMethod = 'betweenGroups' | 'toOverall';

export interface BootstrapOptions {
  /** Resamples (default 200). */
  samples?: number;
  /** Seed of core's RNG (default 0): the same seed gives the same intervals. */
  seed?: number;
  /** Confidence level of the intervals (default 0.95). */
  level?: number;
}

export interface MetricFrameInput {
  /** One metric, or metrics by name: any `(yTrue, yPred, { sampleWeight }) => number`. */
  metrics: GroupMetric | Record<string, GroupMetric>;
  yTrue: ArrayLike<number>;
  yPred: ArrayLike<number>;
  /** Group labels per row, or an object of such arrays (the groups are their intersections). */
  sensitive: SensitiveFeatures;
  sampleWeight?: ArrayLike<number>;
  /** A group with fewer rows gets NaN and a warning (default 1: no group is too small). */
  minGroupSize?: number;
  /** Percentile intervals from a bootstrap that resamples rows within each group. */
  bootstrap?: BootstrapOptions | boolean;
}

/** A [low, high] interval. */
export type Interval = [number, number];

export interface MetricFrameIntervals {
  level: number;
  samples: number;
  overall: Record<string, Interval>;
  byGroup: Record<string, Record<string, Interval>>;
  /** Between-groups difference and ratio, per metric. */
  difference: Record<string, Interval>;
  ratio: Record<string, Interval>;
}

export interface MetricFrame {
  /** Metric names, in the order given (a single function is named after itself, or "metric"). */
  metrics: string[];
  /** Groups in order, with their row counts and positives (y = 1). */
  groups: Array<GroupInfo & { positives: number }>;
  overall: Record<string, number>;
  /** By group name, then by metric name. NaN where a group is too small or lacks the rows a rate needs. */
  byGroup: Record<string, Record<string, number>>;
  /** Every NaN of byGroup, said in words. */
  warnings: string[];
  intervals?: MetricFrameIntervals;
  /** max − min over groups (betweenGroups), or the largest |group − overall| (toOverall); NaN groups skipped. */
  difference(metric?: string, method?: GapMethod): number;
  /** min / max over groups (betweenGroups), or the smallest min(g/o, o/g) (toOverall); NaN groups skipped. */
  ratio(metric?: string, method?: GapMethod): number;
  groupMin(metric?: string): number;
  groupMax(metric?: string): number;
}

/**
 * Metrics overall and by group of one or more sensitive columns, as Fairlearn's MetricFrame, with
 * safer defaults: a group with too few rows, or without the positives (negatives) a rate divides
 * by, is NaN plus a warning, never a silent 0; the bootstrap resamples within each group, so no
 * group vanishes from a resample.
 *
 * ```ts
 * const mf = metricFrame({ metrics: { selectionRate, truePositiveRate }, yTrue, yPred, sensitive: { sex, age } });
 * mf.byGroup['F & 18-25'].selectionRate; mf.difference('truePositiveRate');
 * ```
 */
export function metricFrame(input: MetricFrameInput): MetricFrame {
  const { yTrue, yPred, sampleWeight } = input;
  const n = yPred.length;
  if (yTrue.length !== n) {
    throw new InputError('LENGTH_MISMATCH', `yTrue has ${yTrue.length} labels but yPred has ${n}; they must match`, {
      column: 'yTrue',
      value: yTrue.length,
      expected: `${n} labels`,
    });
  }
  if (n === 0) throw new InputError('EMPTY_INPUT', 'metricFrame needs at least one row');
  if (sampleWeight && sampleWeight.length !== n) {
    throw new InputError('LENGTH_MISMATCH', `sampleWeight has ${sampleWeight.length} values but there are ${n} rows`, {
      column: 'sampleWeight',
      value: sampleWeight.length,
      expected: `${n} weights`,
    });
  }
  const named = namedMetrics(input.metrics);
  const names = Object.keys(named);
  const minGroupSize = input.minGroupSize ?? 1;
  const { groups, codes } = groupsOf(input.sensitive, n);
  const G = groups.length;

  // Row indices of each group, in row order.
  const members = groups.map((g) => new Int32Array(g.rows));
  const fill = new Int32Array(G);
  for (let r = 0; r < n; r++) members[codes[r]][fill[codes[r]]++] = r;
  const positives = members.map((rows) => count(rows, yTrue, 1));
  const negatives = members.map((rows, g) => rows.length - positives[g]);

  const warnings: string[] = [];
  const usable = (g: number, metric: string, warn: boolean): boolean => {
    const req = named[metric].requires;
    const why =
      groups[g].rows < minGroupSize
        ? `has ${groups[g].rows} rows (fewer than minGroupSize ${minGroupSize})`
        : req === 'positives' && positives[g] === 0
          ? 'has no positives (y = 1)'
          : req === 'negatives' && negatives[g] === 0
            ? 'has no negatives (y = 0)'
            : undefined;
    if (why && warn) warnings.push(`group "${groups[g].name}" ${why}: ${metric} is NaN`);
    return why === undefined;
  };

  const evaluate = (rows: Int32Array | undefined, metric: string): number => {
    const t = rows ? gather(yTrue, rows) : Float64Array.from(yTrue);
    const p = rows ? gather(yPred, rows) : Float64Array.from(yPred);
    const w = sampleWeight ? (rows ? gather(sampleWeight, rows) : Float64Array.from(sampleWeight)) : undefined;
    return w ? named[metric](t, p, { sampleWeight: w }) : named[metric](t, p);
  };

  const overall: Record<string, number> = {};
  for (const m of names) overall[m] = evaluate(undefined, m);
  const byGroup: Record<string, Record<string, number>> = {};
  groups.forEach((g, gi) => {
    byGroup[g.name] = {};
    for (const m of names) byGroup[g.name][m] = usable(gi, m, true) ? evaluate(members[gi], m) : NaN;
  });

  const valuesOf = (metric: string): number[] => groups.map((g) => byGroup[g.name][metric]);
  const pick = (metric?: string): string => {
    const m = metric ?? names[0];
    if (!(m in named)) {
      throw new ConfigError('UNKNOWN_METRIC', `metric "${m}" is not in this frame (it has ${names.join(', ')})`, {
        column: 'metric',
        value: m,
        expected: `one of ${names.join(', ')}`,
      });
    }
    return m;
  };

  const frame: MetricFrame = {
    metrics: names,
    groups: groups.map((g, i) => ({ ...g, positives: positives[i] })),
    overall,
    byGroup,
    warnings,
    difference: (metric, method = 'betweenGroups') => {
      const m = pick(metric);
      return gap(valuesOf(m), overall[m], method);
    },
    ratio: (metric, method = 'betweenGroups') => {
      const m = pick(metric);
      return gapRatio(valuesOf(m), overall[m], method);
    },
    groupMin: (metric) => extreme(valuesOf(pick(metric)), Math.min),
    groupMax: (metric) => extreme(valuesOf(pick(metric)), Math.max),
  };

  if (input.bootstrap) {
    const opts = input.bootstrap === true ? {} : input.bootstrap;
    const samples = opts.samples ?? 200;
    const level = opts.level ?? 0.95;
    if (!(Number.isInteger(samples) && samples >= 2) || !(level > 0 && level < 1)) {
      throw new ConfigError(
        'INVALID_BOOTSTRAP',
        `bootstrap needs samples >= 2 and 0 < level < 1 (got samples ${samples}, level ${level})`,
        { column: 'bootstrap', value: { samples, level } },
      );
    }
    const rng = createRng(opts.seed ?? 0);
    const draws = {
      overall: Object.fromEntries(names.map((m) => [m, new Float64Array(samples)])),
      byGroup: groups.map(() => Object.fromEntries(names.map((m) => [m, new Float64Array(samples)]))),
      difference: Object.fromEntries(names.map((m) => [m, new Float64Array(samples)])),
      ratio: Object.fromEntries(names.map((m) => [m, new Float64Array(samples)])),
    };
    const all = new Int32Array(n);
    for (let b = 0; b < samples; b++) {
      // Resample each group's rows with replacement, to the group's size.
      const resampled = members.map((rows) => {
        const out = new Int32Array(rows.length);
        for (let i = 0; i < rows.length; i++) out[i] = rows[rng.int(rows.length)];
        return out;
      });
      let off = 0;
      for (const rows of resampled) {
        all.set(rows, off);
        off += rows.length;
      }
      for (const m of names) {
        const values = groups.map((_, g) =>
          usable(g, m, false) && hasRequired(named[m], resampled[g], yTrue) ? evaluate(resampled[g], m) : NaN,
        );
        const o = evaluate(all, m);
        draws.overall[m][b] = o;
        values.forEach((v, g) => (draws.byGroup[g][m][b] = v));
        draws.difference[m][b] = gap(values, o, 'betweenGroups');
        draws.ratio[m][b] = gapRatio(values, o, 'betweenGroups');
      }
    }
    const interval = (a: Float64Array): Interval => [quantile(a, (1 - level) / 2), quantile(a, 1 - (1 - level) / 2)];
    const perMetric = (d: Record<string, Float64Array>) =>
      Object.fromEntries(names.map((m) => [m, interval(d[m])])) as Record<string, Interval>;
    frame.intervals = {
      level,
      samples,
      overall: perMetric(draws.overall),
      byGroup: Object.fromEntries(groups.map((g, i) => [g.name, perMetric(draws.byGroup[i])])),
      difference: perMetric(draws.difference),
      ratio: perMetric(draws.ratio),
    };
  }
  return frame;
}

function namedMetrics(metrics: MetricFrameInput['metrics']): Record<string, GroupMetric> {
  if (typeof metrics === 'function') return { [metrics.name || 'metric']: metrics };
  const entries = Object.entries(metrics ?? {});
  if (entries.length === 0) {
    throw new ConfigError('NO_METRICS', 'metricFrame needs at least one metric (a function or an object of them)', {
      column: 'metrics',
    });
  }
  for (const [name, fn] of entries) {
    if (typeof fn !== 'function') {
      throw new ConfigError('INVALID_METRIC', `metric "${name}" is not a function`, {
        column: `metrics.${name}`,
        value: typeof fn,
        expected: '(yTrue, yPred, options?) => number',
      });
    }
  }
  return Object.fromEntries(entries);
}

function hasRequired(metric: GroupMetric, rows: Int32Array, yTrue: ArrayLike<number>): boolean {
  if (!metric.requires) return true;
  const pos = count(rows, yTrue, 1);
  return metric.requires === 'positives' ? pos > 0 : pos < rows.length;
}

function count(rows: Int32Array, y: ArrayLike<number>, label: number): number {
  let c = 0;
  for (let i = 0; i < rows.length; i++) if (y[rows[i]] === label) c++;
  return c;
}

function gather(a: ArrayLike<number>, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = a[rows[i]];
  return out;
}

function extreme(values: number[], f: (...v: number[]) => number): number {
  const ok = values.filter((v) => !Number.isNaN(v));
  return ok.length ? f(...ok) : NaN;
}

/** The gap of group values (NaN skipped): max − min, or the largest distance to overall. */
export function gap(values: number[], overall: number, method: GapMethod): number {
  const ok = values.filter((v) => !Number.isNaN(v));
  if (ok.length === 0) return NaN;
  if (method === 'toOverall') return Math.max(...ok.map((v) => Math.abs(v - overall)));
  return Math.max(...ok) - Math.min(...ok);
}

/** min / max over groups (NaN skipped; 0/0 is 1, as equal rates), or the smallest min(g/o, o/g). */
export function gapRatio(values: number[], overall: number, method: GapMethod): number {
  const ok = values.filter((v) => !Number.isNaN(v));
  if (ok.length === 0) return NaN;
  // For non-negative rates min(a/b, b/a) is the smaller over the larger; equal values (even 0) are 1.
  const div = (a: number, b: number) => (a === b ? 1 : Math.min(a, b) / Math.max(a, b));
  if (method === 'toOverall') return Math.min(...ok.map((v) => div(v, overall)));
  return div(Math.min(...ok), Math.max(...ok));
}

/** Linear-interpolation quantile (NumPy's default), NaN values skipped. */
function quantile(a: Float64Array, q: number): number {
  const s = Float64Array.from(a.filter((v) => !Number.isNaN(v))).sort();
  if (s.length === 0) return NaN;
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (pos - lo) * (s[hi] - s[lo]);
}
