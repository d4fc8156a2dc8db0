import {
  ConfigError,
  InputError,
  SerializationError,
  createRng,
  expectKind,
  registerLoader,
  type Rng,
  type Serialized,
} from '@campaign-ml/core';
import { groupsOf, type SensitiveFeatures } from './sensitive-groups';

/** What the per-group thresholds equalize across groups. */
export type FairnessConstraint = 'demographicParity' | 'equalizedOdds' | 'truePositiveRateParity';
/** What they maximize subject to it. */
export type ThresholdObjective = 'accuracy' | 'balancedAccuracy';

export interface ThresholdOptimizerParams {
  /** Default 'demographicParity'. */
  constraint?: FairnessConstraint;
  /** Default 'accuracy'. */
  objective?: ThresholdObjective;
  /**
   * false (default): one deterministic threshold per group, the groups' rates within `tolerance`
   * of each other on the fitted rows. true: Hardt et al.'s randomized mixtures, equal in expectation.
   */
  randomized?: boolean;
  /** Deterministic only: the largest gap allowed between the groups' rates (default 0.01). */
  tolerance?: number;
  /** Points of the rate grid searched (default 1000; deterministic equalized odds uses a step of tolerance / 2). */
  gridSize?: number;
}

/**
 * A group's rule: predict positive when score >= threshold. A randomized rule instead, with
 * probability pIgnore, predicts positive with probability constantRate; otherwise it uses
 * threshold with probability p0 and threshold1 with 1 − p0.
 */
export interface GroupThresholdRule {
  threshold: number;
  threshold1?: number;
  p0?: number;
  pIgnore?: number;
  constantRate?: number;
}

export interface ThresholdFitSummary {
  /** The common target rate (selection rate, TPR, or FPR for equalized odds) and TPR for equalized odds. */
  target: { x: number; y?: number };
  /** The objective on the fitted rows (expected value when randomized). */
  objective: number;
  /** The constraint's gap between groups on the fitted rows (expected value when randomized: 0). */
  gap: number;
  /** Groups that could not reach the tolerance (too few distinct scores). */
  warnings: string[];
}

interface GroupCurve {
  /** Candidate thresholds, from "nobody" (above every score) to "everybody" (below every score). */
  cuts: Float64Array;
  tp: Float64Array;
  fp: Float64Array;
  n: number;
  pos: number;
  neg: number;
}

const KIND = 'fairness/ThresholdOptimizer';

/**
 * Per-group thresholds on a classifier's scores that equalize selection rate (demographic parity),
 * TPR (equal opportunity) or TPR and FPR (equalized odds) across groups while maximizing accuracy
 * or balanced accuracy (Hardt, Price & Srebro 2016; Fairlearn's ThresholdOptimizer). Fit it on
 * out-of-fold scores of the training rows, not on the scores of a model fitted on them.
 *
 * ```ts
 * const opt = new ThresholdOptimizer({ constraint: 'demographicParity' }).fit(oofScores, yTrain, { sensitive: band });
 * opt.thresholds; // { '< 2000': 0.41, ... }
 * const yPred = opt.predict(testScores, testBand);
 * ```
 */
export class ThresholdOptimizer {
  readonly params: Required<ThresholdOptimizerParams>;

