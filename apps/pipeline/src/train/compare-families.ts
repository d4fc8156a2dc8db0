import { throwIfAborted, type FittedModel, type Fold, type Task } from '@campaign-ml/core';
import type { CvPredictions, MetricName } from '@campaign-ml/models';
import { createSampler, trialLog, tuneEstimator, type Params, type StudyResult } from '@campaign-ml/tuning';
import type { PipelineConfig } from '../config';
import { familyTitle, type Family } from '../families';
import { familyOf, type FamilyCatalog } from '../family-catalog';
import { cvMetricsFor } from '../metrics';
import {
  assembleOutOfFold,
  type ParallelCv,
  type ParallelCvResult,
  type ParallelOutOfFold,
} from '../parallel/parallel-cv';
import { evaluateTest } from './evaluate-test';
import { outOfBagBaseline, outOfBagFold, outOfBagTrials, scoredOutOfBag, type OutOfBagEvaluation } from './out-of-bag';
import type { Recipes } from './fit-recipes';
import type { ModelResult } from './train-result';

/** How models are compared: the metric tuning optimizes and the best is picked by, and every CV metric reported. */
export interface Scoring {
  primary: MetricName;
  greater: boolean;
  /** The primary metric first, then the task's other CV metrics. */
  metrics: MetricName[];
}

const LOWER_IS_BETTER = new Set(['logLoss', 'brier', 'mse', 'rmse', 'mae', 'mape']);

/** The task's CV metrics, led by `metric` (default: the task's first, ROC AUC or RMSE). */
export function scoringFor(task: Task, metric?: string): Scoring {
  const metricNames = cvMetricsFor(task);
  const primary = (metric ?? metricNames[0]) as MetricName;
  const metrics = [...new Set([primary, ...metricNames])] as MetricName[];
  return { primary, greater: !LOWER_IS_BETTER.has(primary), metrics };
}

/** What the comparison runs on, and the only things that differ between the table and the forecast. */
export interface FamilyComparison {
  families: readonly Family[];
  /** Where the families are defined, for the worker threads that rebuild them by name. */
  catalog: FamilyCatalog;
  task: Task;
  recipes: Recipes;
  yTrain: Float64Array;
  yTest: Float64Array;
  /** Number of classes (0 for a regression), for the test metrics. */
  classes: number;
  /** The CV folds of the training part: every family and every trial is scored on them. */
  folds: readonly Fold[];
  scoring: Scoring;
  tuning: PipelineConfig['tuning'];
  seed: number;
  cv: ParallelCv;
  signal?: AbortSignal;
  /** Training-row weights (fairness reweighing): every CV fold and every final fit uses them. */
  sampleWeight?: Float64Array;
  /** A family starts: `trials` it will be tuned for (0: its defaults only). */
  onFamily?: (family: Family, trials: number) => void;
  /** A tuning trial of `family` finished. */
  onTrial?: (family: Family, study: StudyResult) => void;
  /** A family is done. */
  onCompared?: (compared: ComparedFamily) => void;
}

export interface ComparedFamily {
  family: Family;
  result: ModelResult;
  /** The kept model: refitted with the tuned params when tuning beat the defaults, else the baseline. */
  model: FittedModel;
  /** Out-of-fold predictions of the kept params, from their CV fits (undefined when a fold's were not kept). */
  outOfFold?: ParallelOutOfFold;
}

/**
 * The compare-families stage: each family is cross-validated with its defaults (the baseline) and
 * fitted on the whole training part, then tuned on the same folds, the baseline's CV counting as
 * trial 0; the kept model is scored on the test part. Every fold fit keeps its test rows'
 * predictions, so the kept params' out-of-fold predictions need no second fit. A random forest is
 * scored out of bag instead when `tuning.outOfBag` is on (out-of-bag.ts): one forest per trial,
 * whose out-of-bag predictions are its out-of-fold ones.
 */
