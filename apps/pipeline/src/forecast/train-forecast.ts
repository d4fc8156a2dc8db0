import type { ColumnTable } from 'arquero';
import { ConfigError, InputError, throwIfAborted, type FittedModel, type Matrix } from '@campaign-ml/core';
import { computeReference, createBundleDocument } from '@campaign-ml/bundle';
import type { FittedColumnPipeline } from '@campaign-ml/features';
import { inferSchema, type ColumnType, type Schema } from '@campaign-ml/ingest';
import type { Params } from '@campaign-ml/tuning';
import { checkColumnsExist, type PipelineConfig } from '../config';
import { ParallelCv } from '../parallel/parallel-cv';
import { bestByCv, compareFamilies, scoringFor, type ComparedFamily } from '../train/compare-families';
import { fitRecipes } from '../train/fit-recipes';
import { servedSchema } from '../train/infer-schema';
import { stageTimesMs } from '../train/run-documents';
import { loadData } from '../train/read-data';
import { regressionMetrics, type Metrics } from '../metrics';
import type { Progress } from '../progress';
import { featureImportance } from '../train/importance';
import { provenance } from '../provenance';
import { fmt } from '../format';
import type { CvSummary, MetricsDocument, ModelResult, ReportData, TrainResult } from '../train/train-result';
import { forecastFamilies, type ForecastFamily } from './forecast-families';
import { naiveForecast } from './naive-forecast';
import { timeOrderedFolds } from './time-folds';
import { buildWeeklyFeatures, type HorizonTarget, type WeeklyFeatures } from './weekly-features';

const DAY_MS = 86_400_000;
/** Fewest labelled training rows a horizon needs. */
const MIN_TRAIN_ROWS = 30;

/** One model of one horizon in metrics.json (`model` is `<family>_<days>d`). */
export interface ForecastModelResult extends Omit<ModelResult, 'testScores'> {
  family: string;
  horizonDays: number;
}

/** Per-horizon summary in metrics.json `horizons["7"]`. */
export interface HorizonSummary {
  days: number;
  weeks: number;
  /** The label column, `<target>_ahead_<weeks>`. */
  target: string;
  trainRows: number;
  testRows: number;
  /** The best fitted model by CV RMSE on time-ordered folds of the training part. */
  best: { model: string; params: Params; cv: CvSummary; test: Metrics };
  /** The naive last-value forecast on the same rows. */
  naive: { cv: CvSummary; test: Metrics };
  /** Test metrics of every model kept for this horizon (tuned when tuning ran), naive included. */
  test: Record<string, Metrics>;
  /** best test RMSE / naive test RMSE (< 1: the model beats the naive forecast). */
  rmseVsNaive: number;
  beatsNaive: boolean;
}

/** metrics.json of a forecast run: the pipeline's document plus per-horizon results. */
export interface ForecastMetricsDocument extends MetricsDocument {
  horizons: Record<string, HorizonSummary>;
  forecast: {
    entity: string;
    time: string;
    lags: number;
    rolling: number[];
    cutoff: string;
    aggregate: Record<string, string>;
    inputs: string[];
    /** The horizon (days) the bundle serves; the others are in `horizons` only. */
    bundleHorizonDays: number;
    weeklyRows: number;
  };
}

interface BundleParts {
  target: HorizonTarget;
  schema: Schema;
  pipeline: FittedColumnPipeline;
  model: FittedModel;
  name: string;
  X: Matrix;
  Xtest: Matrix;
  yTest: Float64Array;
  train: ColumnTable;
  test: ColumnTable;
  testScores: Float64Array;
  cv: CvSummary;
  testMetrics: Metrics;
  params: Params;
  foldSpread: ReportData['foldSpread'];
}

/**
 * The engagement forecast (config `timeseries`): daily panel -> weekly features -> one model per
 * horizon, each compared with the naive last-value forecast on a time-ordered split. Returns the
 * pipeline's TrainResult, so write-run.ts writes bundle.json (the first horizon's best model),
 * metrics.json (every horizon) and report.html unchanged. Writes nothing itself.
 */
export async function trainForecast(cfg: PipelineConfig, progress: Progress, signal?: AbortSignal): Promise<TrainResult> {
  const ts = cfg.timeseries;
  if (!ts) throw new ConfigError('INVALID_CONFIG', 'trainForecast needs a timeseries block in the config', { column: 'timeseries' });
  if (cfg.task && cfg.task !== 'regression') {
    throw new ConfigError('METRIC_TASK_MISMATCH', `task: the forecast (timeseries) is a regression, but task is ${cfg.task}; remove task or set it to regression`, {
      column: 'task',
      value: cfg.task,
    });
  }
  const families = forecastFamilies(cfg.models);
  if (families.length === 0) {
    throw new ConfigError('INVALID_CONFIG', `models: the forecast trains dummy, logistic (Ridge), randomForest or gradientBoosting; none of ${cfg.models.join(', ')} is one`, {
      column: 'models',
      expected: 'dummy, logistic, randomForest or gradientBoosting',
    });
  }
  // The same cross-validation engine as the table pipeline's, on the main thread as before: the
  // weekly panel's folds are small, and starting fold workers takes seconds.
  return forecast(cfg, ts, families, new ParallelCv(), progress, signal);
}

