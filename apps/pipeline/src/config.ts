import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, type Problem, SchemaError } from '@campaign-ml/core';
import { COLUMN_ROLES, COLUMN_TYPES, DEFAULT_MISSING_TOKENS } from '@campaign-ml/schema';
import { METRIC_NAMES } from '@campaign-ml/models';

export const MODEL_FAMILIES = [
  'dummy',
  'logistic',
  'randomForest',
  'gradientBoosting',
  'mlp',
  'embeddingGbdt',
  'embeddingMlp',
] as const;
/**
 * The families a config without `models` compares. `embeddingGbdt` (gradient boosting on entity
 * embeddings of the high-cardinality categories, learned in every CV fold) and `embeddingMlp` (the
 * embedding MLP itself) are opt-in: they fit an MLP per fold and trial.
 */
export const DEFAULT_MODEL_FAMILIES: readonly ModelFamily[] = [
  'dummy',
  'logistic',
  'randomForest',
  'gradientBoosting',
  'mlp',
];
export type ModelFamily = (typeof MODEL_FAMILIES)[number];
const THRESHOLD_METRICS = [
  'f1',
  'accuracy',
  'balancedAccuracy',
  'precision',
  'recall',
  'specificity',
  'mcc',
  'youden',
] as const;

const dataSource = z.union([
  z.string().min(1),
  z.strictObject({
    path: z.string().min(1).optional(),
    sheet: z.string().optional(),
    format: z.enum(['csv', 'tsv', 'xlsx', 'json', 'ndjson', 'parquet']).optional(),
    delimiter: z.string().length(1).optional(),
    decimal: z.enum(['.', ',']).optional(),
    /** A database URL (postgres://...) or SQLite file (sqlite:path). */
    database: z.string().min(1).optional(),
    table: z.string().optional(),
    query: z.string().optional(),
  }),
]);

const binSpec = z.union([
  z.strictObject({ edges: z.array(z.number()).min(1) }),
  z.strictObject({ quantiles: z.number().int().min(2).max(20) }),
]);

/** The fairness audit and mitigation (binary tasks); see apps/pipeline/README.md "fairness". */
const fairnessConfig = z.strictObject({
  /** Columns whose groups are audited (several: their intersections). */
  sensitive: z.array(z.string().min(1)).min(1),
  mitigation: z.enum(['none', 'reweighing', 'thresholds']).default('none'),
  constraint: z.enum(['demographicParity', 'equalizedOdds', 'truePositiveRateParity']).default('demographicParity'),
  objective: z.enum(['accuracy', 'balancedAccuracy']).default('accuracy'),
  /** Thresholds: the largest gap between the groups' rates on the out-of-fold predictions. */
  tolerance: z.number().min(0).lt(1).default(0.01),
  /** Numeric sensitive columns binned by edges or training-part quantiles, by column. */
  bins: z.record(z.string(), binSpec).default({}),
  /** Derived sensitive columns (audit only): arquero expressions by new column name, e.g. "2024 - d.Year_Birth". */
  derive: z.record(z.string(), z.string().min(1)).default({}),
  /** Bootstrap resamples for the intervals of the by-group rates and gaps (0: none). */
  bootstrap: z.number().int().min(0).max(2000).default(200),
});

