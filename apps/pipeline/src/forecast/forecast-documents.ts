import { computeReference, createBundleDocument } from '@campaign-ml/bundle';
import type { PipelineConfig } from '../config';
import { provenance } from '../provenance';
import type { Importance } from '../train/importance';
import type { ReportData, TrainResult } from '../train/train-result';
import { isoDay } from './fit-horizon';
import type { BundleParts, ForecastMetricsDocument, ForecastModelResult, HorizonSummary } from './forecast-result';
import type { WeeklyFeatures } from './weekly-features';

/** Where the daily panel came from. */
export interface ForecastData {
  source: string;
  sha256: string;
  /** Daily rows read. */
  rows: number;
  warnings: { message: string }[];
}

/** Everything a forecast run found, horizon by horizon. */
export interface ForecastRun {
  cfg: PipelineConfig;
  ts: NonNullable<PipelineConfig['timeseries']>;
  data: ForecastData;
  wf: WeeklyFeatures;
  cutoff: number;
  /** Every model of every horizon, naive included. */
  results: ForecastModelResult[];
  horizons: Record<string, HorizonSummary>;
  /** The horizon bundle.json serves (the first). */
  served: BundleParts;
  importance: Importance;
  warnings: string[];
  stageTimesMs: Record<string, number>;
}

/** What a forecast run writes: metrics.json (every horizon), the served horizon's bundle, the report's data. */
export async function forecastRunDocuments(run: ForecastRun): Promise<TrainResult> {
  const { cfg, ts, data, wf, cutoff, results, horizons, importance, warnings } = run;
  const table = wf.table;
  const b = run.served;
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
    stageTimesMs: run.stageTimesMs,
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
      provenance: await provenance(data.sha256, data.rows, cfg),
    },
    { name: cfg.name ?? 'forecast' },
  );

  const served = `bundle.json serves the ${b.target.days}-day horizon (${b.target.column})`;
  const all = 'every horizon is in the table below and in metrics.json "horizons"';
  warnings.unshift(`Weekly forecast of ${cfg.target} by ${ts.entity}: ${served}; ${all}.`);
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