export async function compareFamilies(c: FamilyComparison): Promise<ComparedFamily[]> {
  const { task, seed, yTrain, folds, cv, signal, tuning, sampleWeight } = c;
  const { primary, greater, metrics: cvMetrics } = c.scoring;
  const compared: ComparedFamily[] = [];
  for (const fam of c.families) {
    throwIfAborted(signal);
    if (familyOf(c.catalog, fam.name) !== fam) {
      throw new Error(`internal: ${fam.name} is not the ${c.catalog} catalog's family`);
    }
    const { X, Xtest } = c.recipes.get(fam.recipe)!;
    const tuneIt = tuning.trials > 0 && Object.keys(fam.space).length > 0;
    c.onFamily?.(fam, tuneIt ? tuning.trials : 0);
    const t0 = performance.now();
    const spec = { family: fam.name, catalog: c.catalog, task, seed, sampleWeight };
    const byOob = scoredOutOfBag(fam, c.catalog, task, tuning.outOfBag);
    let base: ParallelCvResult;
    let baselineModel: FittedModel;
    let oobMissing = 0;
    if (byOob) {
      // One forest with the defaults, its halves on the workers: its out-of-bag predictions are
      // trial 0's, and it is the kept baseline model.
      const oob = await outOfBagBaseline(cv, fam, spec, X, yTrain, cvMetrics, signal);
      ({ model: baselineModel, cv: base, missing: oobMissing } = oob);
    } else {
      // The folds are dealt out to the workers first and the baseline is fitted here meanwhile. The
      // baseline's CV is tuning's trial 0, and its predictions are its out-of-fold predictions.
      const baseline = { ...spec, params: fam.defaults };
      const baselineCv = cv.crossValidate(X, yTrain, baseline, folds, cvMetrics, signal, { predict: true });
      baselineCv.catch(() => undefined);
      baselineModel = fam.create(task, fam.defaults, seed).fit(X, yTrain, { signal, sampleWeight });
      base = await baselineCv;
    }
    const fitMs = performance.now() - t0;
    const baseTest = evaluateTest(baselineModel, Xtest, c.yTest, c.classes);
    const baseFolds = base.folds.map((f) => f.scores[primary]);
    const result: ModelResult = {
      model: fam.name,
      title: familyTitle(fam, task),
      recipe: fam.recipe,
      baseline: {
        params: fam.defaults,
        cv: { metric: primary, mean: base.mean[primary], std: base.std[primary], folds: baseFolds },
        cvAll: base.mean,
        test: baseTest.metrics,
        fitMs,
      },
      testScores: baseTest.scores,
      cvMethod: byOob ? 'out-of-bag' : 'k-fold',
      ...(byOob ? { outOfBagMissing: oobMissing } : {}),
    };
    let kept = baselineModel;
    let outOfFold = base.oof;
    if (tuneIt) {
      // Every trial's fold predictions, by params: the best trial's become the family's out-of-fold predictions.
      const trialPredictions = new Map<string, CvPredictions[]>();
      const keepPredictions = (params: Params, index: number, p: CvPredictions) => {
        const key = JSON.stringify(params);
        if (!trialPredictions.has(key)) trialPredictions.set(key, []);
        trialPredictions.get(key)![index] = p;
      };
      // Out of bag: every trial's out-of-bag predictions, by params.
      const trialOutOfBag = new Map<string, OutOfBagEvaluation>();
      const keepOutOfBag = (params: Params, e: OutOfBagEvaluation) => trialOutOfBag.set(JSON.stringify(params), e);
      const tuneFolds = byOob ? [outOfBagFold(X.rows)] : folds;
      const tuned = await tuneEstimator({
        factory: (p) => fam.create(task, p, seed),
        space: fam.space,
        X,
        y: yTrain,
        metric: primary,
        greaterIsBetter: greater,
        folds: tuneFolds,
        classification: task !== 'regression',
        nTrials: tuning.trials,
        seed,
        sampler: createSampler(tuning.sampler),
        evaluated: [{ params: fam.defaults, foldScores: result.baseline.cv.folds }],
        timeoutMs: tuning.timeoutMinutes ? tuning.timeoutMinutes * 60_000 : undefined,
        signal,
        // On a queue, whole trials (a batch of them at a time) go out at once; locally, folds go to
        // the thread pool as it frees up. The same folds and params give the same scores either way.
        // Out of bag: each trial is one forest, its two halves on the workers (or the queue).
        ...(byOob
          ? { evaluateTrial: outOfBagTrials(cv, X, yTrain, spec, primary, signal, keepOutOfBag) }
          : cv.distributed
            ? { evaluateTrial: cv.trialEvaluator(X, yTrain, spec, primary, signal, keepPredictions) }
            : {
                evaluateFold: cv.foldEvaluator(X, yTrain, spec, primary, signal, keepPredictions),
                foldConcurrency: cv.size,
              }),
        trialBatch: tuning.batch,
        onTrial: (_t, s) => c.onTrial?.(fam, s),
      });
      if (tuned.study.bestTrial.number !== 0) {
        const key = JSON.stringify(tuned.bestParams);
        const p = trialPredictions.get(key);
        if (byOob) {
          const e = trialOutOfBag.get(key);
          outOfFold = e?.oof;
          result.outOfBagMissing = e?.missing;
        } else
          outOfFold = p?.length === folds.length && p.every(Boolean) ? assembleOutOfFold(p, folds, X.rows) : undefined;
        kept = byOob
          ? await cv.fitForest(X, yTrain, { ...spec, params: tuned.bestParams }, signal)
          : fam.create(task, tuned.bestParams, seed).fit(X, yTrain, { signal, sampleWeight });
      }
      const tunedTest = evaluateTest(kept, Xtest, c.yTest, c.classes);
      result.tuned = {
        params: tuned.bestParams,
        cv: { metric: primary, mean: tuned.bestScore, std: std(tuned.bestFoldScores), folds: tuned.bestFoldScores },
        test: tunedTest.metrics,
        trials: trialLog(tuned.study),
      };
      result.testScores = tunedTest.scores;
    }
    const done: ComparedFamily = { family: fam, result, model: kept, outOfFold };
    compared.push(done);
    c.onCompared?.(done);
  }
  return compared;
}

/** The best result by cross-validated score on the training part (never by the test part); the first on ties. */
export function bestByCv(results: readonly ModelResult[], greater: boolean): ModelResult {
  const score = (r: ModelResult) => (r.tuned ?? r.baseline).cv.mean;
  return results.reduce((a, b) => ((greater ? score(b) > score(a) : score(b) < score(a)) ? b : a));
}

/** Population standard deviation, as crossValidate reports it. */
export function std(a: number[]): number {
  if (a.length === 0) return NaN;
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
}