/** The pipeline config (YAML or flags). Every key is documented in apps/pipeline/README.md. */
export const configSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[\w.-]+$/, 'letters, digits, ".", "_" or "-" only')
    .optional(),
  data: dataSource,
  target: z.string().min(1),
  task: z.enum(['binary', 'multiclass', 'regression']).optional(),
  positive: z.string().optional(),
  excludeLabels: z.array(z.string()).default([]),
  /**
   * Strings that mean missing in every column, besides blanks and the defaults (NA, N/A, NaN,
   * null, None, #N/A, ?, -, whatever the case). Kept in the bundle: predict and the API read them too.
   */
  missing: z.array(z.string()).default([]),
  seed: z.number().int().default(42),
  out: z.string().default('runs'),
  split: z
    .strictObject({
      method: z.enum(['stratified', 'random', 'group', 'time']).default('stratified'),
      testSize: z.number().gt(0).lt(1).default(0.2),
      group: z.string().optional(),
      column: z.string().optional(),
      cutoff: z.string().optional(),
    })
    .default({ method: 'stratified', testSize: 0.2 }),
  leakage: z
    .strictObject({
      action: z.enum(['drop', 'report']).default('drop'),
      timeColumn: z.string().optional(),
      /** Columns to drop whatever the detector says. */
      drop: z.array(z.string()).default([]),
      /** Columns to keep even when flagged. */
      keep: z.array(z.string()).default([]),
    })
    .default({ action: 'drop', drop: [], keep: [] }),
  features: z
    .strictObject({
      drop: z.array(z.string()).default([]),
      types: z.record(z.string(), z.enum(COLUMN_TYPES as [string, ...string[]])).default({}),
      roles: z.record(z.string(), z.enum(COLUMN_ROLES as [string, ...string[]])).default({}),
      maxOneHot: z.number().int().min(1).optional(),
      highCardinality: z.enum(['target', 'frequency']).optional(),
    })
    .default({ drop: [], types: {}, roles: {} }),
  models: z
    .array(z.enum(MODEL_FAMILIES))
    .min(1)
    .default([...DEFAULT_MODEL_FAMILIES]),
  tuning: z
    .strictObject({
      trials: z.number().int().min(0).default(20),
      sampler: z.enum(['tpe', 'random', 'grid']).default('tpe'),
      metric: z.enum(METRIC_NAMES as [string, ...string[]]).optional(),
      folds: z.number().int().min(2).max(20).default(5),
      timeoutMinutes: z.number().positive().optional(),
      /**
       * Trials sampled at a time, each batch from the trials finished before it (1: sequential).
       * The study depends on it and the seed, not on the number of workers: give a queue run a
       * larger batch to keep more workers busy, and compare it with a local run of the same batch.
       */
      batch: z.number().int().min(1).max(100).default(1),
      /**
       * Score random forests out of bag: a trial is one forest on the whole training part, scored on
       * the rows each tree left out, instead of `folds` fold fits; its out-of-bag predictions serve
       * the ensemble and the threshold. false: k-fold like every other family.
       */
      outOfBag: z.boolean().default(true),
    })
    .default({ trials: 20, sampler: 'tpe', folds: 5, batch: 1, outOfBag: true }),
  /** A weighted ensemble of the families (ensemble selection on out-of-fold predictions), kept when its CV score wins. */
  ensemble: z
    .strictObject({
      enabled: z.boolean().default(true),
      rounds: z.number().int().min(1).max(200).default(25),
    })
    .default({ enabled: true, rounds: 25 }),
  threshold: z.strictObject({ metric: z.enum(THRESHOLD_METRICS).default('f1') }).default({ metric: 'f1' }),
  tracking: z
    .strictObject({
      enabled: z.boolean().default(true),
      uri: z.string().optional(),
      experiment: z.string().default('campaign-ml'),
    })
    .default({ enabled: true, experiment: 'campaign-ml' }),
  fairness: fairnessConfig.optional(),
  /**
   * Explanations: `describe` labels columns in the target-group sentences; `actionable` and `fixed`
   * are the columns what-to-change advice may and may not change (`pipeline explain --record`, the
   * API's /v1/what-if read them from the bundle's training config).
   */
  explain: z
    .strictObject({
      describe: z.record(z.string(), z.string().min(1)).default({}),
      actionable: z.array(z.string().min(1)).min(1).optional(),
      fixed: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  /** The engagement forecast: a daily per-entity panel resampled to weeks, lags and horizons. */
  timeseries: z
    .strictObject({
      entity: z.string(),
      time: z.string(),
      horizons: z.array(z.number().int().positive()).default([7, 14, 21, 28]),
      lags: z.number().int().min(1).max(26).default(4),
      rolling: z.array(z.number().int().min(2)).default([4]),
      /** Season length in weeks of the seasonal naive candidate (value one season before the target week). */
      season: z.number().int().min(1).max(52).default(4),
      /**
       * Recurrent candidates on the weekly sequences (lags..1 and the current week of every weekly
       * column): 'lstm', 'gru'. Off by default (each adds a few seconds per horizon).
       */
      sequenceModels: z.array(z.enum(['lstm', 'gru'])).default([]),
      cutoff: z.string().optional(),
      /**
       * Where the weekly features are built: 'memory' (default: the daily table is read into memory)
       * or 'duckdb' (SQL over the CSV/Parquet file in DuckDB, for daily panels larger than memory;
       * only the weekly table is loaded).
       */
      engine: z.enum(['memory', 'duckdb']).default('memory'),
      /** DuckDB's memory limit with engine 'duckdb' (sorts and windows spill to disk past it). */
      memoryLimit: z
        .string()
        .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'a size such as 512MB or 2GB')
        .default('1GB'),
    })
    .optional(),
});

