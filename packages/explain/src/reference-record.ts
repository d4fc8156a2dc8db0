import type { Bundle } from '@campaign-ml/bundle';

/**
 * One typical record from the bundle's reference distributions, for bundles written without a
 * background sample: the median decile edge of numbers and dates, the most frequent category or
 * boolean. Null when some required column has no reference to draw from.
 */
export function referenceRecord(bundle: Bundle): Record<string, unknown> | null {
  const ref = bundle.document.reference;
  if (!ref) return null;
  const out: Record<string, unknown> = {};
  for (const column of bundle.requiredColumns) {
    const spec = bundle.document.schema.columns.find((c) => c.name === column);
    const r = ref.inputs[column];
    if (!spec || !r) return null;
    if (r.kind === 'numeric') {
      const mid = r.edges.length ? r.edges[Math.floor((r.edges.length - 1) / 2)] : r.mean;
      if (!Number.isFinite(mid)) return null;
      if (spec.type === 'datetime') out[column] = new Date(mid).toISOString();
      else out[column] = spec.type === 'integer' ? Math.round(mid) : mid;
    } else {
      const top = Object.entries(r.fractions)
        .filter(([k]) => k !== '(other)')
        .sort((a, b) => b[1] - a[1])[0];
      if (!top) return null;
      out[column] = spec.type === 'boolean' ? top[0] === 'true' : top[0];
    }
  }
  return out;
}
