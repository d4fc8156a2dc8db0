/**
 * How well one numeric score separates the target: rank ROC AUC (binary and one-vs-rest), R²,
 * Spearman correlation and out-of-fold category encodings. Shared by the leakage checks.
 * Missing scores (NaN) rank lowest, so informative missingness counts as signal.
 */

/** Labels prepared once per target: class codes 0..k-1 (classification) or values (regression). */
export interface EncodedTarget {
  /** Rows with a known target, as indices into the table's rows. */
  readonly n: number;
  readonly classes: number; // 0 for regression
  readonly labels: Int32Array; // class per row (classification)
  readonly values: Float64Array; // numeric target (regression) or class code as number
  readonly classNames: readonly string[];
}

const negBuf: { a: Float64Array } = { a: new Float64Array(0) };
const posBuf: { a: Float64Array } = { a: new Float64Array(0) };

function buffer(holder: { a: Float64Array }, n: number): Float64Array {
  if (holder.a.length < n) holder.a = new Float64Array(n);
  return holder.a;
}

/**
 * ROC AUC of `scores` for `labels === cls` against the rest (Mann-Whitney U with ties counted
 * half). Returns max(AUC, 1 - AUC) when `symmetric` so direction does not matter.
 */
export function rankAuc(scores: Float64Array, labels: Int32Array, cls: number, symmetric = true): number {
  const n = scores.length;
  const pos = buffer(posBuf, n);
  const neg = buffer(negBuf, n);
  let np = 0;
  let nn = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    const v = s === s ? s : -Infinity;
    if (labels[i] === cls) pos[np++] = v;
    else neg[nn++] = v;
  }
  if (np === 0 || nn === 0) return 0.5;
  const p = pos.subarray(0, np).sort();
  const q = neg.subarray(0, nn).sort();
  let lo = 0; // first neg >= v
  let hi = 0; // first neg > v
  let sum = 0;
  for (let i = 0; i < np; i++) {
    const v = p[i];
    while (lo < nn && q[lo] < v) lo++;
    if (hi < lo) hi = lo;
    while (hi < nn && q[hi] <= v) hi++;
    sum += lo + 0.5 * (hi - lo);
  }
  const auc = sum / (np * nn);
  return symmetric ? Math.max(auc, 1 - auc) : auc;
}

/** The best one-vs-rest AUC over classes (binary: the AUC), and the class that reaches it. */
export function bestOneVsRestAuc(scores: Float64Array, target: EncodedTarget): { auc: number; cls: number } {
  if (target.classes === 2) return { auc: rankAuc(scores, target.labels, 1), cls: 1 };
  let best = 0.5;
  let cls = 0;
  for (let k = 0; k < target.classes; k++) {
    const a = rankAuc(scores, target.labels, k);
    if (a > best) {
      best = a;
      cls = k;
    }
  }
  return { auc: best, cls };
}

/** Squared Pearson correlation over rows where both are present. */
export function rSquared(x: Float64Array, y: Float64Array): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] === x[i] && y[i] === y[i]) {
      n++;
      sx += x[i];
      sy += y[i];
    }
  }
  if (n < 3) return 0;
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] === x[i] && y[i] === y[i]) {
      const dx = x[i] - mx;
      const dy = y[i] - my;
      sxx += dx * dx;
      syy += dy * dy;
      sxy += dx * dy;
    }
  }
  if (sxx === 0 || syy === 0) return 0;
  return (sxy * sxy) / (sxx * syy);
}

/** Average ranks (1-based, ties share their mean rank); missing ranks lowest. */
export function averageRanks(x: Float64Array): Float64Array {
  const n = x.length;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = x[i] === x[i] ? x[i] : -Infinity;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => v[a] - v[b] || a - b);
  const r = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && v[idx[j]] === v[idx[i]]) j++;
    const mid = (i + j + 1) / 2;
    for (let t = i; t < j; t++) r[idx[t]] = mid;
    i = j;
  }
  return r;
}

/** Pearson correlation of two rank vectors (Spearman's rho when they are ranks). */
export function correlation(a: Float64Array, b: Float64Array): number {
  const r2 = rSquared(a, b);
  let s = 0;
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  for (let i = 0; i < n; i++) s += (a[i] - ma) * (b[i] - mb);
  return Math.sign(s) * Math.sqrt(r2);
}

/**
 * Out-of-fold target encoding of category codes (5 interleaved folds, smoothed by one prior
 * observation), so a code seen once (an identifier) gets the prior and scores nothing.
 * Classification: the rate of class `cls`; regression: the mean target.
 */
export function outOfFoldEncoding(codes: Int32Array, nCodes: number, target: EncodedTarget, cls: number, out: Float64Array): Float64Array {
  const folds = 5;
  const n = codes.length;
  const sum = new Float64Array(nCodes * (folds + 1));
  const cnt = new Float64Array(nCodes * (folds + 1));
  let total = 0;
  for (let i = 0; i < n; i++) {
    const y = target.classes > 0 ? (target.labels[i] === cls ? 1 : 0) : target.values[i];
    total += y;
    const c = codes[i];
    const f = i % folds;
    sum[c * (folds + 1) + f] += y;
    cnt[c * (folds + 1) + f] += 1;
    sum[c * (folds + 1) + folds] += y;
    cnt[c * (folds + 1) + folds] += 1;
  }
  const prior = total / n;
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    const f = i % folds;
    const s = sum[c * (folds + 1) + folds] - sum[c * (folds + 1) + f];
    const m = cnt[c * (folds + 1) + folds] - cnt[c * (folds + 1) + f];
    out[i] = (s + prior) / (m + 1);
  }
  return out;
}