  constructor(params: ThresholdOptimizerParams = {}) {
    const p = {
      constraint: params.constraint ?? 'demographicParity',
      objective: params.objective ?? 'accuracy',
      randomized: params.randomized ?? false,
      tolerance: params.tolerance ?? 0.01,
      gridSize: params.gridSize ?? 1000,
    };
    if (!['demographicParity', 'equalizedOdds', 'truePositiveRateParity'].includes(p.constraint)) {
      throw new ConfigError('UNKNOWN_CONSTRAINT', `constraint "${p.constraint}" is not known`, {
        column: 'constraint',
        value: p.constraint,
        expected: 'demographicParity, equalizedOdds or truePositiveRateParity',
      });
    }
    if (!['accuracy', 'balancedAccuracy'].includes(p.objective)) {
      throw new ConfigError('UNKNOWN_OBJECTIVE', `objective "${p.objective}" is not known`, {
        column: 'objective',
        value: p.objective,
        expected: 'accuracy or balancedAccuracy',
      });
    }
    if (!(p.tolerance >= 0 && p.tolerance < 1)) {
      throw new ConfigError('INVALID_TOLERANCE', `tolerance must be in [0, 1), got ${p.tolerance}`, {
        column: 'tolerance',
        value: p.tolerance,
      });
    }
    if (!(Number.isInteger(p.gridSize) && p.gridSize >= 10)) {
      throw new ConfigError('INVALID_GRID', `gridSize must be an integer >= 10, got ${p.gridSize}`, {
        column: 'gridSize',
        value: p.gridSize,
      });
    }
    this.params = Object.freeze(p);
  }

  /** Fit on scores (P(positive), one per row), 0/1 labels and the rows' groups. */
  fit(
    scores: ArrayLike<number>,
    y: ArrayLike<number>,
    options: { sensitive: SensitiveFeatures },
  ): FittedThresholdOptimizer {
    const n = scores.length;
    if (n === 0) throw new InputError('EMPTY_INPUT', 'ThresholdOptimizer.fit needs at least one row');
    checkScores(scores);
    if (y.length !== n) {
      throw new InputError('LENGTH_MISMATCH', `scores has ${n} values but y has ${y.length}; they must match`, {
        column: 'y',
        value: y.length,
        expected: `${n} labels`,
      });
    }
    for (let r = 0; r < n; r++) {
      if (y[r] !== 0 && y[r] !== 1) {
        throw new InputError('INVALID_LABEL', `label at row ${r} is ${y[r]}; ThresholdOptimizer needs 0/1 labels`, {
          row: r,
          column: 'y',
          value: y[r],
          expected: '0 or 1',
        });
      }
    }
    const { groups, codes } = groupsOf(options.sensitive, n);
    const curves = groups.map((_, g) => groupCurve(scores, y, codes, g));
    const { constraint, objective } = this.params;
    let P = 0;
    for (const c of curves) P += c.pos;
    const N = n - P;
    const needsPos = constraint !== 'demographicParity' || objective === 'balancedAccuracy';
    const needsNeg = constraint === 'equalizedOdds' || objective === 'balancedAccuracy';
    curves.forEach((c, g) => {
      const lacks = needsPos && c.pos === 0 ? 'positives (y = 1)' : needsNeg && c.neg === 0 ? 'negatives (y = 0)' : '';
      if (lacks) {
        throw new InputError(
          'GROUP_LACKS_LABEL',
          `group "${groups[g].name}" has no ${lacks}, so its ${constraint} rates are undefined; merge it with another group or drop it`,
          { column: 'sensitive', value: groups[g].name, expected: 'both labels in every group' },
        );
      }
    });
    // Each group's share of the objective at each of its cuts: the objectives add up over groups.
    const gain = curves.map((c) => {
      const out = new Float64Array(c.cuts.length);
      for (let j = 0; j < out.length; j++) {
        const tn = c.neg - c.fp[j];
        out[j] = objective === 'accuracy' ? (c.tp[j] + tn) / n : 0.5 * (c.tp[j] / P + tn / N);
      }
      return out;
    });
    const fitted =
      constraint === 'equalizedOdds'
        ? this.params.randomized
          ? randomizedOdds(curves, objective, P, N, n, this.params.gridSize)
          : deterministicOdds(curves, gain, this.params.tolerance)
        : this.params.randomized
          ? randomizedSimple(curves, gain, rateOf(constraint), this.params.gridSize)
          : deterministicSimple(curves, gain, rateOf(constraint), this.params.tolerance, this.params.gridSize);
    const rules: Record<string, GroupThresholdRule> = {};
    groups.forEach((g, i) => (rules[g.name] = fitted.rules[i]));
    const warnings = fitted.warnings.map((w) => w.replace(/\{(\d+)\}/g, (_, i) => groups[Number(i)].name));
    return new FittedThresholdOptimizer(this.params, rules, { ...fitted.summary, warnings });
  }
}

