import type { ColumnTable } from 'arquero';
import { ConfigError, InputError, throwIfAborted } from '@campaign-ml/core';
import { checkColumnsExist, type PipelineConfig } from '../config';
import { fmt } from '../format';
import { ParallelCv } from '../parallel/parallel-cv';
import type { Progress } from '../progress';
import { featureImportance } from '../train/importance';
import { fileSha256, loadData } from '../train/read-data';
import { stageTimesMs } from '../train/run-documents';
import type { TrainResult } from '../train/train-result';
import { fitHorizon, isoDay } from './fit-horizon';
import { forecastFamilies, type ForecastFamily } from './forecast-families';
import { forecastRunDocuments, type ForecastData } from './forecast-documents';
import type { BundleParts, ForecastModelResult, HorizonSummary } from './forecast-result';
import { buildWeeklyFeatures, type WeeklyFeatures } from './weekly-features';
import { buildWeeklyFeaturesSql } from './weekly-features-sql';

export type { ForecastMetricsDocument, ForecastModelResult, HorizonSummary } from './forecast-result';

/**
 * The engagement forecast (config `timeseries`): daily panel -> weekly features -> one model per
 * horizon, chosen among the naive forecasts and the models by time-ordered CV. Returns the
 * pipeline's TrainResult, so write-run.ts writes bundle.json (the first horizon's best model),
 * metrics.json (every horizon) and report.html unchanged. Writes nothing itself.
 */
export async function trainForecast(
  cfg: PipelineConfig,
  progress: Progress,
  signal?: AbortSignal,
): Promise<TrainResult> {
  const ts = cfg.timeseries;
  if (!ts)
    throw new ConfigError('INVALID_CONFIG', 'trainForecast needs a timeseries block in the config', {
      column: 'timeseries',
    });
  if (cfg.task && cfg.task !== 'regression') {
    throw new ConfigError(
      'METRIC_TASK_MISMATCH',
      `task: the forecast (timeseries) is a regression, but task is ${cfg.task}; remove task or set it to regression`,
      {
        column: 'task',
        value: cfg.task,
      },
    );
  }
  const families = forecastFamilies(cfg.models);
  if (families.length === 0) {
    throw new ConfigError(
      'INVALID_CONFIG',
      `models: the forecast trains dummy, logistic (Ridge), randomForest or gradientBoosting; none of ${cfg.models.join(', ')} is one`,
      {
        column: 'models',
        expected: 'dummy, logistic, randomForest or gradientBoosting',
      },
    );
  }
  // The same cross-validation engine as the table pipeline's, on the main thread as before: the
  // weekly panel's folds are small, and starting fold workers takes seconds.
  return forecast(cfg, ts, families, new ParallelCv(), progress, signal);
}

/** The daily file of a duckdb-engine run (a database source is read in memory). */
function dataFile(cfg: PipelineConfig): string {
  const d = typeof cfg.data === 'string' ? { path: cfg.data } : cfg.data;
  if (!d.path || d.database) {
    throw new ConfigError('INVALID_CONFIG', "timeseries.engine 'duckdb' reads a CSV or Parquet file (data: file)", {
      column: 'timeseries.engine',
      value: 'duckdb',
      expected: "a file source, or engine 'memory'",
    });
  }
  return d.path;
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
  const spec = {
    entity: ts.entity,
    time: ts.time,
    target: cfg.target,
    horizons: ts.horizons,
    lags: ts.lags,
    rolling: ts.rolling,
  };
  let data: ForecastData;
  let wf: WeeklyFeatures;
  if (ts.engine === 'duckdb') {
    // Out of core: DuckDB streams the daily file and spills past the memory limit; only the weekly
    // feature table comes into memory.
    progress.stage('weekly features');
    const file = dataFile(cfg);
    const [sql, sha256] = await Promise.all([
      buildWeeklyFeaturesSql(file, spec, { memoryLimit: ts.memoryLimit }),
      fileSha256(file),
    ]);
    data = { source: file, sha256, rows: sql.dailyRows, warnings: [] };
    wf = { ...sql, table: sql.table! };
  } else {
    progress.stage('read data');
    const loaded = await loadData(cfg);
    checkColumnsExist(cfg, loaded.table.columnNames());
    data = { source: loaded.source, sha256: loaded.sha256, rows: loaded.table.numRows(), warnings: loaded.warnings };
    progress.stage('weekly features');
    wf = buildWeeklyFeatures(loaded.table, spec);
  }
  const table = wf.table;
  const times = timesOf(table, ts.time);
  const cutoff = resolveCutoff(ts.cutoff, times);
  progress.info(
    `${data.rows} daily rows -> ${wf.weeklyRows} entity-weeks (${table.numRows()} with an input), ${wf.inputs.length} inputs; test from ${isoDay(cutoff)}`,
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
      `${target.days} d: serves ${s.best.model} (${s.served.why}); test RMSE ${fmt(s.best.test.rmse)} R² ${fmt(s.best.test.r2)} vs naive RMSE ${fmt(s.naive.test.rmse)} R² ${fmt(s.naive.test.r2)} (${s.trainRows} train / ${s.testRows} test rows)`,
    );
    warnings.push(`${target.days} d: ${s.served.title} serves (${s.served.how}): ${s.served.why}.`);
    if (s.rmseVsNaive > 1)
      warnings.push(
        `At ${target.days} days the served model (${s.best.model}, test RMSE ${fmt(s.best.test.rmse)}) does worse on the test weeks than the naive last-value forecast (RMSE ${fmt(s.naive.test.rmse)}).`,
      );
    bundleParts ??= done.bundle;
  }
  const b = bundleParts!;

  progress.stage('explain');
  const importance = featureImportance(b.model, b.Xtest, b.yTest, { seed, scoreName: 'R²' });
  progress.end();

  const run = { cfg, ts, data, wf, cutoff, results, horizons, served: b, importance, warnings };
  return forecastRunDocuments({ ...run, stageTimesMs: stageTimesMs(progress) });
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
  if (sorted.length === 0)
    throw new InputError('NO_ROWS', 'the weekly panel has no rows with an input', { column: 'timeseries' });
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.8))];
}
