import type { ColumnTable } from 'arquero';
import * as aq from 'arquero';
import { ConfigError, InputError, SchemaError, createRng } from '@campaign-ml/core';
import type { Bundle } from '@campaign-ml/bundle';
import type { ColumnSchema } from '@campaign-ml/schema';
import { limeKernel, limeKernelWidth } from './lime-kernel';
import { binOf, quartileEdges } from './quartile-discretizer';
import { weightedRidge } from './weighted-ridge';

export interface LimeOptions {
  /** Perturbed samples around the record (the record itself is the first). Default 5000. */
  numSamples?: number;
  /** Features in the explanation. Default 10. */
  numFeatures?: number;
  /**
   * How features are chosen: 'auto' (LIME's default: forward selection when numFeatures <= 6,
   * else highest weights), 'forward-selection', 'highest-weights' or 'none' (all features).
   */
  featureSelection?: 'auto' | 'forward-selection' | 'highest-weights' | 'none';
  /** Kernel width. Default 0.75·sqrt(number of features). */
  kernelWidth?: number;
  /** Classifiers: the class explained, by label name or index. Default the positive class (binary) or class 1. */
  label?: string | number;
  /** Ridge penalty of the explanation model. Default 1. */
  alpha?: number;
  /** Seed of the perturbation sampling. Default 0. */
  seed?: number;
}

export interface LimeFeature {
  column: string;
  /** The record's interpretable condition: "goal > 5000", "category = Music", "backers is missing". */
  condition: string;
  /** Weight of the condition in the local linear model (its effect on the output when it holds). */
  weight: number;
}

export interface LimeExplanation {
  /** The class explained (classifiers), or null (regression). */
  label: string | null;
  /** The bundle's output for the record (probability of `label`, or the predicted value). */
  prediction: number;
  /** Intercept of the local model. */
  intercept: number;
  /** The local model's output for the record (intercept + the weights of the features shown). */
  localPrediction: number;
  /** Weighted R² of the local model on the perturbed samples. */
  score: number;
  kernelWidth: number;
  featureSelection: 'forward-selection' | 'highest-weights' | 'none';
  /** Largest |weight| first. */
  features: LimeFeature[];
}

const NUMERIC = new Set(['number', 'integer', 'datetime']);

/** A column's values as numbers (dates as epoch ms; missing NaN), for discretization. */
function numericValues(values: ArrayLike<unknown>): Float64Array {
  return Float64Array.from(values as ArrayLike<unknown>, (v) =>
    v === null || v === undefined ? NaN : v instanceof Date ? v.getTime() : Number(v),
  );
}