export type PipelineConfig = z.output<typeof configSchema>;
export type PipelineConfigInput = z.input<typeof configSchema>;

/** The strings that mean missing in this run: the defaults and the config's `missing`; undefined = the defaults. */
export function missingTokensOf(cfg: Pick<PipelineConfig, 'missing'>): string[] | undefined {
  return cfg.missing.length ? [...DEFAULT_MISSING_TOKENS, ...cfg.missing] : undefined;
}

/** Validate a config object; every problem is reported with its path (`tuning.trials`). */
export function parseConfig(input: unknown, source = 'config'): PipelineConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const problems: Problem[] = result.error.issues.map((issue) => {
      const where = issue.path.length ? issue.path.join('.') : '(top level)';
      const keys =
        issue.code === 'unrecognized_keys'
          ? ` (${issue.keys.map((k) => `"${k}"`).join(', ')}; check the spelling, see apps/pipeline/README.md)`
          : '';
      return { code: 'INVALID_CONFIG', message: `${where}: ${issue.message}${keys}`, column: where };
    });
    throw new SchemaError(problems, `${source} is not a valid pipeline config`);
  }
  const cfg = result.data;
  const problems: Problem[] = [];
  if (cfg.task === 'regression' && cfg.positive)
    problems.push({
      code: 'INVALID_CONFIG',
      message: 'positive: a regression has no positive class',
      column: 'positive',
    });
  if (cfg.split.method === 'group' && !cfg.split.group)
    problems.push({
      code: 'INVALID_CONFIG',
      message: 'split.group: a group split needs the group column',
      column: 'split.group',
    });
  if (cfg.split.method === 'time' && (!cfg.split.column || !cfg.split.cutoff)) {
    problems.push({
      code: 'INVALID_CONFIG',
      message: 'split: a time split needs split.column and split.cutoff',
      column: 'split',
    });
  }
  if (cfg.tuning.metric) {
    const regression = ['mse', 'rmse', 'mae', 'mape', 'r2'].includes(cfg.tuning.metric);
    if (cfg.task && (cfg.task === 'regression') !== regression) {
      problems.push({
        code: 'METRIC_TASK_MISMATCH',
        message: `tuning.metric: "${cfg.tuning.metric}" is a ${regression ? 'regression' : 'classification'} metric but task is ${cfg.task}`,
        column: 'tuning.metric',
        value: cfg.tuning.metric,
      });
    }
  }
  if (cfg.fairness) problems.push(...fairnessProblems(cfg));
  if (problems.length) throw new SchemaError(problems, `${source} is not a valid pipeline config`);
  return cfg;
}

