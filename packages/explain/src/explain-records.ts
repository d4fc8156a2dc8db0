import type { ColumnTable } from 'arquero';
import { ConfigError, InputError, isClassifier, type FittedModel, type Matrix } from '@campaign-ml/core';
import { FittedLogisticRegression, FittedTreeClassifier } from '@campaign-ml/models';
import type { Bundle } from '@campaign-ml/bundle';
import { modelShap, type ColumnShap, type ShapSpace } from './model-shap';
import { referenceRecord } from './reference-record';

export interface ExplainRecordsOptions {
  /**
   * The space contributions add up in: 'margin' (log-odds or raw scores of boosting and logistic
   * models, their default: exact and fast; the value of a regressor) or 'probability' (the
   * positive class's probability, or each class's; the default of forests, the weighted ensemble
   * and the MLP). A classifier with no background rows at all is explained in its margin.
   */
  space?: ShapSpace;
  /** Contributions listed per record, largest |contribution| first (default: every column). */
  topK?: number;
  /** Multiclass: the class label to explain (default: each record's predicted class). */
  classLabel?: string;
  /** Background records (raw, like the training table's rows); default: the bundle's own sample. */
  background?: readonly Record<string, unknown>[];
  /**
   * Use only the first n rows of the bundle's sample (default: all, 100 from training). Interventional
   * and agnostic explanations cost in proportion: a server can trade their precision for speed.
   */
  backgroundRows?: number;
  /** 'reject' (default) or 'unseen' categories in the records. */
  unknownCategories?: 'reject' | 'unseen';
  /** Seed of the permutation explainer (models without an exact method). Default 0. */
  seed?: number;
  /** Single-output MLPs: 'deep' (default, DeepLIFT rescale rule) or 'permutation' (model-agnostic). */
  neural?: 'deep' | 'permutation';
}

export interface ColumnContribution {
  column: string;
  /** The record's value of that column (as typed by the schema; dates as ISO strings). */
  value: unknown;
  contribution: number;
}

export interface RecordExplanation {
  /** The model's output for the record in `space` (for the explained class). */
  prediction: number;
  /** The base value: the output expected over the background (or the trees' covers). */
  baseValue: number;
  /** Multiclass: the class explained. */
  class?: string;
  /** Largest |contribution| first; baseValue + Σ contributions = prediction. */
  contributions: ColumnContribution[];
}

export interface ExplainedRecords {
  space: ShapSpace;
  /** How the values were computed: 'tree', 'linear', 'permutation', 'ensemble(tree+linear)'... */
  method: string;
  /** The input columns, in the order of `values`. */
  columns: string[];
  rows: number;
  /** rows x columns, row-major: each record's contribution per input column (explained class). */
  values: Float64Array;
  baseValues: Float64Array;
  predictions: Float64Array;
  /** Where the background came from. */
  background: 'bundle sample' | 'given records' | 'reference medians and modes' | 'none needed';
  records: RecordExplanation[];
}

const SOURCES = new WeakMap<Bundle, string[][]>();

/** The input column(s) of every feature of the bundle's pipeline (computed once per bundle). */
function sourcesOf(bundle: Bundle): string[][] {
  let s = SOURCES.get(bundle);
  if (!s) SOURCES.set(bundle, (s = bundle.features.featureSources()));
  return s;
}

type Background = { matrix: Matrix | null; source: ExplainedRecords['background'] };
/** Per bundle, per row count (0: all): the background in feature space, transformed once. */
const BACKGROUNDS = new WeakMap<Bundle, Map<number, Background>>();

/**
 * Why the bundle scores each record as it does: contributions per raw input column (every feature
 * made from a column — one-hot indicators, date parts, missing flags, both recipe copies of an
 * ensemble — sums into that column), with the base value and the prediction, additive in `space`.
 *
 * ```ts
 * const why = explainRecords(bundle, [{ goal: 5000, category: 'Music', launched_at: '2016-03-01' }]);
 * why.records[0].contributions; // [{ column: 'goal', value: 5000, contribution: -0.12 }, ...]
 * ```
 */
export function explainRecords(
  bundle: Bundle,
  records: readonly Record<string, unknown>[],
  options: ExplainRecordsOptions = {},
): ExplainedRecords {
  if (!Array.isArray(records) || records.length === 0) {
    throw new InputError('EMPTY_INPUT', 'no records to explain', {
      column: 'records',
      expected: 'one or more records',
    });
  }
  const table = bundle.recordsToTable(records, { unknownCategories: options.unknownCategories ?? 'reject' });
  return explainTable(bundle, table, options);
}

