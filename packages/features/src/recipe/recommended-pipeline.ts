import { ConfigError } from '@campaign-ml/core';
import type { MatrixTransformer, Task } from '@campaign-ml/core';
import type { ColumnSchema, Schema } from '@campaign-ml/schema';
import { DateDurations } from '../datetime/date-durations';
import { DateParts } from '../datetime/date-parts';
import { FrequencyEncoder } from '../encoders/frequency-encoder';
import { OneHotEncoder } from '../encoders/one-hot-encoder';
import { OrdinalEncoder } from '../encoders/ordinal-encoder';
import { TargetEncoder } from '../encoders/target-encoder';
import { SimpleImputer } from '../imputers/simple-imputer';
import { Log1pTransformer } from '../numeric/log1p-transformer';
import { ColumnPipeline } from '../pipeline/column-pipeline';
import type { ColumnGroup, DropList } from '../pipeline/column-pipeline';
import type { PipelineStep } from '../pipeline/table-step';
import { StandardScaler } from '../scalers/standard-scaler';

export interface RecipeOptions {
  /**
   * `'tree'` (default): numbers as they are, missing kept as NaN (allowMissing) for models that
   * handle it. `'linear'`: log1p of skewed numbers, imputation with missing indicators, and
   * standard scaling, so no NaN reaches the model.
   */
  model?: 'tree' | 'linear';
  /** Category columns with at most this many distinct values are one-hot encoded. Default 20. */
  maxOneHot?: number;
  /** One-hot minFrequency (count >= 1 or fraction < 1); rarer categories share `(other)`. Default 0.005. */
  minFrequency?: number;
  /**
   * Encoding of high-cardinality categories. Default 'target' (out of fold), or 'frequency', or
   * 'codes': ordinal codes 0..k-1 (most frequent first; missing NaN, unseen -1) named `code:<col>`,
   * for a model that learns from the codes itself (models' EmbeddingGbdt, `{ prefix: 'code:' }`);
   * never scaled, and in the linear recipe missing is -1 instead of NaN.
   */
  highCardinality?: 'target' | 'frequency' | 'codes';
  /** Date columns that also get weekday/month/hour parts and days since 1970 (the latest-starting ones first). Default 3. */
  maxDateParts?: number;
  /** |skewness| above which a number gets log1p (linear only). Default 1. */
  skewThreshold?: number;
  /** Seed for the target encoder's folds. Default 0. */
  seed?: number;
  /** Columns to leave out (e.g. leakage findings). */
  drop?: DropList;
}

const SKIP_ROLES = new Set(['id', 'ignore', 'target', 'group', 'weight']);

function cardinality(c: ColumnSchema): number | undefined {
  return c.categories?.length ?? c.distinct;
}

function dateStart(c: ColumnSchema): number {
  const t = typeof c.min === 'string' ? Date.parse(c.min) : NaN;
  return Number.isNaN(t) ? Infinity : t;
}

/**
 * The default feature recipe for a schema (what the pipeline app uses when its config says
 * nothing): drops id/text/ignore/target columns, all-missing and constant ones; dates -> days
 * between every pair (earlier-starting column first, so durations are positive) plus weekday,
 * month and hour of the main ones; numbers as they are (tree) or log1p-when-skewed, imputed and
 * scaled (linear); booleans 0/1; categories one-hot up to `maxOneHot` values, target (or
 * frequency) encoding above.
 *
 * ```ts
 * const pipe = recommendedPipeline(schema, 'binary', { model: 'tree' }).drop(leaks);
 * const { pipeline, X } = pipe.fitTransform(train, y);
 * ```
 */
