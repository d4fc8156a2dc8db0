import type { Prediction } from '@campaign-ml/bundle';

/**
 * One number per prediction, as the bundle's reference keeps the prediction distribution:
 * binary P(positive class), multiclass the top probability, regression the value.
 */
export function predictionValues(classes: readonly string[], predictions: readonly Prediction[]): Float64Array {
  const out = new Float64Array(predictions.length);
  const positive = classes.length === 2 ? classes[1] : undefined;
  for (let i = 0; i < predictions.length; i++) {
    const p = predictions[i];
    if (!p.probabilities) out[i] = typeof p.label === 'number' ? p.label : NaN;
    else if (positive !== undefined) out[i] = p.probabilities[positive];
    else {
      let best = -Infinity;
      for (const c of classes) if (p.probabilities[c] > best) best = p.probabilities[c];
      out[i] = best;
    }
  }
  return out;
}