/** The fitted thresholds: deterministic ones are plain numbers by group (`thresholds`). */
export class FittedThresholdOptimizer {
  constructor(
    readonly params: Required<ThresholdOptimizerParams>,
    readonly rules: Readonly<Record<string, GroupThresholdRule>>,
    readonly summary: ThresholdFitSummary,
  ) {
    Object.freeze(this);
  }

  get groups(): string[] {
    return Object.keys(this.rules);
  }

  /** Each group's threshold (for a randomized rule, the one it uses with probability p0). */
  get thresholds(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.rules).map(([g, r]) => [g, r.threshold]));
  }

  /**
   * 0/1 predictions for scores and the rows' groups (the same columns as in fit). A group not seen
   * in fit is an error naming the row. Randomized rules draw from core's RNG seeded by `seed` (default 0).
   */
  predict(scores: ArrayLike<number>, sensitive: SensitiveFeatures, options: { seed?: number } = {}): Int32Array {
    const n = scores.length;
    checkScores(scores);
    const { groups, codes } = groupsOf(sensitive, n);
    const rules = groups.map((g) => this.rules[g.name]);
    const missing = rules.findIndex((r) => !r);
    if (missing >= 0) {
      const row = codes.indexOf(missing);
      throw new InputError(
        'UNKNOWN_GROUP',
        `row ${row}: group "${groups[missing].name}" was not seen when the thresholds were fitted (known: ${this.groups.join(', ')})`,
        { row, column: 'sensitive', value: groups[missing].name, expected: `one of ${this.groups.join(', ')}` },
      );
    }
    const rng: Rng | undefined = this.params.randomized ? createRng(options.seed ?? 0) : undefined;
    const out = new Int32Array(n);
    for (let r = 0; r < n; r++) out[r] = applyRule(rules[codes[r]], scores[r], rng);
    return out;
  }

  toJSON(): Serialized {
    return { kind: KIND, version: 1, params: this.params, rules: this.rules, summary: this.summary };
  }

  static fromJSON(json: Serialized | string): FittedThresholdOptimizer {
    const s = (typeof json === 'string' ? JSON.parse(json) : json) as Serialized;
    expectKind(s, KIND, 1);
    const rules = s.rules as Record<string, GroupThresholdRule>;
    if (!rules || typeof rules !== 'object' || Object.values(rules).some((r) => typeof r?.threshold !== 'number')) {
      throw new SerializationError(
        'INVALID_THRESHOLDS',
        'ThresholdOptimizer "rules" must map each group to { threshold }',
        {
          column: 'rules',
        },
      );
    }
    const params = new ThresholdOptimizer(s.params as ThresholdOptimizerParams).params;
    return new FittedThresholdOptimizer(params, rules, s.summary as ThresholdFitSummary);
  }
}

registerLoader(KIND, FittedThresholdOptimizer.fromJSON);

function applyRule(rule: GroupThresholdRule, score: number, rng?: Rng): number {
  if (!rng || rule.threshold1 === undefined) return score >= rule.threshold ? 1 : 0;
  if (rule.pIgnore && rng.random() < rule.pIgnore) return rng.random() < (rule.constantRate ?? 0) ? 1 : 0;
  const t = rng.random() < (rule.p0 ?? 1) ? rule.threshold : rule.threshold1;
  return score >= t ? 1 : 0;
}

function checkScores(scores: ArrayLike<number>): void {
  for (let r = 0; r < scores.length; r++) {
    if (!Number.isFinite(scores[r])) {
      throw new InputError('INVALID_SCORE', `score at row ${r} is ${scores[r]}; scores must be finite numbers`, {
        row: r,
        column: 'scores',
        value: scores[r],
        expected: 'a finite number',
      });
    }
  }
}

/**
 * A group's cumulative counts at each candidate cut: cut 0 is above every score (nobody
 * positive), cut j the midpoint between the j-th and (j+1)-th highest distinct scores, the last
 * below every score (everybody positive). Midpoints generalize to unseen scores better than the
 * scores themselves.
 */
