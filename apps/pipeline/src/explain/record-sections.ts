import type { ColumnTable } from 'arquero';
import { ConfigError, InputError } from '@campaign-ml/core';
import type { Bundle } from '@campaign-ml/bundle';
import {
  counterfactuals,
  explainTable,
  limeExplain,
  type CounterfactualChange,
  type CounterfactualSetMetrics,
  type ExplainedRecords,
  type LimeFeature,
} from '@campaign-ml/explain';

/** One record's part of explain.json: "This record". */
export interface RecordSection {
  /** Position in the --record file (0 for a single object). */
  index: number;
  record: Record<string, unknown>;
  prediction: { label: string | number; probabilities?: Record<string, number>; threshold?: number };
  /** SHAP values per input column (explainRecords), largest |contribution| first. */
  shap: {
    space: string;
    method: string;
    /** The class whose probability is explained (classifiers). */
    class?: string;
    baseValue: number;
    prediction: number;
    contributions: Array<{ column: string; value: unknown; contribution: number }>;
  };
  /** LIME's local model on the --data rows: its top features with their weights. */
  lime: { label: string | null; prediction: number; localPrediction: number; score: number; features: LimeFeature[] };
  /** What to change to reach the target (counterfactuals), when actionable columns are named. */
  advice?: {
    target: { probability: number; class: string | null };
    actionable: string[];
    fixed: string[];
    original: { probability: number; meetsTarget: boolean };
    counterfactuals: Array<{
      probability: number;
      changes: CounterfactualChange[];
      proximity: number;
      sparsity: number;
    }>;
    metrics: CounterfactualSetMetrics;
  };
  /** Why there is no advice (no actionable columns named, a regression...). */
  adviceNote?: string;
}

export interface RecordSectionOptions {
  /** Columns the advice may change; none: no advice. */
  actionable?: readonly string[];
  fixed?: readonly string[];
  /** The probability of the positive class (or `bundle.target.positiveClass`) to reach. Default 0.5. */
  targetProbability?: number;
  /** Counterfactuals per record (default 4). */
  k?: number;
  /** LIME's perturbed samples (default 5,000). */
  limeSamples?: number;
  /** Features LIME keeps (default 6). */
  limeFeatures?: number;
  seed: number;
}

/**
 * SHAP values in probability space for classifiers (what the page's P(class) reads), from the
 * bundle's background sample; a bundle without any background falls back to the model's default
 * space (the margin for logistic regression and boosting).
 */
function shapInProbability(bundle: Bundle, typed: ColumnTable, seed: number): ExplainedRecords {
  if (!bundle.classes) return explainTable(bundle, typed, { seed });
  try {
    return explainTable(bundle, typed, { seed, space: 'probability' });
  } catch (e) {
    if (e instanceof ConfigError && e.code === 'NO_BACKGROUND') return explainTable(bundle, typed, { seed });
    throw e;
  }
}

const plain = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);

/**
 * Read the records of a --record file: one JSON object or an array of them. Anything else is an
 * InputError naming the file (and the element).
 */
export function recordsFromJson(text: string, file: string): Record<string, unknown>[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InputError('INVALID_JSON', `${file} is not valid JSON: ${(e as Error).message}`, { value: file });
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length === 0)
    throw new InputError('EMPTY_INPUT', `${file} holds an empty array; --record needs one record or more`, {
      value: file,
      expected: 'a JSON object, or an array of objects',
    });
  list.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r))
      throw new InputError('INVALID_RECORD', `${file}: record ${i} is not a JSON object (found ${JSON.stringify(r)})`, {
        row: i,
        value: r,
        expected: 'an object of field: value',
      });
  });
  return list as Record<string, unknown>[];
}

/**
 * "This record" for each record: the bundle's prediction, SHAP contributions per input column,
 * LIME's top features (with `training` as LIME's training data) and, when actionable columns are
 * named, what-to-change advice. The records are validated first, all together: a bad field is the
 * bundle's SchemaError naming it (and the record).
 */
export function recordSections(
  bundle: Bundle,
  training: ColumnTable,
  records: readonly Record<string, unknown>[],
  opts: RecordSectionOptions,
): RecordSection[] {
  const typed = bundle.recordsToTable(records);
  const predictions = bundle.predictTable(typed);
  const shap = shapInProbability(bundle, typed, opts.seed);
  const classes = bundle.classes;
  const adviceClass =
    classes && classes.length === 2 ? classes[1] : (bundle.document.target.positiveClass ?? undefined);
  const actionable = opts.actionable ?? [];
  const fixed = opts.fixed ?? [];
  const p = opts.targetProbability ?? 0.5;
  const noAdvice = !actionable.length
    ? 'no actionable columns named (--actionable, or explain.actionable in the training config)'
    : !classes
      ? 'what-to-change advice needs a classifier'
      : adviceClass === undefined
        ? 'a multiclass bundle without a positive class has no probability to reach'
        : undefined;
  return records.map((record, index) => {
    const why = shap.records[index];
    const lime = limeExplain(bundle, training, record, {
      seed: opts.seed,
      numSamples: opts.limeSamples ?? 5000,
      numFeatures: opts.limeFeatures ?? 6,
    });
    const section: RecordSection = {
      index,
      record,
      prediction: predictions[index],
      shap: {
        space: shap.space,
        method: shap.method,
        ...(why.class !== undefined ? { class: why.class } : adviceClass !== undefined ? { class: adviceClass } : {}),
        baseValue: why.baseValue,
        prediction: why.prediction,
        contributions: why.contributions.map((c) => ({ ...c, value: plain(c.value) })),
      },
      lime: {
        label: lime.label,
        prediction: lime.prediction,
        localPrediction: lime.localPrediction,
        score: lime.score,
        features: lime.features,
      },
    };
    if (noAdvice) return { ...section, adviceNote: noAdvice };
    const target = classes!.length === 2 ? { probability: p } : { probability: p, class: adviceClass! };
    const cf = counterfactuals(bundle, record, {
      actionable,
      fixed,
      target,
      k: opts.k ?? 4,
      seed: opts.seed,
      data: training,
    });
    return {
      ...section,
      advice: {
        target: { probability: p, class: cf.targetClass },
        actionable: [...actionable],
        fixed: [...fixed],
        original: cf.original,
        counterfactuals: cf.counterfactuals.map(({ probability, changes, proximity, sparsity }) => ({
          probability,
          changes,
          proximity,
          sparsity,
        })),
        metrics: cf.metrics,
      },
    };
  });
}
