import type { ColumnTable } from 'arquero';
import type { Schema } from '@campaign-ml/schema';

/**
 * Training distributions kept in the bundle, so drift checks can compare new data and new
 * predictions against what the model was trained on without the training data.
 */
export interface NumericReference {
  kind: 'numeric';
  /** Inner bin edges (deciles of the training values); bins are (-inf, e0], (e0, e1], ..., (ek, inf). */
  edges: number[];
  /** Share of non-missing training values per bin (edges.length + 1 entries). */
  fractions: number[];
  missing: number;
  mean: number;
  std: number;
}

export interface CategoricalReference {
  kind: 'categorical';
  /** Share of non-missing values per category (the 50 most frequent; the rest under "(other)"). */
  fractions: Record<string, number>;
  missing: number;
}

export type ColumnReference = NumericReference | CategoricalReference;

export interface Reference {
  rows: number;
  inputs: Record<string, ColumnReference>;
  /** Predicted positive-class probability (binary), max class probability (multiclass) or value (regression). */
  predictions: NumericReference;
  /**
   * Binary: what performance estimation without labels (CBPE) keeps of the labelled test split,
   * written by training with @campaign-ml/drift's summarizePerformanceReference.
   */
  performance?: PerformanceReference;
}

/** The test split's realised metrics, their sd over consecutive chunks, and the calibration check, at the bundle's threshold. */
export interface PerformanceReference {
  method: 'cbpe';
  threshold: number;
  rows: number;
  chunks: number;
  realised: Record<string, number>;
  chunkSd: Record<string, number>;
  calibration: {
    checked: boolean;
    calibrated: boolean | null;
    rule: string;
    ece?: number;
    metrics?: Record<string, { estimated: number; realised: number; gap: number; tolerance: number }>;
    failed?: string[];
  };
}

export function numericReference(values: ArrayLike<number>, bins = 10): NumericReference {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) present.push(values[i]);
  present.sort((a, b) => a - b);
  const n = present.length;
  const edges: number[] = [];
  for (let b = 1; b < bins && n > 0; b++) {
    const e = present[Math.min(n - 1, Math.floor((b * n) / bins))];
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  const counts = new Array<number>(edges.length + 1).fill(0);
  let sum = 0;
  let sq = 0;
  for (const v of present) {
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v <= edges[mid]) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]++;
    sum += v;
    sq += v * v;
  }
  const mean = n ? sum / n : NaN;
  return {
    kind: 'numeric',
    edges,
    fractions: counts.map((c) => (n ? c / n : 0)),
    missing: values.length ? (values.length - n) / values.length : 0,
    mean,
    std: n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : NaN,
  };
}

export function categoricalReference(values: ArrayLike<unknown>, top = 50): CategoricalReference {
  const counts = new Map<string, number>();
  let present = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    present++;
    const k = String(v);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const fractions: Record<string, number> = {};
  let other = 0;
  sorted.forEach(([k, c], i) => {
    if (i < top) fractions[k] = c / present;
    else other += c;
  });
  if (other > 0) fractions['(other)'] = other / present;
  return { kind: 'categorical', fractions, missing: values.length ? (values.length - present) / values.length : 0 };
}

/** Reference distributions of every input column the schema lists. */
export function computeReference(table: ColumnTable, schema: Schema, predictions: ArrayLike<number>): Reference {
  const inputs: Record<string, ColumnReference> = {};
  for (const col of schema.columns) {
    if (!table.columnNames().includes(col.name)) continue;
    const values = table.array(col.name) as ArrayLike<unknown>;
    if (col.type === 'number' || col.type === 'integer')
      inputs[col.name] = numericReference(
        Float64Array.from(values as ArrayLike<number>, (v) => (v === null ? NaN : Number(v))),
      );
    else if (col.type === 'datetime')
      inputs[col.name] = numericReference(
        Float64Array.from(values as ArrayLike<unknown>, (v) => (v instanceof Date ? v.getTime() : NaN)),
      );
    else if (col.type === 'category' || col.type === 'boolean') inputs[col.name] = categoricalReference(values);
  }
  return { rows: table.numRows(), inputs, predictions: numericReference(predictions, 20) };
}
