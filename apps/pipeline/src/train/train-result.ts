/** What a training run gives: the bundle, metrics.json and the report's data, as write-run.ts writes them. */
import type { ColumnTable } from 'arquero';
import type { Task } from '@campaign-ml/core';
import type { BundleDocument } from '@campaign-ml/bundle';
import type { ShapSummary } from './shap-summary';
import type { LeakageFinding } from '@campaign-ml/features';
import type { Schema } from '@campaign-ml/schema';
import type { Params } from '@campaign-ml/tuning';
import type { ExplainSections } from '../explain/explain-sections';
import type { Metrics } from '../metrics';
import type { FairnessSummary } from './fairness-summary';

export interface CvSummary {
  metric: string;
  mean: number;
  std: number;
  folds: number[];
}

export interface ModelResult {
  model: string;
  title: string;
  /** The feature recipe(s) the model reads: an ensemble reads the union of its members' recipes. */
  recipe: 'tree' | 'linear' | 'codes' | 'linearCodes' | 'tree+linear';
  baseline: { params: Params; cv: CvSummary; cvAll: Record<string, number>; test: Metrics; fitMs: number };
  tuned?: { params: Params; cv: CvSummary; test: Metrics; trials: Array<Record<string, string | number | boolean>> };
  /** Test scores of the model kept for this family (tuned when tuning ran), for curves. */
  testScores: Float64Array;
  /**
   * How the CV figures were made: 'k-fold' (the folds' fits), or 'out-of-bag' (random forests with
   * tuning.outOfBag: one forest per trial on the whole training part, scored on the rows each tree
   * left out; `cv.folds` then holds that one score). Ensembles are always k-fold.
   */
  cvMethod?: 'k-fold' | 'out-of-bag';
  /** Out of bag: training rows no tree of the kept params' forest left out (not scored; prior in the out-of-fold predictions). */
  outOfBagMissing?: number;
}

export interface TrainResult {
  bundle: BundleDocument;
  metrics: MetricsDocument;
  report: ReportData;
  /** Scores of the best model on the test rows, as the bundle reproduces them. */
  testScores: Float64Array;
  testTable: ColumnTable;
}

export interface MetricsDocument {
  task: Task;
  target: string;
  classes: string[] | null;
  positiveClass?: string;
  /** Binary: how the positive class was chosen ('config', 'name', 'minority') and what to pass to change it. */
  positiveClassChoice?: { rule: string; message: string };
  primaryMetric: string;
  best: {
    model: string;
    params: Params;
    threshold?: number;
    cv: CvSummary;
    /** How the best model's CV figures were made (ModelResult.cvMethod). */
    cvMethod?: 'k-fold' | 'out-of-bag';
    test: Metrics;
  };
  /**
   * Classification: always predicting the training part's commonest class, scored on the test
   * part; `beaten` says whether the best model's test accuracy is above it.
   */
  majorityBaseline?: { class: string; accuracy: number; beaten: boolean };
  /** Multiclass: the best model's precision, recall, F1 and support per class on the test part (the headline figures are macro averages). */
  perClass?: { class: string; precision: number; recall: number; f1: number; support: number }[];
  models: Array<Omit<ModelResult, 'testScores'>>;
  leakage: LeakageFinding[];
  data: {
    source: string;
    rows: number;
    trainRows: number;
    testRows: number;
    sha256: string;
    droppedMissingTarget: number;
    droppedExcludedLabels: number;
  };
  features: { count: number; names: string[] };
  /** Mean |SHAP| per input column on a sample of test rows (the kept model, in `space`). */
  shap?: { space: string; method: string; rows: number; meanAbs: Record<string, number> };
  /** With `fairness` in the config: the audit on the test part before and after mitigation. */
  fairness?: FairnessSummary;
  stageTimesMs: Record<string, number>;
}

export interface ReportData {
  title: string;
  schema: Schema;
  metrics: MetricsDocument;
  curves: Array<{
    model: string;
    roc?: { fpr: number[]; tpr: number[] };
    pr?: { precision: number[]; recall: number[] };
    calibration?: { predicted: number[]; observed: number[] };
  }>;
  confusion?: { labels: string[]; matrix: number[][] };
  importance: Array<{ feature: string; importance: number }>;
  importanceKind: string;
  /** SHAP summary of the kept model on test rows (table runs). */
  shap?: ShapSummary;
  /** The best model explained: importance with spread, PDP/ICE panels with high regions, target-group sentences. */
  explain?: ExplainSections;
  learningCurve: Array<{ fraction: number; rows: number; train: number; test: number }>;
  foldSpread: Array<{ model: string; fold: number; score: number }>;
  warnings: string[];
  fairness?: FairnessSummary;
}
