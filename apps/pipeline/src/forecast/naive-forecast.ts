/**
 * The naive last-value forecast: the entity's last observed weekly value, whatever the horizon
 * (`fallback`, the training mean, where an entity has no value yet). The baseline every model
 * must beat.
 */
export function naiveForecast(lastValue: ArrayLike<number | null>, fallback: number): Float64Array {
  const out = new Float64Array(lastValue.length);
  for (let i = 0; i < out.length; i++) {
    const v = lastValue[i];
    out[i] = v === null || v !== v ? fallback : v;
  }
  return out;
}
