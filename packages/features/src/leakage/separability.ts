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

let valBuf = new Float64Array(0);

/**
 * One-vs-rest ROC AUC of `scores` for every class at once (Mann-Whitney U, ties counted half),
 * from one pass: values are bucketed by class, each bucket sorted, and the buckets merged to
 * give mid-ranks. `out[k]` is the AUC of class k against the rest (0.5 when k is absent).
 */
export function oneVsRestAucs(
  scores: Float64Array,
  labels: Int32Array,
  classes: number,
  out: Float64Array = new Float64Array(classes),
): Float64Array {
  const n = scores.length;
  if (valBuf.length < n) valBuf = new Float64Array(n);
  const counts = new Int32Array(classes);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  const start = new Int32Array(classes + 1);
  for (let k = 0; k < classes; k++) start[k + 1] = start[k] + counts[k];
  const fill = start.slice(0, classes);
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    valBuf[fill[labels[i]]++] = s === s ? s : -Infinity;
  }
  for (let k = 0; k < classes; k++) valBuf.subarray(start[k], start[k + 1]).sort();
  const ptr = start.slice(0, classes);
  const rankSum = new Float64Array(classes);
  const tie = new Int32Array(classes);
  let done = 0;
  while (done < n) {
    let v = Infinity;
    let any = false;
    for (let k = 0; k < classes; k++) {
      if (ptr[k] < start[k + 1] && (!any || valBuf[ptr[k]] < v)) {
        v = valBuf[ptr[k]];
        any = true;
      }
    }
    let t = 0;
    for (let k = 0; k < classes; k++) {
      let c = 0;
      while (ptr[k] < start[k + 1] && valBuf[ptr[k]] === v) {
        ptr[k]++;
        c++;
      }
      tie[k] = c;
      t += c;
    }
    const mid = done + (t + 1) / 2;
    for (let k = 0; k < classes; k++) if (tie[k] > 0) rankSum[k] += tie[k] * mid;
    done += t;
  }
  for (let k = 0; k < classes; k++) {
    const p = counts[k];
    const q = n - p;
    out[k] = p === 0 || q === 0 ? 0.5 : (rankSum[k] - (p * (p + 1)) / 2) / (p * q);
  }
  return out;
}

/** ROC AUC of `scores` for `labels === cls` against the rest; max(AUC, 1 - AUC) when `symmetric`. */
export function rankAuc(
  scores: Float64Array,
  labels: Int32Array,
  cls: number,
  classes: number,
  symmetric = true,
): number {
  const auc = oneVsRestAucs(scores, labels, classes)[cls];
  return symmetric ? Math.max(auc, 1 - auc) : auc;
}

/** The best one-vs-rest AUC over classes (binary: the AUC), direction-free, and the class reaching it. */
export function bestOneVsRestAuc(scores: Float64Array, target: EncodedTarget): { auc: number; cls: number } {
  const aucs = oneVsRestAucs(scores, target.labels, target.classes);
  let best = 0.5;
  let cls = target.classes === 2 ? 1 : 0;
  const from = target.classes === 2 ? 1 : 0;
  for (let k = from; k < target.classes; k++) {
    const a = Math.max(aucs[k], 1 - aucs[k]);
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
export function outOfFoldEncoding(
  codes: Int32Array,
  nCodes: number,
  target: EncodedTarget,
  cls: number,
  out: Float64Array,
): Float64Array {
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
