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

export function binaryClfCurve(yTrue: Float64Array, score: Float64Array, posLabel: number, w: Float64Array | undefined): ClfCurveCounts {
  let rows: Uint32Array;
  if (w) {
    let m = 0;
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) m++;
    rows = new Uint32Array(m);
    m = 0;
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) rows[m++] = i;
  } else {
    rows = new Uint32Array(score.length);
    for (let i = 0; i < rows.length; i++) rows[i] = i;
  }
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
    if (w) {
      tp += isPos * w[r];
      fp += (1 - isPos) * w[r];
    } else {
      tp += isPos;
    }
    const last = pos === n - 1;
    if (last || score[r] !== score[rows[n - 2 - pos]]) {
      tps[j] = tp;
      fps[j] = w ? fp : 1 + pos - tp;
      thresholds[j] = score[r];
      j++;
    }
  }
  return { fps, tps, thresholds };
}