/** The forecast flow: read, weekly features, one comparison of the families per horizon, importance, documents. */
async function forecast(
  cfg: PipelineConfig,
  ts: NonNullable<PipelineConfig['timeseries']>,
  families: ForecastFamily[],
  cv: ParallelCv,
  progress: Progress,
  signal?: AbortSignal,
): Promise<TrainResult> {
  const seed = cfg.seed;
  progress.stage('read data');
  const data = await loadData(cfg);
  checkColumnsExist(cfg, data.table.columnNames());

  progress.stage('weekly features');
  const wf = buildWeeklyFeatures(data.table, { entity: ts.entity, time: ts.time, target: cfg.target, horizons: ts.horizons, lags: ts.lags, rolling: ts.rolling });
  const table = wf.table;
  const times = timesOf(table, ts.time);
  const cutoff = resolveCutoff(ts.cutoff, times);
  progress.info(
    `${data.table.numRows()} daily rows -> ${wf.weeklyRows} entity-weeks (${table.numRows()} with an input), ${wf.inputs.length} inputs; test from ${isoDay(cutoff)}`,
  );

  const results: ForecastModelResult[] = [];
  const horizons: Record<string, HorizonSummary> = {};
  let bundleParts: BundleParts | undefined;
  const warnings = data.warnings.map((w) => w.message);
  for (const target of wf.targets) {
    throwIfAborted(signal);
    const tuned = families.filter((f) => cfg.tuning.trials > 0 && Object.keys(f.space).length > 0).length;
    progress.stage(`horizon ${target.days} d`, tuned * cfg.tuning.trials);
    const done = await fitHorizon(table, times, wf, target, cutoff, cfg, families, cv, progress, signal);
    results.push(...done.results);
    horizons[String(target.days)] = done.summary;
    const s = done.summary;
    progress.info(
      `${target.days} d: best ${s.best.model} test RMSE ${fmt(s.best.test.rmse)} R² ${fmt(s.best.test.r2)} vs naive RMSE ${fmt(s.naive.test.rmse)} R² ${fmt(s.naive.test.r2)} (${s.trainRows} train / ${s.testRows} test rows)`,
    );
    if (!s.beatsNaive) warnings.push(`At ${target.days} days the best model (${s.best.model}, test RMSE ${fmt(s.best.test.rmse)}) does not beat the naive last-value forecast (RMSE ${fmt(s.naive.test.rmse)}).`);
    bundleParts ??= done.bundle;
  }
  const b = bundleParts!;

  progress.stage('explain');
  const importance = featureImportance(b.model, b.Xtest, b.yTest, { seed, scoreName: 'R²' });
  progress.end();

  const first = horizons[String(b.target.days)];
  const metrics: ForecastMetricsDocument = {
    task: 'regression',
    target: cfg.target,
    classes: null,
    primaryMetric: 'rmse',
    best: { model: first.best.model, params: first.best.params, cv: first.best.cv, test: first.best.test },
    models: results,
    leakage: [],
    data: {
      source: data.source,
      rows: table.numRows(),
      trainRows: b.train.numRows(),
      testRows: b.test.numRows(),
      sha256: data.sha256,
      droppedMissingTarget: table.numRows() - first.trainRows - first.testRows,
      droppedExcludedLabels: 0,
    },
    features: { count: b.X.cols, names: [...b.X.columns] },
    stageTimesMs: stageTimesMs(progress),
    horizons,
    forecast: {
      entity: ts.entity,
      time: ts.time,
      lags: ts.lags,
      rolling: [...ts.rolling],
      cutoff: isoDay(cutoff),
      aggregate: wf.aggregate,
      inputs: wf.inputs,
      bundleHorizonDays: b.target.days,
      weeklyRows: wf.weeklyRows,
    },
  };

  const trainScores = b.model.predict(b.X) as Float64Array;
  const bundle = createBundleDocument(
    {
      task: 'regression',
      target: { column: b.target.column, classes: null },
      schema: b.schema,
      features: b.pipeline.toJSON(),
      model: { name: b.name, fitted: b.model.toJSON() },
      metrics: {
        primaryMetric: 'rmse',
        test: b.testMetrics,
        cv: b.cv,
        horizonDays: b.target.days,
        naive: first.naive.test,
      },
      reference: computeReference(b.train, b.schema, trainScores),
      provenance: await provenance(data.sha256, data.table.numRows(), cfg),
    },
    { name: cfg.name ?? 'forecast' },
  );

  warnings.unshift(
    `Weekly forecast of ${cfg.target} by ${ts.entity}: bundle.json serves the ${b.target.days}-day horizon (${b.target.column}); every horizon is in the table below and in metrics.json "horizons".`,
  );
  const report: ReportData = {
    title: cfg.name ?? `${cfg.target} forecast`,
    schema: b.schema,
    metrics,
    curves: [],
    importance: importance.values,
    importanceKind: importance.kind,
    learningCurve: [],
    foldSpread: b.foldSpread,
    warnings,
  };
  return { bundle, metrics, report, testScores: b.testScores, testTable: b.test };
}

