import { type Matrix, InputError, checkClassLabels, createRng } from '@campaign-ml/core';
import type { FeatureScores } from './f-classif';
import { digamma } from './special-functions';

export interface MutualInfoOptions {
  /** Neighbours of the k-NN estimator (default 3, as scikit-learn). */
  nNeighbors?: number;
  /** Features (index or name) to treat as discrete: scored from their contingency table. */
  discreteFeatures?: ReadonlyArray<number | string>;
  /** Seed of the tiny jitter that breaks ties (default 0). */
  seed?: number;
}

/**
 * Mutual information (nats) between each feature and the class, like scikit-learn's
 * `mutual_info_classif`: continuous features use the k-nearest-neighbour estimator of Ross (2014)
 * on the feature scaled to unit variance, discrete ones the plug-in contingency estimate.
 * Differences: the tie-breaking jitter (1e-10 × max(1, mean |x|) × N(0, 1)) comes from core's RNG,
 * so values differ from scikit-learn's in the last digits for a given seed, and the radius count
 * uses a strict inequality in place of scikit-learn's nextafter. Missing values are refused.
 * Negative estimates are clipped to 0.
 */
export function mutualInfoClassif(X: Matrix, y: ArrayLike<number>, opts: MutualInfoOptions = {}): FeatureScores {
  const k = opts.nNeighbors ?? 3;
  if (!Number.isInteger(k) || k < 1)
    throw new InputError('INVALID_OPTION', `nNeighbors must be an integer >= 1, got ${k}`, { value: k });
  const { labels, classes } = checkClassLabels(y);
  const { rows: n, cols: d, data } = X;
  if (labels.length !== n)
    throw new InputError('LENGTH_MISMATCH', `X has ${n} rows but y has ${labels.length} labels`, {
      value: labels.length,
    });
  const discrete = new Uint8Array(d);
  for (const f of opts.discreteFeatures ?? []) {
    const i = typeof f === 'number' ? f : X.columns.indexOf(f);
    if (!(i >= 0 && i < d))
      throw new InputError('UNKNOWN_COLUMN', `discrete feature ${String(f)} is not in X`, { value: f });
    discrete[i] = 1;
  }
  const rng = createRng(opts.seed ?? 0);
  const scores = new Float64Array(d);
  const x = new Float64Array(n);
  for (let c = 0; c < d; c++) {
    let absSum = 0;
    let s = 0;
    for (let r = 0; r < n; r++) {
      const v = data[c * n + r];
      if (!Number.isFinite(v)) {
        throw new InputError(
          'MISSING_VALUE',
          `mutualInfoClassif needs complete data; feature "${X.columns[c]}" is ${v} at row ${r} (impute first)`,
          {
            row: r,
            column: X.columns[c],
            value: v,
          },
        );
      }
      x[r] = v;
      s += v;
    }
    if (discrete[c]) {
      scores[c] = contingencyMi(x, labels, classes);
      continue;
    }
    const mean = s / n;
    let ss = 0;
    for (let r = 0; r < n; r++) ss += (x[r] - mean) ** 2;
    const sd = Math.sqrt(ss / n) || 1;
    for (let r = 0; r < n; r++) {
      x[r] /= sd;
      absSum += Math.abs(x[r]);
    }
    const jitter = 1e-10 * Math.max(1, absSum / n);
    for (let r = 0; r < n; r++) x[r] += jitter * rng.normal();
    scores[c] = knnMi(x, labels, classes, k);
  }
  return { scores };
}

function contingencyMi(x: Float64Array, labels: Int32Array, classes: number): number {
  const n = x.length;
  const codes = new Map<number, number>();
  const xc = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let c = codes.get(x[i]);
    if (c === undefined) codes.set(x[i], (c = codes.size));
    xc[i] = c;
  }
  const m = codes.size;
  const joint = new Float64Array(m * classes);
  const px = new Float64Array(m);
  const py = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    joint[xc[i] * classes + labels[i]]++;
    px[xc[i]]++;
    py[labels[i]]++;
  }
  let mi = 0;
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < classes; b++) {
      const j = joint[a * classes + b];
      if (j > 0) mi += (j / n) * Math.log((j * n) / (px[a] * py[b]));
    }
  }
  return Math.max(0, mi);
}

/** Ross (2014) estimator for a continuous 1-D feature and a discrete label. */
function knnMi(x: Float64Array, labels: Int32Array, classes: number, nNeighbors: number): number {
  const n = x.length;
  const counts = new Float64Array(classes);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  const radius = new Float64Array(n);
  const kOf = new Float64Array(n);
  const vals = new Float64Array(n);
  for (let cls = 0; cls < classes; cls++) {
    const m = counts[cls];
    if (m < 2) continue;
    const kk = Math.min(nNeighbors, m - 1);
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (labels[i] === cls) idx.push(i);
    idx.sort((a, b) => x[a] - x[b]);
    for (let j = 0; j < m; j++) vals[j] = x[idx[j]];
    for (let j = 0; j < m; j++) {
      // the kk nearest in sorted 1-D order: grow a window around j
      let lo = j - 1;
      let hi = j + 1;
      let dist = 0;
      for (let t = 0; t < kk; t++) {
        const dl = lo >= 0 ? vals[j] - vals[lo] : Infinity;
        const dh = hi < m ? vals[hi] - vals[j] : Infinity;
        if (dl <= dh) {
          dist = dl;
          lo--;
        } else {
          dist = dh;
          hi++;
        }
      }
      radius[idx[j]] = dist;
      kOf[idx[j]] = kk;
    }
  }
  const all = Float64Array.from(x).sort();
  let used = 0;
  let sumK = 0;
  let sumLabel = 0;
  let sumM = 0;
  for (let i = 0; i < n; i++) {
    if (counts[labels[i]] < 2) continue;
    used++;
    const r = radius[i];
    // points strictly within r of x[i] (itself included)
    const cnt = lowerBound(all, x[i] + r) - upperBound(all, x[i] - r);
    sumK += digamma(kOf[i]);
    sumLabel += digamma(counts[labels[i]]);
    sumM += digamma(Math.max(1, cnt));
  }
  if (used === 0) return 0;
  const mi = digamma(used) + sumK / used - sumLabel / used - sumM / used;
  return Math.max(0, mi);
}

/** First index with a[i] >= v. */
function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with a[i] > v. */
function upperBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