function groupCurve(scores: ArrayLike<number>, y: ArrayLike<number>, codes: Int32Array, g: number): GroupCurve {
  const rows: number[] = [];
  for (let r = 0; r < codes.length; r++) if (codes[r] === g) rows.push(r);
  rows.sort((a, b) => scores[b] - scores[a]);
  const distinct: number[] = [];
  const tpAt: number[] = [0];
  const fpAt: number[] = [0];
  let tp = 0;
  let fp = 0;
  let pos = 0;
  for (let i = 0; i < rows.length; i++) {
    const s = scores[rows[i]];
    if (y[rows[i]] === 1) {
      tp++;
      pos++;
    } else fp++;
    if (i === rows.length - 1 || scores[rows[i + 1]] !== s) {
      distinct.push(s);
      tpAt.push(tp);
      fpAt.push(fp);
    }
  }
  const m = distinct.length;
  const cuts = new Float64Array(m + 1);
  cuts[0] = distinct[0] + 1;
  for (let j = 1; j < m; j++) cuts[j] = (distinct[j - 1] + distinct[j]) / 2;
  cuts[m] = distinct[m - 1] - 1;
  return {
    cuts,
    tp: Float64Array.from(tpAt),
    fp: Float64Array.from(fpAt),
    n: rows.length,
    pos,
    neg: rows.length - pos,
  };
}

type Rate = (c: GroupCurve, j: number) => number;

function rateOf(constraint: FairnessConstraint): Rate {
  return constraint === 'demographicParity' ? (c, j) => (c.tp[j] + c.fp[j]) / c.n : (c, j) => c.tp[j] / c.pos;
}

interface Fitted {
  rules: GroupThresholdRule[];
  summary: Omit<ThresholdFitSummary, 'warnings'>;
  /** "{g}" stands for group g's name. */
  warnings: string[];
}

/** First index whose value is >= v in a non-decreasing array (a.length when none). */
function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > v in a non-decreasing array. */
function upperBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The cut of best gain in [lo, hi), or -1 when the range is empty. */
function bestIn(gain: Float64Array, lo: number, hi: number): number {
  let pick = -1;
  for (let j = lo; j < hi; j++) if (pick < 0 || gain[j] > gain[pick]) pick = j;
  return pick;
}

const EPS = 1e-12;

/**
 * One cut per group, every group's rate within tolerance / 2 of a common target x (so within
 * tolerance of each other), x on a grid, the best total objective. When no x is reachable by
 * every group, the x whose worst miss is smallest. A group's rate does not decrease along its
 * cuts, so the cuts near x are one contiguous run, found by binary search.
 */
function deterministicSimple(
  curves: GroupCurve[],
  gain: Float64Array[],
  rate: Rate,
  tol: number,
  gridSize: number,
): Fitted {
  const half = tol / 2;
  const rates = curves.map((c) => Float64Array.from(c.cuts, (_, j) => rate(c, j)));
  let best: { k: number; total: number; miss: number; picks: number[] } | undefined;
  for (let k = 0; k <= gridSize; k++) {
    const x = k / gridSize;
    let total = 0;
    let miss = 0;
    const picks: number[] = [];
    for (let g = 0; g < curves.length; g++) {
      const r = rates[g];
      const lo = lowerBound(r, x - half - EPS);
      const hi = upperBound(r, x + half + EPS);
      let pick = bestIn(gain[g], lo, hi);
      if (pick < 0) {
        // Nothing within reach: the nearer of the two neighbours of x.
        const below = lo - 1;
        pick = below >= 0 && (lo >= r.length || x - r[below] <= r[lo] - x) ? below : lo;
        miss = Math.max(miss, Math.abs(r[pick] - x) - half);
      }
      picks.push(pick);
      total += gain[g][pick];
    }
    if (!best || miss < best.miss - EPS || (Math.abs(miss - best.miss) <= EPS && total > best.total)) {
      best = { k, total, miss, picks };
    }
  }
  const b = best!;
  const achieved = b.picks.map((j, g) => rates[g][j]);
  const warnings = b.picks.flatMap((_, g) =>
    Math.abs(achieved[g] - b.k / gridSize) > half + EPS
      ? [`group "{${g}}" cannot reach the common rate within the tolerance (too few distinct scores)`]
      : [],
  );
  return {
    rules: b.picks.map((j, g) => ({ threshold: curves[g].cuts[j] })),
    summary: { target: { x: b.k / gridSize }, objective: b.total, gap: Math.max(...achieved) - Math.min(...achieved) },
    warnings,
  };
}