/** explainRecords for a table already typed by the bundle's schema (batch and report use). */
export function explainTable(
  bundle: Bundle,
  table: ColumnTable,
  options: ExplainRecordsOptions = {},
): ExplainedRecords {
  const X = bundle.features.transform(table);
  const columns = [...bundle.features.inputColumns];
  const { matrix: background, source } = backgroundOf(bundle, options.background, options.backgroundRows);
  const ctx = { columns, sources: sourcesOf(bundle), background, seed: options.seed ?? 0, neural: options.neural };
  let space = options.space ?? defaultSpace(bundle.model);
  let shap: ColumnShap;
  try {
    shap = modelShap(bundle.model, X, space, ctx);
  } catch (e) {
    // By default a classifier is explained in probability; without any background rows, a tree or
    // linear model can still be explained exactly in its margin.
    if (options.space !== undefined || !(e instanceof ConfigError) || e.code !== 'NO_BACKGROUND') throw e;
    space = 'margin';
    shap = modelShap(bundle.model, X, space, ctx);
  }
  const n = table.numRows();
  const C = columns.length;
  const K = shap.outputs;
  const classes = bundle.classes;
  let explained: Int32Array;
  if (K === 1) explained = new Int32Array(n);
  else if (options.classLabel !== undefined) {
    const c = classes?.indexOf(options.classLabel) ?? -1;
    if (c < 0) {
      throw new ConfigError('INVALID_OPTION', `class "${options.classLabel}" is not one of the bundle's classes`, {
        column: 'classLabel',
        value: options.classLabel,
        expected: (classes ?? []).join(', '),
      });
    }
    explained = new Int32Array(n).fill(c);
  } else explained = bundle.labelIndices(bundle.scoreTable(table), n);
  const values = new Float64Array(n * C);
  const baseValues = new Float64Array(n);
  const predictions = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const k = explained[r];
    baseValues[r] = shap.base[k];
    let s = shap.base[k];
    for (let c = 0; c < C; c++) {
      const v = shap.values[(r * C + c) * K + k];
      values[r * C + c] = v;
      s += v;
    }
    predictions[r] = s;
  }
  const topK = options.topK ?? C;
  if (!(Number.isInteger(topK) && topK >= 1)) {
    throw new ConfigError('INVALID_OPTION', `topK must be a whole number of at least 1 (got ${topK})`, {
      column: 'topK',
      value: topK,
      expected: 'an integer >= 1',
    });
  }
  const raw = columns.map((c) => table.array(c) as ArrayLike<unknown>);
  const out: RecordExplanation[] = [];
  for (let r = 0; r < n; r++) {
    const contributions = columns
      .map((column, c) => ({ column, value: plain(raw[c][r]), contribution: values[r * C + c] }))
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
      .slice(0, topK);
    out.push({
      prediction: predictions[r],
      baseValue: baseValues[r],
      ...(K > 1 && classes ? { class: classes[explained[r]] } : {}),
      contributions,
    });
  }
  return {
    space,
    method: shap.method,
    columns,
    rows: n,
    values,
    baseValues,
    predictions,
    background: needsNoBackground(shap.method) ? 'none needed' : source,
    records: out,
  };
}

/**
 * Where the model has a margin it is explained exactly and fast by default (shap's TreeExplainer
 * default: log-odds of boosting and logistic models); otherwise in probability (forests, whose raw
 * output is the probability, the weighted ensemble, the MLP) or, for regressors, the value.
 */
function defaultSpace(model: FittedModel): ShapSpace {
  if (!isClassifier(model)) return 'margin';
  if (model instanceof FittedLogisticRegression) return 'margin';
  if (model instanceof FittedTreeClassifier && model.link !== 'identity') return 'margin';
  return 'probability';
}

function needsNoBackground(method: string): boolean {
  return method === 'tree';
}

function plain(v: unknown): unknown {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v ?? null;
}

/** The background in feature space: given records, the bundle's sample, or one reference record. */
function backgroundOf(
  bundle: Bundle,
  given: readonly Record<string, unknown>[] | undefined,
  rows: number | undefined,
): Background {
  if (given) {
    if (given.length === 0 || given.length > 1000) {
      throw new ConfigError('INVALID_OPTION', `background has ${given.length} records; give 1 to 1,000`, {
        column: 'background',
        value: given.length,
        expected: '1 to 1,000 records',
      });
    }
    const t = bundle.recordsToTable(given, { unknownCategories: 'unseen' });
    return { matrix: bundle.features.transform(t), source: 'given records' };
  }
  if (rows !== undefined && !(Number.isInteger(rows) && rows >= 1)) {
    throw new ConfigError('INVALID_OPTION', `backgroundRows must be a whole number of at least 1 (got ${rows})`, {
      column: 'backgroundRows',
      value: rows,
      expected: 'an integer >= 1',
    });
  }
  let byRows = BACKGROUNDS.get(bundle);
  if (!byRows) BACKGROUNDS.set(bundle, (byRows = new Map()));
  const hit = byRows.get(rows ?? 0);
  if (hit) return hit;
  const sample = bundle.document.explain?.background?.slice(0, rows);
  let result: Background;
  if (sample && sample.length > 0) {
    const t = bundle.recordsToTable(sample, { unknownCategories: 'unseen' });
    result = { matrix: bundle.features.transform(t), source: 'bundle sample' };
  } else {
    const ref = referenceRecord(bundle);
    if (ref) {
      const t = bundle.recordsToTable([ref], { unknownCategories: 'unseen' });
      result = { matrix: bundle.features.transform(t), source: 'reference medians and modes' };
    } else result = { matrix: null, source: 'reference medians and modes' };
  }
  byRows.set(rows ?? 0, result);
  return result;
}
