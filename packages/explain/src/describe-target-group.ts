import type { ColumnTable } from 'arquero';
import { ConfigError } from '@campaign-ml/core';
import { curveClass, scoreWidth, type ExplainableModel } from './explainable-model';
import { groupCondition, meets, type GroupCondition } from './group-condition';
import { interestingRegions, type RegionRule, type Regions } from './interesting-regions';
import { partialDependence, type PartialDependence, type PartialDependenceOptions } from './partial-dependence';
import {
  permutationImportance,
  type ColumnImportance,
  type PermutationImportanceOptions,
  type PermutationImportanceResult,
} from './permutation-importance';
import { targetValues } from './target-values';
import { TEMPLATES, type SentenceTemplates } from './templates';

export interface DescribeTargetGroupOptions {
  /** How many columns to describe (the most important first). Default 5. */
  topK?: number;
  /** Known outcomes (class indices or values); default: the table's target column when present. */
  y?: ArrayLike<number>;
  /** Words for columns in the sentences: `{ Income: 'yearly household income' }` (default: the column name). */
  labels?: Readonly<Record<string, string>>;
  /** Key of TEMPLATES (default 'en'). */
  language?: string;
  /** Sentence templates to use instead of a built-in language. */
  templates?: SentenceTemplates;
  /** Which part of each curve is the target group (default 'near-max'). */
  rule?: RegionRule;
  /** Multiclass: the class whose probability the group maximises (default: the positive class, else class 0). */
  class?: string | number;
  /** A permutation importance already computed for these rows (else computed here when outcomes are known). */
  importance?: PermutationImportanceResult;
  /** Options of the permutation importance computed here (its y is the one above). */
  importanceOptions?: Omit<PermutationImportanceOptions, 'y'>;
  /** Options of each column's partial dependence (defaults: sklearn grid, 1,000 rows, average only). */
  pdp?: Omit<PartialDependenceOptions, 'centered' | 'class'>;
  /** Seed for the importance and the PDP row samples (default 0). */
  seed?: number;
}

/** The figures of one group of rows against every row. */
export interface GroupStats {
  rows: number;
  /** rows / all rows. */
  share: number;
  /** Mean predicted probability of the class (a classifier) or mean prediction (a regressor). */
  predicted: number;
  predictedLift: number;
  /** Share of rows of the class (or mean outcome), when outcomes are known. */
  observed?: number;
  observedLift?: number;
}

export interface TargetGroupSentence extends GroupStats {
  column: string;
  label: string;
  /** "Income between 61,000 and 98,000" */
  condition: string;
  /** The condition and the group's figures: "Income between 61,000 and 98,000: 22% of rows; predicted rate …" */
  sentence: string;
  /** Which rows the condition picks (ranges or values). */
  rule: Omit<GroupCondition, 'text'>;
  importance?: ColumnImportance;
  pdp: PartialDependence;
  regions: Regions;
}

export interface TargetGroupDescription {
  language: string;
  /** The class the rates are of (a classifier). */
  class?: string;
  /** 'permutation importance' when outcomes were known, else 'partial-dependence range'. */
  rankedBy: 'permutation importance' | 'partial-dependence range';
  overall: { rows: number; predicted: number; observed?: number };
  sentences: TargetGroupSentence[];
  /** The rows meeting every sentence's condition at once. */
  together: GroupStats & { sentence: string };
  importance?: PermutationImportanceResult;
}

/**
 * The target group in plain words: for the `topK` most important input columns (permutation
 * importance when outcomes are known, else the range of each column's partial-dependence curve),
 * the regions where the partial dependence is high (`rule`) become one sentence each, with the
 * share of rows in that group and its predicted (and observed) rate against every row's (lift).
 *
 * ```ts
 * const d = describeTargetGroup(bundle, table, { topK: 3, labels: { Income: 'yearly household income' } });
 * d.sentences.map((s) => s.sentence);
 * // ['yearly household income between 61,000 and 98,000: 22% of rows; predicted rate 31% vs 15% overall (lift 2.1) …', …]
 * ```
 */