/**
 * Equalized odds, deterministic: FPR and TPR of every group within tolerance / 2 of a common
 * target (x, y) on a grid of step tolerance / 2. Both rates are non-decreasing along the cuts, so
 * the cuts near the target are the overlap of two contiguous runs.
 */
function deterministicOdds(curves: GroupCurve[], gain: Float64Array[], tol: number): Fitted {
  const half = tol / 2;
  const step = Math.max(half, 0.0025);
  const steps = Math.ceil(1 / step);
  const fprs = curves.map((c) => Float64Array.from(c.fp, (v) => v / c.neg));
  const tprs = curves.map((c) => Float64Array.from(c.tp, (v) => v / c.pos));
  const dist = (g: number, j: number, x: number, y: number) =>
    Math.max(Math.abs(fprs[g][j] - x), Math.abs(tprs[g][j] - y));
  let best: { total: number; miss: number; picks: number[]; x: number; y: number } | undefined;
  for (let a = 0; a <= steps; a++) {
    const x = Math.min(1, a * step);
    for (let b = 0; b <= steps; b++) {
      const y = Math.min(1, b * step);
      if (y < x - tol) continue; // below the diagonal: never better than a flipped rule
      let total = 0;
      let miss = 0;
      const picks: number[] = [];
      for (let g = 0; g < curves.length; g++) {
        const f0 = lowerBound(fprs[g], x - half - EPS);
        const f1 = upperBound(fprs[g], x + half + EPS);
        const t0 = lowerBound(tprs[g], y - half - EPS);
        const t1 = upperBound(tprs[g], y + half + EPS);
        let pick = bestIn(gain[g], Math.max(f0, t0), Math.min(f1, t1));
        if (pick < 0) {
          // Nothing within reach: the nearest of the runs' ends (the distance is valley-shaped along the cuts).
          const last = fprs[g].length - 1;
          const ends = [f0 - 1, f0, f1 - 1, f1, t0 - 1, t0, t1 - 1, t1].filter((j) => j >= 0 && j <= last);
          pick = ends.reduce((p, j) => (dist(g, j, x, y) < dist(g, p, x, y) ? j : p), ends[0]);
          miss = Math.max(miss, dist(g, pick, x, y) - half);
        }
        picks.push(pick);
        total += gain[g][pick];
      }
      if (!best || miss < best.miss - EPS || (Math.abs(miss - best.miss) <= EPS && total > best.total)) {
        best = { total, miss, picks, x, y };
      }
    }
  }
  const b = best!;
  const tpr = b.picks.map((j, g) => tprs[g][j]);
  const fpr = b.picks.map((j, g) => fprs[g][j]);
  const gap = Math.max(Math.max(...tpr) - Math.min(...tpr), Math.max(...fpr) - Math.min(...fpr));
  return {
    rules: b.picks.map((j, g) => ({ threshold: curves[g].cuts[j] })),
    summary: { target: { x: b.x, y: b.y }, objective: b.total, gap },
    warnings:
      b.miss > 0 ? ['no common (FPR, TPR) point is within the tolerance for every group; the closest is used'] : [],
  };
}

interface Hull {
  x: number[];
  y: number[];
  /** The cut index of each vertex. */
  j: number[];
}

