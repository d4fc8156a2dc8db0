/**
 * Counts of false and true positives at each distinct score, scanning from the highest score down
 * (scikit-learn's `_binary_clf_curve`): the common ground of the ROC and precision-recall curves.
 * Tied scores form one threshold. Rows with zero weight are dropped first, as scikit-learn does.
 */
export interface ClfCurveCounts {
  fps: Float64Array;
  tps: Float64Array;
  thresholds: Float64Array;
}

export function binaryClfCurve(
  yTrue: Float64Array,
  score: Float64Array,
  posLabel: number,
  w: Float64Array | undefined,
): ClfCurveCounts {
  if (!w) return unweightedCurve(yTrue, score, posLabel);
  let m = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) m++;
  const rows = new Uint32Array(m);
  m = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) rows[m++] = i;
  // Stable ascending sort, then read backwards: the same order as numpy's mergesort()[::-1].
  rows.sort((a, b) => score[a] - score[b] || a - b);
  const n = rows.length;
  let distinct = 0;
  for (let i = n - 1; i >= 0; i--) if (i === 0 || score[rows[i]] !== score[rows[i - 1]]) distinct++;
  const fps = new Float64Array(distinct);
  const tps = new Float64Array(distinct);
  const thresholds = new Float64Array(distinct);
  let tp = 0;
  let fp = 0;
  let j = 0;
  for (let pos = 0; pos < n; pos++) {
    const r = rows[n - 1 - pos];
    const isPos = yTrue[r] === posLabel ? 1 : 0;
    tp += isPos * w[r];
    fp += (1 - isPos) * w[r];
    const last = pos === n - 1;
    if (last || score[r] !== score[rows[n - 2 - pos]]) {
      tps[j] = tp;
      fps[j] = fp;
      thresholds[j] = score[r];
      j++;
    }
  }
  return { fps, tps, thresholds };
}

/**
 * Without weights the counts are integers, so the order inside a tie does not matter: sort the
 * positives' and negatives' scores natively (no comparator) and merge them from the top.
 */
function unweightedCurve(yTrue: Float64Array, score: Float64Array, posLabel: number): ClfCurveCounts {
  const n = score.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === posLabel) nPos++;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(n - nPos);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (yTrue[i] === posLabel) pos[a++] = score[i];
    else neg[b++] = score[i];
  }
  pos.sort();
  neg.sort();
  const fps = new Float64Array(n);
  const tps = new Float64Array(n);
  const thresholds = new Float64Array(n);
  let i = nPos - 1;
  let j = n - nPos - 1;
  let tp = 0;
  let fp = 0;
  let m = 0;
  while (i >= 0 || j >= 0) {
    const v = j < 0 || (i >= 0 && pos[i] > neg[j]) ? pos[i] : neg[j];
    while (i >= 0 && pos[i] === v) {
      tp++;
      i--;
    }
    while (j >= 0 && neg[j] === v) {
      fp++;
      j--;
    }
    tps[m] = tp;
    fps[m] = fp;
    thresholds[m] = v;
    m++;
  }
  return { fps: fps.slice(0, m), tps: tps.slice(0, m), thresholds: thresholds.slice(0, m) };
}