function fairnessProblems(cfg: PipelineConfig): Problem[] {
  const f = cfg.fairness!;
  const problems: Problem[] = [];
  const bad = (column: string, message: string) => problems.push({ code: 'INVALID_CONFIG', message, column });
  if (cfg.task && cfg.task !== 'binary')
    bad('fairness', `fairness: the audit and mitigation need a binary task, not ${cfg.task}`);
  if (cfg.timeseries) bad('fairness', 'fairness: not available with timeseries');
  for (const c of Object.keys(f.bins)) {
    if (!f.sensitive.includes(c)) bad(`fairness.bins.${c}`, `fairness.bins.${c}: "${c}" is not in fairness.sensitive`);
  }
  if (f.mitigation === 'thresholds') {
    if (f.sensitive.length !== 1) {
      bad('fairness.sensitive', 'fairness.sensitive: threshold mitigation takes exactly one sensitive column');
    } else if (f.sensitive[0] in f.derive) {
      bad(
        'fairness.sensitive',
        `fairness.sensitive: "${f.sensitive[0]}" is derived; thresholds need a column records carry`,
      );
    }
  }
  return problems;
}

/** Read a YAML (or JSON) config file; relative data paths resolve against the file's folder. */
export async function readConfigFile(file: string): Promise<PipelineConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(
      'CONFIG_NOT_FOUND',
      `cannot read config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { value: file },
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError('INVALID_YAML', `${file} is not valid YAML: ${(e as Error).message}`, { value: file });
  }
  const dir = path.dirname(path.resolve(file));
  if (raw && typeof raw === 'object') {
    const r = raw as Record<string, unknown>;
    if (typeof r.data === 'string' && !path.isAbsolute(r.data)) r.data = path.resolve(dir, r.data);
    else if (r.data && typeof r.data === 'object') {
      const d = r.data as Record<string, unknown>;
      if (typeof d.path === 'string' && !path.isAbsolute(d.path)) d.path = path.resolve(dir, d.path);
    }
  }
  return parseConfig(raw, file);
}

/** Columns the config names that must exist in the data. */
export function checkColumnsExist(cfg: PipelineConfig, columns: readonly string[]): void {
  const have = new Set(columns);
  const named: Array<[string, string | undefined]> = [
    ['target', cfg.target],
    ['split.group', cfg.split.group],
    ['split.column', cfg.split.column],
    ['leakage.timeColumn', cfg.leakage.timeColumn],
    ['timeseries.entity', cfg.timeseries?.entity],
    ['timeseries.time', cfg.timeseries?.time],
    ...(cfg.fairness?.sensitive ?? [])
      .map((c, i): [string, string] => [`fairness.sensitive[${i}]`, c])
      .filter(([, c]) => !(c in (cfg.fairness?.derive ?? {}))),
    ...cfg.features.drop.map((c, i): [string, string] => [`features.drop[${i}]`, c]),
    ...cfg.leakage.drop.map((c, i): [string, string] => [`leakage.drop[${i}]`, c]),
    ...Object.keys(cfg.explain?.describe ?? {}).map((c): [string, string] => [`explain.describe.${c}`, c]),
    ...(cfg.explain?.actionable ?? []).map((c, i): [string, string] => [`explain.actionable[${i}]`, c]),
    ...(cfg.explain?.fixed ?? []).map((c, i): [string, string] => [`explain.fixed[${i}]`, c]),
  ];
  const problems: Problem[] = [];
  for (const [where, col] of named) {
    if (col !== undefined && !have.has(col)) {
      const lower = col.toLowerCase();
      const same = columns.filter((c) => c.toLowerCase() === lower);
      const close = (same.length ? same : columns.filter((c) => c.toLowerCase().includes(lower))).slice(0, 3);
      problems.push({
        code: 'UNKNOWN_COLUMN',
        message: `${where}: column "${col}" is not in the data${close.length ? ` (did you mean ${close.map((c) => `"${c}"`).join(', ')}?)` : ''}`,
        column: col,
        expected: `one of the ${columns.length} columns of the data`,
      });
    }
  }
  if (problems.length) throw new SchemaError(problems, 'The config names columns the data does not have');
}
