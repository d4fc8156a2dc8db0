import { isClassifier } from '@campaign-ml/core';
import { backgroundSample, computeReference, createBundleDocument, type GroupThresholds } from '@campaign-ml/bundle';
import { summarizePerformanceReference } from '@campaign-ml/drift';
import type { LeakageFinding } from '@campaign-ml/features';
import type { Schema } from '@campaign-ml/schema';
import type { PipelineConfig } from '../config';
import { classificationCurves, majorityBaseline, perClassMetrics, positiveColumn } from '../metrics';
import type { Progress } from '../progress';
import { provenance } from '../provenance';
import type { Candidate } from './ensemble';
import type { FairnessSummary } from './fairness-summary';
import type { TestEvaluation } from './evaluate-test';
import { servedSchema } from './infer-schema';
import type { ExplainSections } from '../explain/explain-sections';
import type { Importance } from './importance';
import type { ShapSummary } from './shap-summary';
import type { LearningCurve } from './learning-curve';
import type { LoadedData, PreparedTarget } from './read-data';
import type { TrainTestSplit } from './split';
import type { MetricsDocument, ModelResult, ReportData, TrainResult } from './train-result';

/** Everything a table run found, stage by stage. */
export interface TabularRun {
  cfg: PipelineConfig;
  data: LoadedData;
  prepared: PreparedTarget;
  schema: Schema;
  leakage: LeakageFinding[];
  split: TrainTestSplit;
  primary: string;
  /** Every family, and the ensemble when one was built. */
  results: ModelResult[];
  best: ModelResult;
  chosen: Candidate;
  threshold?: number;
  bestTest: TestEvaluation;
  importance: Importance;
  shap: ShapSummary;
  /** Importance, PDP panels and target-group sentences of the top columns, for the report. */
  explain?: ExplainSections;
  learningCurve: LearningCurve;
  /** The fairness audit (before/after mitigation) and the per-group thresholds, when configured. */
  fairness?: { summary: FairnessSummary; groupThresholds?: GroupThresholds };
  stageTimesMs: Record<string, number>;
}

