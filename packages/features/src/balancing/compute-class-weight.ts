import { InputError } from '@campaign-ml/core';
import { classCounts } from './class-counts';

/**
 * Class weights as in scikit-learn's `compute_class_weight('balanced')`: n / (classes * count_k),
 * so every class carries the same total weight. A record maps class index to a given weight
 * (missing classes get 1). Classes absent from y get weight 0 under 'balanced'.
 */
export function computeClassWeight(
  mode: 'balanced' | Readonly<Record<number, number>>,
  y: ArrayLike<number>,
): Float64Array {
  const { classes, counts } = classCounts(y);
  const w = new Float64Array(classes);
  if (mode === 'balanced') {
    let present = 0;
    for (let k = 0; k < classes; k++) if (counts[k] > 0) present++;
    for (let k = 0; k < classes; k++) w[k] = counts[k] > 0 ? y.length / (present * counts[k]) : 0;
    return w;
  }
  for (let k = 0; k < classes; k++) {
    const v = mode[k] ?? 1;
    if (!(v >= 0) || !Number.isFinite(v))
      throw new InputError('INVALID_WEIGHT', `class weight for class ${k} is ${v}; weights must be finite and >= 0`, {
        value: v,
      });
    w[k] = v;
  }
  return w;
}

/** Per-row sample weights from per-class weights (pass as FitOptions.sampleWeight). */
export function sampleWeightFromClassWeight(y: ArrayLike<number>, classWeight: ArrayLike<number>): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const w = classWeight[y[i]];
    if (w === undefined)
      throw new InputError('INVALID_LABEL', `label ${y[i]} at row ${i} has no class weight`, { row: i, value: y[i] });
    out[i] = w;
  }
  return out;
}