export function recommendedPipeline(schema: Schema, task: Task, options: RecipeOptions = {}): ColumnPipeline {
  const model = options.model ?? 'tree';
  if (model !== 'tree' && model !== 'linear') {
    throw new ConfigError('INVALID_OPTION', `model must be "tree" or "linear", got "${String(model)}"`, {
      value: model,
      expected: 'tree or linear',
    });
  }
  const linear = model === 'linear';
  const maxOneHot = options.maxOneHot ?? 20;
  const dropped = new Set<string>();
  const usable = schema.columns.filter((c) => {
    if (SKIP_ROLES.has(c.role) || c.type === 'text' || c.type === 'identifier') return false;
    if (schema.rows > 0 && c.missing >= schema.rows) return false; // all missing: nothing to learn
    if (cardinality(c) === 1 || (c.min !== undefined && c.min === c.max && c.type !== 'datetime')) return false; // constant
    return true;
  });
  const byType = (...types: ColumnSchema['type'][]): ColumnSchema[] =>
    usable.filter((c) => types.includes(c.type) && !dropped.has(c.name));
  const groups: ColumnGroup[] = [];
  const scale = (steps: PipelineStep[]): PipelineStep[] =>
    linear
      ? [
          ...steps,
          new SimpleImputer({ strategy: 'median', addIndicator: true }),
          new StandardScaler() as MatrixTransformer,
        ]
      : steps;

  const dates = byType('datetime').sort((a, b) => dateStart(a) - dateStart(b));
  if (dates.length >= 2) {
    groups.push({ name: 'date-durations', select: dates.map((d) => d.name), steps: scale([new DateDurations()]) });
  }
  if (dates.length > 0) {
    const main = [...dates]
      .sort((a, b) => (b.role === 'time' ? 1 : 0) - (a.role === 'time' ? 1 : 0) || dateStart(b) - dateStart(a))
      .slice(0, options.maxDateParts ?? 3);
    const parts = linear
      ? new DateParts({ parts: ['weekday', 'weekend', 'month', 'hour', 'epochDays'], cyclic: true, keepRaw: false })
      : new DateParts({ parts: ['weekday', 'month', 'hour', 'epochDays'] });
    groups.push({
      name: 'date-parts',
      select: dates.filter((d) => main.includes(d)).map((d) => d.name),
      steps: scale([parts]),
    });
  }

  const numbers = byType('number', 'integer').map((c) => c.name);
  if (numbers.length > 0) {
    groups.push({
      name: 'numeric',
      select: numbers,
      steps: linear ? scale([new Log1pTransformer({ skewThreshold: options.skewThreshold ?? 1 })]) : [],
    });
  }

  const booleans = byType('boolean').map((c) => c.name);
  if (booleans.length > 0) {
    groups.push({
      name: 'boolean',
      select: booleans,
      steps: linear ? [new SimpleImputer({ strategy: 'mostFrequent' })] : [],
    });
  }

  const categories = byType('category');
  const low = categories
    .filter((c) => (cardinality(c) ?? Infinity) <= maxOneHot || cardinality(c) === undefined)
    .map((c) => c.name);
  const high = categories.filter((c) => (cardinality(c) ?? 0) > maxOneHot).map((c) => c.name);
  if (low.length > 0) {
    groups.push({
      name: 'one-hot',
      select: low,
      steps: [
        new OneHotEncoder({
          minFrequency: options.minFrequency ?? 0.005,
          maxCategories: maxOneHot,
          handleUnknown: 'zero',
        }),
      ],
    });
  }
  if (high.length > 0) {
    const codes = options.highCardinality === 'codes';
    // Codes are labels, never scaled; the linear recipe allows no NaN, so missing is -1 (unknown) there.
    const encoder = codes
      ? new OrdinalEncoder(linear ? { missingValue: -1 } : {})
      : options.highCardinality === 'frequency'
        ? new FrequencyEncoder()
        : new TargetEncoder({ task, seed: options.seed ?? 0 });
    groups.push({
      name: 'high-cardinality',
      select: high,
      steps: linear && !codes ? [encoder, new StandardScaler()] : [encoder],
      ...(codes ? { prefix: 'code:' } : {}),
    });
  }

  const target = schema.columns.find((c) => c.role === 'target')?.name;
  return new ColumnPipeline({
    schema,
    groups,
    remainder: 'drop',
    allowMissing: !linear,
    ...(target ? { target } : {}),
    ...(options.drop ? { drop: options.drop } : {}),
  });
}