export function describeTargetGroup(
  model: ExplainableModel,
  table: ColumnTable,
  options: DescribeTargetGroupOptions = {},
): TargetGroupDescription {
  const topK = options.topK ?? 5;
  if (!(Number.isInteger(topK) && topK >= 1))
    throw new ConfigError('INVALID_OPTION', `topK must be a positive integer, got ${topK}`, {
      column: 'topK',
      value: topK,
      expected: 'a positive integer',
    });
  const language = options.language ?? 'en';
  const t = options.templates ?? TEMPLATES[language];
  if (!t)
    throw new ConfigError('UNKNOWN_LANGUAGE', `no sentence templates for language "${language}"`, {
      column: 'language',
      value: language,
      expected: Object.keys(TEMPLATES).join(', '),
    });
  const seed = options.seed ?? 0;
  const cls = curveClass(model, options.class);
  if (cls < 0)
    throw new ConfigError('UNKNOWN_CLASS', `class ${JSON.stringify(options.class)} is not one of the model's classes`, {
      column: 'class',
      value: options.class,
      expected: (model.classes ?? []).join(', '),
    });
  const y = targetValues(model, table, options.y);
  const pdpOptions: PartialDependenceOptions = { seed, ...options.pdp, class: cls };
  const pdpOf = (column: string) => partialDependence(model, table, column, pdpOptions);

  let importance = options.importance;
  if (!importance && y) importance = permutationImportance(model, table, { seed, ...options.importanceOptions, y });
  let ranked: Array<{ column: string; importance?: ColumnImportance; pdp?: PartialDependence }>;
  if (importance) {
    ranked = importance.columns.filter((c) => c.columns.length === 1).map((c) => ({ column: c.name, importance: c }));
  } else {
    // No outcomes: rank by how far each column's curve moves the prediction (a coarse pass).
    ranked = model.features.inputColumns
      .map((column) => {
        const pdp = partialDependence(model, table, column, {
          ...pdpOptions,
          gridResolution: 20,
          maxRows: Math.min(pdpOptions.maxRows ?? 1000, 200),
        });
        return { column, pdp, range: Math.max(...pdp.average) - Math.min(...pdp.average) };
      })
      .sort((a, b) => b.range - a.range)
      .map(({ column }) => ({ column }));
  }

  const n = table.numRows();
  const k = scoreWidth(model);
  const scores = model.scoreTable(table);
  const p = Float64Array.from({ length: n }, (_, r) => scores[r * k + cls]);
  const outcome = y ? Float64Array.from(y, (v) => (model.task === 'regression' ? v : v === cls ? 1 : 0)) : undefined;
  const all = new Uint8Array(n).fill(1);
  const overall = stats(all, p, outcome);
  const measure = model.task === 'regression' ? 'mean' : 'rate';
  const fmtRate = (v: number) => (measure === 'rate' ? t.formatPercent(v) : t.formatNumber(v, 2));
  const words = (s: GroupStats) =>
    t.figures({
      share: t.formatPercent(s.share),
      measure,
      predicted: fmtRate(s.predicted),
      predictedOverall: fmtRate(overall.predicted),
      predictedLift: t.formatNumber(s.predictedLift, 2),
      ...(s.observed !== undefined && overall.observed !== undefined
        ? {
            observed: fmtRate(s.observed),
            observedOverall: fmtRate(overall.observed),
            observedLift: t.formatNumber(s.observedLift ?? NaN, 2),
          }
        : {}),
    });

  const together = new Uint8Array(n).fill(1);
  const sentences: TargetGroupSentence[] = ranked.slice(0, topK).map(({ column, importance: imp }) => {
    const pdp = pdpOf(column);
    const regions = interestingRegions(pdp, { rule: options.rule });
    const label = options.labels?.[column] ?? column;
    const { text, ...rule } = groupCondition(pdp, regions, label, t);
    const values = table.array(column) as ArrayLike<unknown>;
    const member = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      member[r] = meets({ ...rule, text }, values[r]) ? 1 : 0;
      together[r] &= member[r];
    }
    const s = stats(member, p, outcome, overall);
    return {
      column,
      label,
      condition: text,
      sentence: t.sentence(text, words(s)),
      rule,
      ...s,
      ...(imp ? { importance: imp } : {}),
      pdp,
      regions,
    };
  });
  const joint = stats(together, p, outcome, overall);
  return {
    language,
    ...(model.classes && model.task !== 'regression' ? { class: model.classes[cls] } : {}),
    rankedBy: importance ? 'permutation importance' : 'partial-dependence range',
    overall: {
      rows: n,
      predicted: overall.predicted,
      ...(overall.observed !== undefined ? { observed: overall.observed } : {}),
    },
    sentences,
    together: { ...joint, sentence: t.sentence(t.allTogether, words(joint)) },
    ...(importance ? { importance } : {}),
  };
}

/** Share, mean prediction and mean outcome of the rows in `member`, and their lifts over `overall`. */
function stats(
  member: Uint8Array,
  p: Float64Array,
  outcome: Float64Array | undefined,
  overall?: GroupStats,
): GroupStats {
  let rows = 0;
  let sp = 0;
  let so = 0;
  for (let r = 0; r < member.length; r++) {
    if (!member[r]) continue;
    rows++;
    sp += p[r];
    if (outcome) so += outcome[r];
  }
  const predicted = rows ? sp / rows : NaN;
  const observed = outcome ? (rows ? so / rows : NaN) : undefined;
  return {
    rows,
    share: rows / member.length,
    predicted,
    predictedLift: overall ? predicted / overall.predicted : 1,
    ...(observed !== undefined
      ? { observed, observedLift: overall?.observed !== undefined ? observed / overall.observed : 1 }
      : {}),
  };
}
