import { InputError } from '@campaign-ml/core';
import { binaryClfCurve } from './binary-clf-curve';
import { checkPair, checkWeights, uniqueSorted } from './metric-inputs';

export interface CurveOptions {
  /** The label counted as positive (default 1). */
  posLabel?: number;
  sampleWeight?: ArrayLike<number>;
}

export interface RocCurveOptions extends CurveOptions {
  /** Drop points that lie on a straight segment between their neighbours (default true, as scikit-learn). */
  dropIntermediate?: boolean;
}

export interface RocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  /** Decreasing; thresholds[0] = max score + 1 so the curve starts at (0, 0) (scikit-learn 1.2). */
  thresholds: Float64Array;
}

/** Check binary truth and one score per row; returns them as Float64Arrays with the weights. */
export function binaryInputs(
  yTrue: ArrayLike<number>,
  yScore: ArrayLike<number>,
  options: CurveOptions,
): { t: Float64Array; s: Float64Array; w: Float64Array | undefined; posLabel: number } {
  const [t, s] = checkPair(yTrue, yScore, 'yScore');
  const w = checkWeights(options.sampleWeight, t.length);
  const labels = uniqueSorted(t);
  if (labels.length > 2) {
    throw new InputError(
      'MULTICLASS_TARGET',
      `yTrue holds ${labels.length} labels (${labels.slice(0, 6).join(', ')}); this curve needs a binary target`,
      { value: labels.length, expected: 'at most two labels' },
    );
  }
  const posLabel = options.posLabel ?? 1;
  if (labels.length === 2 && !labels.includes(posLabel)) {
    throw new InputError(
      'INVALID_POS_LABEL',
      `posLabel ${posLabel} is not one of the labels in yTrue (${labels.join(', ')})`,
      {
        value: posLabel,
        expected: `one of ${labels.join(', ')}`,
      },
    );
  }
  return { t, s, w, posLabel };
}

/** Receiver operating characteristic for binary scores, as scikit-learn 1.2's `roc_curve`. */
export function rocCurve(yTrue: ArrayLike<number>, yScore: ArrayLike<number>, options: RocCurveOptions = {}): RocCurve {
  const { t, s, w, posLabel } = binaryInputs(yTrue, yScore, options);
  return rocFromCounts(t, s, w, posLabel, options.dropIntermediate ?? true);
}

export function rocFromCounts(
  t: Float64Array,
  s: Float64Array,
  w: Float64Array | undefined,
  posLabel: number,
  dropIntermediate: boolean,
): RocCurve {
  let { fps, tps, thresholds } = binaryClfCurve(t, s, posLabel, w);
  const m = fps.length;
  if (dropIntermediate && m > 2) {
    // Keep corners only: points whose second difference in fps or tps is non-zero (scikit-learn's test).
    const keep = new Uint32Array(m);
    let k = 0;
    keep[k++] = 0;
    for (let i = 1; i < m - 1; i++) {
      const df = fps[i + 1] - fps[i] - (fps[i] - fps[i - 1]);
      const dt = tps[i + 1] - tps[i] - (tps[i] - tps[i - 1]);
      if (df !== 0 || dt !== 0) keep[k++] = i;
    }
    keep[k++] = m - 1;
    const f2 = new Float64Array(k);
    const t2 = new Float64Array(k);
    const th2 = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      f2[i] = fps[keep[i]];
      t2[i] = tps[keep[i]];
      th2[i] = thresholds[keep[i]];
    }
    fps = f2;
    tps = t2;
    thresholds = th2;
  }
  const len = fps.length + 1;
  const fpr = new Float64Array(len);
  const tpr = new Float64Array(len);
  const th = new Float64Array(len);
  th[0] = thresholds[0] + 1;
  th.set(thresholds, 1);
  const fLast = fps[fps.length - 1];
  const tLast = tps[tps.length - 1];
  for (let i = 1; i < len; i++) {
    fpr[i] = fLast <= 0 ? NaN : fps[i - 1] / fLast;
    tpr[i] = tLast <= 0 ? NaN : tps[i - 1] / tLast;
  }
  if (fLast <= 0) fpr[0] = NaN;
  if (tLast <= 0) tpr[0] = NaN;
  return { fpr, tpr, thresholds: th };
}

/** Area under a curve by the trapezoidal rule (x increasing). */
export function trapezoid(x: Float64Array, y: Float64Array): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}
