import { binaryClfCurve } from './binary-clf-curve';
import { binaryInputs, type CurveOptions } from './roc-curve';

export interface PrecisionRecallCurve {
  /** precision[i] at thresholds[i]; the last entry is 1 (no threshold). */
  precision: Float64Array;
  /** Decreasing; the last entry is 0. With no positive row in yTrue, recall is 1 at every threshold. */
  recall: Float64Array;
  /** Increasing distinct scores; one fewer entry than precision and recall. */
  thresholds: Float64Array;
}

export function prFromCounts(
  t: Float64Array,
  s: Float64Array,
  w: Float64Array | undefined,
  posLabel: number,
): PrecisionRecallCurve {
  const { fps, tps, thresholds } = binaryClfCurve(t, s, posLabel, w);
  const m = tps.length;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const th = new Float64Array(m);
  const last = tps[m - 1];
  for (let i = 0; i < m; i++) {
    const src = m - 1 - i;
    const ps = tps[src] + fps[src];
    precision[i] = ps === 0 ? 0 : tps[src] / ps;
    recall[i] = last === 0 ? 1 : tps[src] / last;
    th[i] = thresholds[src];
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: th };
}

/** Precision and recall at every distinct score of a binary problem, as scikit-learn 1.2's `precision_recall_curve`. */
export function precisionRecallCurve(
  yTrue: ArrayLike<number>,
  yScore: ArrayLike<number>,
  options: CurveOptions = {},
): PrecisionRecallCurve {
  const { t, s, w, posLabel } = binaryInputs(yTrue, yScore, options);
  return prFromCounts(t, s, w, posLabel);
}