async function fitHorizon(
  table: ColumnTable,
  times: Float64Array,
  wf: WeeklyFeatures,
  target: HorizonTarget,
  cutoff: number,
  cfg: PipelineConfig,
  families: ForecastFamily[],
  cv: ParallelCv,
  progress: Progress,
  signal?: AbortSignal,
): Promise<{ results: ForecastModelResult[]; summary: HorizonSummary; bundle: BundleParts }> {
  const seed = cfg.seed;
  const purge = target.days * DAY_MS;
  const yAll = numbers(table, target.column);
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  for (let i = 0; i < yAll.length; i++) {
    if (yAll[i] !== yAll[i]) continue;
    // A training row's label (target.days later) must be observed before the cutoff.
    if (times[i] >= cutoff) testIdx.push(i);
    else if (times[i] + purge < cutoff) trainIdx.push(i);
  }
  if (trainIdx.length < MIN_TRAIN_ROWS || testIdx.length === 0) {
    throw new InputError(
      'TOO_FEW_ROWS',
      `horizon ${target.days} d: ${trainIdx.length} training and ${testIdx.length} test rows with a label around the cutoff ${isoDay(cutoff)}; move timeseries.cutoff or use shorter horizons`,
      { column: 'timeseries.cutoff', value: isoDay(cutoff), expected: `>= ${MIN_TRAIN_ROWS} training rows and >= 1 test row` },
    );
  }
  const train = table.reify(trainIdx);
  const test = table.reify(testIdx);
  const yTrain = Float64Array.from(trainIdx, (i) => yAll[i]);
  const yTest = Float64Array.from(testIdx, (i) => yAll[i]);
  const folds = timeOrderedFolds(
    Float64Array.from(trainIdx, (i) => times[i]),
    cfg.tuning.folds,
    purge,
  );
  const types: Record<string, ColumnType> = Object.fromEntries(wf.inputs.map((c) => [c, 'number' as ColumnType]));
  const schema = inferSchema(train.select(wf.inputs), { types });

  // Weekly sums are linear in their lags (the naive forecast is one coefficient), so the linear
  // recipe keeps them unlogged (skewThreshold Infinity): imputed, with indicators, and scaled.
  const parts = { train, yTrain, test };
  const recipes = fitRecipes(schema, 'regression', families, parts, { seed, skewThreshold: Infinity }, signal);

  // The naive forecast: its CV on the same folds, its test score on the same rows.
  const lastTrain = numbers(train, wf.lastValue);
  const naiveTest = naiveForecast(numbers(test, wf.lastValue), mean(yTrain));
  const naiveFolds = folds.map((f) => {
    const yt = Float64Array.from(f.test, (i) => yTrain[i]);
    const fallback = mean(Float64Array.from(f.train, (i) => yTrain[i]));
    return regressionMetrics(yt, naiveForecast(Float64Array.from(f.test, (i) => lastTrain[i]), fallback));
  });
  const naive = { cv: cvSummary(naiveFolds.map((m) => m.rmse)), test: regressionMetrics(yTest, naiveTest) };

  const suffix = `_${target.days}d`;
  const results: ForecastModelResult[] = [
    {
      model: `naive${suffix}`,
      family: 'naive',
      horizonDays: target.days,
      title: `Naive last value · ${target.days} d`,
      recipe: 'tree',
      baseline: { params: {}, cv: naive.cv, cvAll: meanMetrics(naiveFolds), test: naive.test, fitMs: 0 },
    },
  ];
  // The families are compared as the table pipeline compares them, by RMSE on the time-ordered folds.
  const scoring = scoringFor('regression', 'rmse');
  const compared = await compareFamilies({
    families,
    catalog: 'forecast',
    task: 'regression',
    recipes,
    yTrain,
    yTest,
    classes: 0,
    folds,
    scoring,
    tuning: cfg.tuning,
    seed,
    cv,
    signal,
    onTrial: (fam, s) => {
      progress.tick(s.trials.length, cfg.tuning.trials, `${fam.title} best RMSE ${fmt(s.bestTrial?.value)}`);
    },
  });
  results.push(...compared.map((c) => horizonResult(c, target.days)));
  const fitted = compared.map(kept);

  // The best fitted model by CV RMSE on the training part (never by the test rows).
  const bestResult = bestByCv(compared.map((c) => c.result), scoring.greater);
  const best = fitted.find((f) => f.family.name === bestResult.model)!;
  const recipe = recipes.get(best.family.recipe)!;
  const testByModel: Record<string, Metrics> = { naive: naive.test };
  for (const f of fitted) testByModel[f.family.name] = f.test;
  const summaryOut: HorizonSummary = {
    days: target.days,
    weeks: target.weeks,
    target: target.column,
    trainRows: train.numRows(),
    testRows: testIdx.length,
    best: { model: `${best.family.name}${suffix}`, params: best.params, cv: best.cv, test: best.test },
    naive,
    test: testByModel,
    rmseVsNaive: best.test.rmse / naive.test.rmse,
    beatsNaive: best.test.rmse < naive.test.rmse,
  };
  const foldSpread = [
    ...naive.cv.folds.map((score, fold) => ({ model: `Naive last value · ${target.days} d`, fold, score })),
    ...fitted.map((f) => f.cv.folds.map((score, fold) => ({ model: `${f.family.title} · ${target.days} d`, fold, score }))).flat(),
  ];
  return {
    results,
    summary: summaryOut,
    bundle: {
      target,
      schema: servedSchema(schema, recipe.pipeline),
      pipeline: recipe.pipeline,
      model: best.model,
      name: `${best.family.name}${suffix}`,
      X: recipe.X,
      Xtest: recipe.Xtest,
      yTest,
      train,
      test,
      testScores: best.pred,
      cv: best.cv,
      testMetrics: best.test,
      params: best.params,
      foldSpread,
    },
  };
}