function formatEdge(x: number, col: ColumnSchema): string {
  if (col.type === 'datetime') {
    const iso = new Date(x).toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  return String(Number(x.toFixed(2)));
}

/** LIME's condition text for a numeric bin (lime_tabular's discretized feature names). */
function binCondition(name: string, edges: readonly number[], bin: number, col: ColumnSchema): string {
  if (bin < 0) return `${name} is missing`;
  if (edges.length === 0) return `${name} is present`;
  if (bin === 0) return `${name} <= ${formatEdge(edges[0], col)}`;
  if (bin === edges.length) return `${name} > ${formatEdge(edges[edges.length - 1], col)}`;
  return `${formatEdge(edges[bin - 1], col)} < ${name} <= ${formatEdge(edges[bin], col)}`;
}

function groupKey(v: unknown): string {
  if (v === null || v === undefined) return '\u0000missing';
  return v instanceof Date ? String(v.getTime()) : String(v);
}

/**
 * LIME for tabular data (lime_tabular.LimeTabularExplainer with its defaults) on a bundle's raw
 * input columns. Each column is discretized as LIME does by default: numbers and dates into
 * quartile bins of the training `table` (missing values as a bin of their own), categories and
 * booleans by value. Samples perturb every column independently by drawing its value from the
 * training distribution (a bin by its training frequency, then a training value inside it: the
 * same as drawing a training row's value), the record itself first. The interpretable
 * representation is binary (1 when a sample falls in the record's bin or category), the distance
 * Euclidean on it, weights sqrt(exp(−d²/w²)), and a weighted ridge (alpha 1) on the selected
 * binary features explains the class probability (or the regression value).
 */
export function limeExplain(
  bundle: Bundle,
  table: ColumnTable,
  record: Record<string, unknown>,
  options: LimeOptions = {},
): LimeExplanation {
  const numSamples = options.numSamples ?? 5000;
  const numFeatures = options.numFeatures ?? 10;
  const alpha = options.alpha ?? 1;
  if (!Number.isInteger(numSamples) || numSamples < 2)
    throw new ConfigError('INVALID_OPTION', `numSamples must be an integer >= 2, got ${numSamples}`, {
      column: 'numSamples',
      value: numSamples,
    });
  if (!Number.isInteger(numFeatures) || numFeatures < 1)
    throw new ConfigError('INVALID_OPTION', `numFeatures must be an integer >= 1, got ${numFeatures}`, {
      column: 'numFeatures',
      value: numFeatures,
    });
  const columns = [...bundle.features.inputColumns];
  const schemaOf = new Map(bundle.document.schema.columns.map((c) => [c.name, c]));
  const have = new Set(table.columnNames());
  const absent = columns.filter((c) => !have.has(c));
  if (absent.length)
    throw new SchemaError(
      absent.map((c) => ({
        code: 'MISSING_COLUMN',
        column: c,
        message: `the training table has no column "${c}", which the model reads`,
      })),
      'The training table lacks input columns',
    );
  const n = table.numRows();
  if (n === 0) throw new InputError('EMPTY_INPUT', 'the training table has no rows');
  const instance = bundle.recordsToTable([record]);
  const labelIndex = resolveLabel(bundle, options.label);

  const d = columns.length;
  const rng = createRng(options.seed ?? 0);
  const binary = new Float64Array(numSamples * d);
  const sampleColumns: Record<string, unknown[]> = {};
  const conditions: string[] = [];
  for (let j = 0; j < d; j++) {
    const name = columns[j];
    const col: ColumnSchema = schemaOf.get(name) ?? {
      name,
      type: 'category',
      role: 'feature',
      required: false,
      missing: 0,
    };
    const train = table.array(name) as ArrayLike<unknown>;
    const x0 = (instance.array(name) as ArrayLike<unknown>)[0];
    const out = new Array<unknown>(numSamples);
    out[0] = x0;
    binary[j] = 1;
    if (NUMERIC.has(col.type)) {
      const values = numericValues(train);
      const edges = quartileEdges(values);
      const v0 = numericValues([x0])[0];
      const bin0 = Number.isNaN(v0) ? -1 : binOf(edges, v0);
      conditions.push(binCondition(name, edges, bin0, col));
      for (let s = 1; s < numSamples; s++) {
        const r = rng.int(n);
        out[s] = train[r];
        const v = values[r];
        binary[s * d + j] = (Number.isNaN(v) ? -1 : binOf(edges, v)) === bin0 ? 1 : 0;
      }
    } else {
      const key0 = groupKey(x0);
      conditions.push(x0 === null || x0 === undefined ? `${name} is missing` : `${name} = ${String(x0)}`);
      for (let s = 1; s < numSamples; s++) {
        const v = train[rng.int(n)];
        out[s] = v;
        binary[s * d + j] = groupKey(v) === key0 ? 1 : 0;
      }
    }
    sampleColumns[name] = out;
  }

  const scores = bundle.scoreTable(aq.table(sampleColumns));
  const k = bundle.task === 'regression' ? 1 : (bundle.classes?.length ?? 1);
  const y = new Float64Array(numSamples);
  for (let s = 0; s < numSamples; s++) y[s] = scores[s * k + (labelIndex ?? 0)];

  const width = options.kernelWidth ?? limeKernelWidth(d);
  const weights = new Float64Array(numSamples);
  for (let s = 0; s < numSamples; s++) {
    let mismatches = 0;
    for (let j = 0; j < d; j++) mismatches += 1 - binary[s * d + j];
    weights[s] = limeKernel(Math.sqrt(mismatches), width);
  }

  const requested = options.featureSelection ?? 'auto';
  const method = requested === 'auto' ? (numFeatures <= 6 ? 'forward-selection' : 'highest-weights') : requested;
  const all = columns.map((_, j) => j);
  let used: number[];
  if (method === 'none') used = all;
  else if (method === 'highest-weights') {
    const { coef } = weightedRidge(binary, d, y, weights, all, 0.01);
    // LIME ranks by |coef · x0|; the record's binary row is all ones.
    used = [...all].sort((a, b) => Math.abs(coef[b]) - Math.abs(coef[a]) || a - b).slice(0, numFeatures);
  } else used = forwardSelection(binary, d, y, weights, numFeatures);

  const fit = weightedRidge(binary, d, y, weights, used, alpha);
  let localPrediction = fit.intercept;
  for (let a = 0; a < used.length; a++) localPrediction += fit.coef[a];
  const features = used
    .map((j, a) => ({ column: columns[j], condition: conditions[j], weight: fit.coef[a] }))
    .sort((p, q) => Math.abs(q.weight) - Math.abs(p.weight));
  return {
    label: labelIndex === null ? null : bundle.classes![labelIndex],
    prediction: y[0],
    intercept: fit.intercept,
    localPrediction,
    score: fit.score,
    kernelWidth: width,
    featureSelection: method,
    features,
  };
}

/** lime_base.forward_selection: add the feature that most raises the weighted R² of an unpenalised ridge. */
function forwardSelection(X: Float64Array, d: number, y: Float64Array, w: Float64Array, count: number): number[] {
  const used: number[] = [];
  for (let step = 0; step < Math.min(count, d); step++) {
    let best = -1;
    let bestScore = -Infinity;
    for (let j = 0; j < d; j++) {
      if (used.includes(j)) continue;
      const { score } = weightedRidge(X, d, y, w, [...used, j], 0);
      if (score > bestScore) {
        bestScore = score;
        best = j;
      }
    }
    used.push(best);
  }
  return used;
}

function resolveLabel(bundle: Bundle, label: string | number | undefined): number | null {
  const classes = bundle.classes;
  if (bundle.task === 'regression' || !classes) {
    if (label !== undefined)
      throw new ConfigError('INVALID_OPTION', 'label applies to classifiers; this bundle is a regression', {
        column: 'label',
        value: label,
      });
    return null;
  }
  if (label === undefined) return 1;
  const idx = typeof label === 'number' ? label : classes.indexOf(label);
  if (!Number.isInteger(idx) || idx < 0 || idx >= classes.length)
    throw new ConfigError('UNKNOWN_LABEL', `label ${JSON.stringify(label)} is not a class of this bundle`, {
      column: 'label',
      value: label,
      expected: `one of: ${classes.join(', ')}`,
    });
  return idx;
}