/** Andrew's monotone chain, upper part, of points (x, y) given with their cut index. */
function upperHull(xs: number[], ys: number[]): Hull {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b] || ys[b] - ys[a]);
  const h: number[] = [];
  for (const i of order) {
    if (h.length && xs[h[h.length - 1]] === xs[i]) continue; // same x: the first has the larger y
    while (h.length >= 2) {
      const o = h[h.length - 2];
      const a = h[h.length - 1];
      const cross = (xs[a] - xs[o]) * (ys[i] - ys[o]) - (ys[a] - ys[o]) * (xs[i] - xs[o]);
      if (cross >= 0) h.pop();
      else break;
    }
    h.push(i);
  }
  return { x: h.map((i) => xs[i]), y: h.map((i) => ys[i]), j: h };
}

/** The hull at x (linear between vertices) and the two vertices with the weight of the first. */
function onHull(h: Hull, x: number): { y: number; a: number; b: number; p0: number } {
  let b = 0;
  while (b < h.x.length - 1 && h.x[b] < x) b++;
  const a = Math.max(0, h.x[b] >= x && b > 0 ? b - 1 : b);
  if (h.x[b] === x || a === b) return { y: h.y[b], a: b, b, p0: 1 };
  const p0 = (h.x[b] - x) / (h.x[b] - h.x[a]);
  return { y: p0 * h.y[a] + (1 - p0) * h.y[b], a, b, p0 };
}

/** Demographic parity or TPR parity, randomized (Hardt et al.): exact in expectation. */
function randomizedSimple(curves: GroupCurve[], gain: Float64Array[], rate: Rate, gridSize: number): Fitted {
  const hulls = curves.map((c, g) => {
    const xs = Array.from(c.cuts, (_, j) => rate(c, j));
    return upperHull(xs, Array.from(gain[g]));
  });
  let bestX = 0;
  let bestTotal = -Infinity;
  for (let k = 0; k <= gridSize; k++) {
    const x = k / gridSize;
    let total = 0;
    for (const h of hulls) total += onHull(h, x).y;
    if (total > bestTotal + 1e-15) {
      bestTotal = total;
      bestX = x;
    }
  }
  const rules = hulls.map((h, g) => {
    const p = onHull(h, bestX);
    const c = curves[g];
    return { threshold: c.cuts[h.j[p.a]], threshold1: c.cuts[h.j[p.b]], p0: p.p0 };
  });
  return { rules, summary: { target: { x: bestX }, objective: bestTotal, gap: 0 }, warnings: [] };
}

/**
 * Equalized odds, randomized (Hardt et al.): the best point (x = FPR, y = TPR) under every group's
 * ROC hull; each group mixes its hull point at x with a coin that says yes with probability x.
 */
function randomizedOdds(
  curves: GroupCurve[],
  objective: ThresholdObjective,
  P: number,
  N: number,
  n: number,
  gridSize: number,
): Fitted {
  const hulls = curves.map((c) =>
    upperHull(
      Array.from(c.cuts, (_, j) => c.fp[j] / c.neg),
      Array.from(c.cuts, (_, j) => c.tp[j] / c.pos),
    ),
  );
  let best = { x: 0, y: 0, value: -Infinity };
  for (let k = 0; k <= gridSize; k++) {
    const x = k / gridSize;
    const y = Math.min(...hulls.map((h) => onHull(h, x).y));
    const value = objective === 'accuracy' ? (P * y + N * (1 - x)) / n : (y + 1 - x) / 2;
    if (value > best.value + 1e-15) best = { x, y, value };
  }
  const rules = hulls.map((h, g) => {
    const p = onHull(h, best.x);
    const c = curves[g];
    const pIgnore = p.y - best.x > 1e-12 ? (p.y - best.y) / (p.y - best.x) : 0;
    return {
      threshold: c.cuts[h.j[p.a]],
      threshold1: c.cuts[h.j[p.b]],
      p0: p.p0,
      pIgnore: Math.min(1, Math.max(0, pIgnore)),
      constantRate: best.x,
    };
  });
  return { rules, summary: { target: { x: best.x, y: best.y }, objective: best.value, gap: 0 }, warnings: [] };
}
