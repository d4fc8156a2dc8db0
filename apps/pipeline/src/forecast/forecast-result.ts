import type { ColumnTable } from 'arquero';
import type { FittedModel, Matrix } from '@campaign-ml/core';
import type { FittedColumnPipeline } from '@campaign-ml/features';
import type { Schema } from '@campaign-ml/schema';
import type { Params } from '@campaign-ml/tuning';
import type { Metrics } from '../metrics';
import type { CvSummary, MetricsDocument, ModelResult, ReportData } from '../train/train-result';
import type { HorizonTarget } from './weekly-features';

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
  /** The served option (a candidate or a family): lowest mean CV RMSE on time-ordered folds of the training part. */
  best: { model: string; params: Params; cv: CvSummary; test: Metrics };
  /** The naive last-value forecast on the same rows. */
  naive: { cv: CvSummary; test: Metrics };
  /** Test metrics (rmse, mae, r2, mase) of every candidate and family of this horizon, naive included. */
  test: Record<string, Metrics>;
  /** Mean CV RMSE of every candidate and family (what the choice was made on). */
  cvRmse: Record<string, number>;
  /** MASE denominator: the naive forecast's MAE on the training rows at this horizon. */
  maseScale: number;
  /** What serves this horizon and why, in words for the report. */
  served: { model: string; title: string; how: string; why: string };
  /** served test RMSE / naive test RMSE (< 1: it beats the naive forecast; 1 when naive serves). */
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

/** What the bundle and the report take from a horizon (the first one's is served). */
export interface BundleParts {
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