/** What a table run writes: metrics.json, the bundle of the chosen model, and the report's data. */
export async function tabularRunDocuments(run: TabularRun): Promise<TrainResult> {
  const { cfg, data, prepared, schema, split, primary, results, best, chosen, threshold, bestTest } = run;
  const { task, classes, table, positiveClass } = prepared;
  const { yTest, yTrain } = split;
  const majority = classes ? majorityBaseline(yTrain, yTest, classes) : undefined;
  const model = chosen.model;
  const k = classes?.length ?? 0;
  const classification = task !== 'regression';
  const bestParams = (best.tuned ?? best.baseline).params;
  const bestCv = (best.tuned ?? best.baseline).cv;
  const metrics: MetricsDocument = {
    task,
    target: cfg.target,
    classes,
    positiveClass,
    ...(prepared.positiveChoice
      ? { positiveClassChoice: { rule: prepared.positiveChoice.rule, message: prepared.positiveChoice.message } }
      : {}),
    primaryMetric: primary,
    best: {
      model: best.model,
      params: bestParams,
      threshold,
      cv: bestCv,
      cvMethod: best.cvMethod ?? 'k-fold',
      test: bestTest.metrics,
    },
    ...(majority ? { majorityBaseline: { ...majority, beaten: bestTest.metrics.accuracy > majority.accuracy } } : {}),
    ...(classes && k > 2 ? { perClass: perClassMetrics(yTest, bestTest.scores, classes) } : {}),
    models: results.map(({ testScores: _s, ...r }) => r),
    leakage: run.leakage,
    data: {
      source: data.source,
      rows: table.numRows(),
      trainRows: split.train.numRows(),
      testRows: split.test.numRows(),
      sha256: data.sha256,
      droppedMissingTarget: prepared.droppedMissing,
      droppedExcludedLabels: prepared.droppedExcluded,
    },
    features: { count: chosen.X.cols, names: [...chosen.X.columns] },
    shap: {
      space: run.shap.space,
      method: run.shap.method,
      rows: run.shap.rows,
      meanAbs: Object.fromEntries(run.shap.meanAbs.map((m) => [m.column, m.meanAbs])),
    },
    ...(run.fairness ? { fairness: run.fairness.summary } : {}),
    stageTimesMs: run.stageTimesMs,
  };
  const groupThresholds = run.fairness?.groupThresholds;

  const bundleSchema = servedSchema(schema, chosen.pipeline, cfg.target);
  const trainScores = isClassifier(model) ? model.predictProba(chosen.X) : model.predict(chosen.X);
  const referenceScores = k === 2 ? positiveColumn(trainScores) : k > 2 ? maxColumn(trainScores, k) : trainScores;
  const bundle = createBundleDocument(
    {
      task,
      target: { column: cfg.target, classes, ...(positiveClass ? { positiveClass } : {}) },
      schema: bundleSchema,
      features: chosen.pipeline.toJSON(),
      model: {
        name: best.model,
        fitted: model.toJSON(),
        ...(threshold !== undefined ? { threshold } : {}),
        ...(groupThresholds ? { groupThresholds } : {}),
      },
      metrics: {
        primaryMetric: primary,
        test: bestTest.metrics,
        cv: bestCv,
        ...(run.fairness ? { fairness: fairnessBrief(run.fairness.summary) } : {}),
        // Permutation importance per input column on the test part: drift ranks drifted columns by it.
        importance: Object.fromEntries(run.importance.values.map((v) => [v.feature, v.importance])),
      },
      reference: {
        ...computeReference(split.train, bundleSchema, referenceScores),
        ...(k === 2 ? performanceReference(positiveColumn(bestTest.scores), yTest, threshold ?? 0.5) : {}),
      },
      explain: {
        background: backgroundSample(split.train, chosen.pipeline.inputColumns, { rows: 100, seed: cfg.seed }),
      },
      provenance: await provenance(data.sha256, table.numRows(), cfg),
    },
    { name: cfg.name ?? 'run' },
  );

  const curves = (scores: Float64Array) => pickCurves(classificationCurves(yTest, scores, k, 0.5));
  const confusion = () => classificationCurves(yTest, bestTest.scores, k, threshold ?? 0.5).confusion;
  const report: ReportData = {
    title: cfg.name ?? `${cfg.target} (${task})`,
    schema,
    metrics,
    curves: results.map((r) => ({ model: r.title, ...(classification ? curves(r.testScores) : {}) })),
    confusion: classification && classes ? { labels: classes, matrix: confusion() } : undefined,
    importance: run.importance.values,
    importanceKind: run.importance.kind,
    shap: run.shap,
    ...(run.explain ? { explain: run.explain } : {}),
    learningCurve: run.learningCurve,
    foldSpread: results.flatMap((r) => {
      const { folds } = (r.tuned ?? r.baseline).cv;
      return folds.map((score, fold) => ({ model: r.title, fold, score }));
    }),
    warnings: data.warnings.map((w) => w.message),
    ...(run.fairness ? { fairness: run.fairness.summary } : {}),
  };
  return { bundle, metrics, report, testScores: bestTest.scores, testTable: split.test };
}

/**
 * Binary: what drift's performance estimate without labels (CBPE) needs of the labelled test split
 * (realised metrics, their sd over 10 chunks, the calibration check), so `pipeline drift` checks
 * calibration and draws bounds with no reference rows. Left out when the split has fewer than 100 rows.
 */
function performanceReference(p: Float64Array, y: ArrayLike<number>, threshold: number) {
  return y.length < 100 ? {} : { performance: summarizePerformanceReference(p, y, { threshold }) };
}

/** The fairness summary the bundle carries (and /v1/model shows): the gaps before and after, not the tables. */
function fairnessBrief(f: FairnessSummary) {
  const side = (a: FairnessSummary['before']) => ({
    demographicParityDifference: a.demographicParityDifference,
    equalizedOddsDifference: a.equalizedOddsDifference,
    accuracy: a.accuracy,
  });
  const { sensitive, mitigation, constraint, objective, accuracyCost } = f;
  return { sensitive, mitigation, constraint, objective, before: side(f.before), after: side(f.after), accuracyCost };
}

/** How long each finished stage took, in whole milliseconds by stage name (metrics.json `stageTimesMs`). */
export function stageTimesMs(progress: Progress): Record<string, number> {
  return Object.fromEntries(progress.times.map((t) => [t.stage, Math.round(t.ms)]));
}

function pickCurves(c: ReturnType<typeof classificationCurves>) {
  return { roc: c.roc, pr: c.pr, calibration: c.calibration };
}

function maxColumn(p: Float64Array, k: number): Float64Array {
  const out = new Float64Array(p.length / k);
  for (let r = 0; r < out.length; r++) {
    let m = 0;
    for (let c = 0; c < k; c++) m = Math.max(m, p[r * k + c]);
    out[r] = m;
  }
  return out;
}
