import { type Matrix, InputError, createMatrix, createRng } from '@campaign-ml/core';
import { type Resampled, classCounts } from './class-counts';
import { membersByClass } from './random-over-sample';

export interface AdasynOptions {
  /** Neighbours per sample, for the density ratio and for the synthesis (default 5, as imbalanced-learn). */
  k?: number;
  seed?: number;
}

/** ADASYN's deterministic part for one class: who gets how many synthetic rows, and from which neighbours. */
export interface AdasynClassPlan {
  cls: number;
  /** Input rows of the class, in row order. */
  members: Int32Array;
  /** Share of each member's k nearest neighbours (all rows) from other classes, r_i. */
  ratio: Float64Array;
  /** Synthetic rows per member, g_i = rint(r_i / Σr · need) (half to even, as numpy). */
  counts: Int32Array;
  /** Each member's k nearest neighbours within the class, as input rows, nearest first (row-major, k per member). */
  neighbours: Int32Array;
  k: number;
}

/**
 * ADASYN's plan (He et al. 2008, as imbalanced-learn 0.10 computes it): each smaller class is to
 * grow to the largest class's size; a member's share of the synthetic rows is proportional to how
 * many of its k nearest neighbours among all rows belong to another class (hard, border rows get
 * more), rounded per member, so the total may differ slightly from the gap.
 */
export function adasynPlan(X: Matrix, y: ArrayLike<number>, opts: AdasynOptions = {}): AdasynClassPlan[] {
  const k = opts.k ?? 5;
  if (!Number.isInteger(k) || k < 1)
    throw new InputError('INVALID_OPTION', `k must be an integer >= 1, got ${k}`, { column: 'k', value: k });
  const { labels, classes, counts } = classCounts(y, X.rows);
  const { rows: n, cols: d, data } = X;
  checkComplete(X);
  if (n < k + 1) {
    throw new InputError('TOO_FEW_ROWS', `ADASYN with k = ${k} needs at least ${k + 1} rows, got ${n}`, {
      value: n,
      expected: `>= ${k + 1} rows`,
    });
  }
  const all = new Float64Array(n * d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) all[r * d + c] = data[c * n + r];
  const max = Math.max(...counts);
  const plans: AdasynClassPlan[] = [];
  const dist = new Float64Array(k);
  for (const [cls, list] of membersByClass(labels, classes).entries()) {
    const m = list.length;
    const need = max - m;
    if (need === 0 || m === 0) continue;
    if (m < k + 1) {
      throw new InputError(
        'CLASS_TOO_SMALL',
        `class ${cls} has ${m} rows; ADASYN with k = ${k} needs at least ${k + 1} (lower k or use randomOverSample)`,
        { value: m, expected: `>= ${k + 1} rows` },
      );
    }
    const members = Int32Array.from(list);
    const ratio = new Float64Array(m);
    const nn = new Int32Array(k);
    let sum = 0;
    for (let i = 0; i < m; i++) {
      nearest(all, n, d, members[i], k, nn, dist, null);
      let other = 0;
      for (let j = 0; j < k; j++) if (labels[nn[j]] !== cls) other++;
      ratio[i] = other / k;
      sum += ratio[i];
    }
    if (sum === 0) {
      throw new InputError(
        'NO_BORDER_ROWS',
        `ADASYN: no row of class ${cls} has a neighbour from another class, so it has nothing to weight by (use smote)`,
        { value: cls },
      );
    }
    const g = new Int32Array(m);
    for (let i = 0; i < m; i++) g[i] = roundHalfEven((ratio[i] / sum) * need);
    const neighbours = new Int32Array(m * k);
    for (let i = 0; i < m; i++) {
      nearest(all, n, d, members[i], k, nn, dist, members);
      neighbours.set(nn, i * k);
    }
    plans.push({ cls, members, ratio, counts: g, neighbours, k });
  }
  return plans;
}

/**
 * ADASYN for training only (call it on a CV fold's training rows, never on test rows): the plan's
 * g_i synthetic rows per member, each at a uniform random point on the segment between the member
 * and one of its k nearest same-class neighbours (drawn uniformly). Scale features first; X must
 * have no missing values. Output: the original rows, then the synthetic ones (`indices` -1).
 *
 * ```ts
 * const { X: Xb, y: yb } = adasyn(take(X, fold.train), yTrainFold, { k: 5, seed: 42 });
 * ```
 */
export function adasyn(X: Matrix, y: ArrayLike<number>, opts: AdasynOptions = {}): Resampled {
  const plans = adasynPlan(X, y, opts);
  const { labels } = classCounts(y, X.rows);
  const { rows: n, cols: d, data } = X;
  let total = 0;
  for (const p of plans) for (let i = 0; i < p.counts.length; i++) total += p.counts[i];
  const N = n + total;
  const out = new Float64Array(N * d);
  for (let c = 0; c < d; c++) out.set(data.subarray(c * n, (c + 1) * n), c * N);
  const yOut = new Int32Array(N);
  yOut.set(labels);
  const indices = new Int32Array(N).fill(-1);
  for (let i = 0; i < n; i++) indices[i] = i;
  const rng = createRng(opts.seed ?? 0);
  let next = n;
  for (const p of plans) {
    for (let i = 0; i < p.members.length; i++) {
      const a = p.members[i];
      for (let s = 0; s < p.counts[i]; s++) {
        const b = p.neighbours[i * p.k + rng.int(p.k)];
        const gap = rng.random();
        for (let c = 0; c < d; c++) {
          const va = data[c * n + a];
          out[c * N + next] = va + gap * (data[c * n + b] - va);
        }
        yOut[next] = p.cls;
        next++;
      }
    }
  }
  return { X: createMatrix(N, d, out, X.columns), y: yOut, indices };
}

/** numpy's rint: to the nearest integer, halves to even. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The k nearest rows to row `self` (excluding it) among `among` (or every row when null), nearest
 * first, ties by lower row index (a stable sort, as scikit-learn's brute force).
 */
function nearest(
  rows: Float64Array,
  n: number,
  d: number,
  self: number,
  k: number,
  nn: Int32Array,
  dist: Float64Array,
  among: Int32Array | null,
): void {
  dist.fill(Infinity);
  nn.fill(-1);
  const m = among ? among.length : n;
  for (let t = 0; t < m; t++) {
    const j = among ? among[t] : t;
    if (j === self) continue;
    let s = 0;
    for (let c = 0; c < d; c++) {
      const u = rows[self * d + c] - rows[j * d + c];
      s += u * u;
    }
    if (s >= dist[k - 1]) continue;
    let p = k - 1;
    while (p > 0 && dist[p - 1] > s) {
      dist[p] = dist[p - 1];
      nn[p] = nn[p - 1];
      p--;
    }
    dist[p] = s;
    nn[p] = j;
  }
}

function checkComplete(X: Matrix): void {
  const { rows: n, cols: d, data } = X;
  for (let c = 0; c < d; c++) {
    for (let r = 0; r < n; r++) {
      if (!Number.isFinite(data[c * n + r])) {
        throw new InputError(
          'MISSING_VALUE',
          `ADASYN needs complete numeric data; feature "${X.columns[c]}" is ${data[c * n + r]} at row ${r} (impute first)`,
          { row: r, column: X.columns[c], value: data[c * n + r], expected: 'a finite number' },
        );
      }
    }
  }
}