/** A compared family as one model of one horizon in metrics.json. */
function horizonResult({ family, result }: ComparedFamily, days: number): ForecastModelResult {
  return {
    model: `${family.name}_${days}d`,
    family: family.name,
    horizonDays: days,
    title: `${family.title} · ${days} d`,
    recipe: result.recipe,
    baseline: result.baseline,
    ...(result.tuned ? { tuned: result.tuned } : {}),
  };
}

/** What a horizon keeps of a compared family: its kept model, params, CV and test scores. */
function kept({ family, result, model }: ComparedFamily) {
  const final = result.tuned ?? result.baseline;
  return { family, model, params: final.params, cv: final.cv, test: final.test, pred: result.testScores };
}

/** Epoch ms of each row's time (Date or number). */
function timesOf(table: ColumnTable, column: string): Float64Array {
  const v = table.array(column) as ArrayLike<unknown>;
  return Float64Array.from({ length: v.length }, (_, i) => {
    const x = v[i];
    return x instanceof Date ? x.getTime() : typeof x === 'number' ? x : NaN;
  });
}

/** The configured cutoff, or the time at 80% of the weekly rows (in time order). */
export function resolveCutoff(cutoff: string | undefined, times: Float64Array): number {
  if (cutoff !== undefined) {
    const ms = Date.parse(cutoff);
    if (Number.isNaN(ms)) {
      throw new ConfigError('INVALID_CONFIG', `timeseries.cutoff: "${cutoff}" is not a date; write it as YYYY-MM-DD`, {
        column: 'timeseries.cutoff',
        value: cutoff,
        expected: 'a date such as 2024-06-01',
      });
    }
    return ms;
  }
  const sorted = Float64Array.from(times).sort();
  if (sorted.length === 0) throw new InputError('NO_ROWS', 'the weekly panel has no rows with an input', { column: 'timeseries' });
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.8))];
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Numeric values of a column, null as NaN. */
function numbers(table: ColumnTable, column: string): Float64Array {
  const v = table.array(column) as ArrayLike<unknown>;
  return Float64Array.from({ length: v.length }, (_, i) => (typeof v[i] === 'number' ? (v[i] as number) : NaN));
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : NaN;
}

function cvSummary(folds: number[]): CvSummary {
  const m = mean(folds);
  return { metric: 'rmse', mean: m, std: Math.sqrt(mean(folds.map((v) => (v - m) ** 2))), folds };
}

function meanMetrics(list: Metrics[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(list[0] ?? {})) out[k] = mean(list.map((m) => m[k]));
  return out;
}
