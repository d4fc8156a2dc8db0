import type { PipelineConfig } from '../config';
import { FAMILIES, familyTitle } from '../families';
import { trainForecast } from '../forecast/train-forecast';
import { fmt } from '../format';
import { withParallelCv, type ParallelCv } from '../parallel/parallel-cv';
import type { Progress } from '../progress';
import { QueueCv, type QueueOptions } from '../queue/queue-cv';
import { bestByCv, compareFamilies, scoringFor } from './compare-families';
import { checkLeakage } from './detect-leakage';
import { candidatesOf, weightedEnsemble } from './ensemble';
import { evaluateTest } from './evaluate-test';
import { fairnessStage, fairnessWeights, sensitiveParts } from './fairness';
import { fitRecipes } from './fit-recipes';
import { shapSummary } from './shap-summary';
import { explainSections } from '../explain/explain-sections';
import { explainable, inputColumnImportance } from './importance';
import { inferTrainingSchema, typeFeatures } from './infer-schema';
import { computeLearningCurve } from './learning-curve';
import { readData } from './read-data';
import { stageTimesMs, tabularRunDocuments } from './run-documents';
import { splitTrainTest } from './split';
import { chooseBinaryThreshold } from './threshold';
import type { ModelResult, TrainResult } from './train-result';

export type { TrainResult } from './train-result';

/**
 * Train, compare, tune, refit and evaluate as configured. Writes nothing: write-run.ts writes the
 * result. A config with a `timeseries` block trains the engagement forecast instead.
 */
export async function train(
  cfg: PipelineConfig,
  progress: Progress,
  signal?: AbortSignal,
  options: TrainOptions = {},
): Promise<TrainResult> {
  if (cfg.timeseries) {
    if (options.queue) progress.info('the engagement forecast fits its folds here: --queue applies to table training');
    return trainForecast(cfg, progress, signal);
  }
  // Cross-validation folds run on worker threads (or on queue workers); they start while the data is read.
  const queue = options.queue;
  return withParallelCv(
    progress,
    (starting) => trainTabular(cfg, progress, starting, signal),
    queue ? () => QueueCv.connect(queue) : undefined,
  );
}

/** How a run is executed, not what it computes: the result is the same either way. */
export interface TrainOptions {
  /** Be the coordinator of a distributed run: folds go to `pipeline worker`s through this queue. */
  queue?: QueueOptions;
}

/** The table flow, top to bottom: each stage is the file of this folder named after it. */
async function trainTabular(
  cfg: PipelineConfig,
  progress: Progress,
  starting: Promise<ParallelCv>,
  signal?: AbortSignal,
): Promise<TrainResult> {
  const seed = cfg.seed;
  progress.stage('read data');
  const { data, prepared } = await readData(cfg, progress);
  const { task, classes, y } = prepared;
  const k = classes?.length ?? 0;

  progress.stage('schema + leakage');
  const schema = inferTrainingSchema(prepared.table, cfg);
  const table = typeFeatures(prepared.table, schema);
  const leakage = checkLeakage(table, prepared, cfg, progress);

  progress.stage('split');
  const split = splitTrainTest(table, y, task, cfg, progress);
  const { yTrain, yTest, folds } = split;
  // Fairness: the sensitive groups of both parts, and reweighing's training weights when asked for.
  const sensitive = cfg.fairness ? sensitiveParts(cfg.fairness, split) : undefined;
  const sampleWeight = cfg.fairness && sensitive ? fairnessWeights(cfg.fairness, yTrain, sensitive) : undefined;

  progress.stage('features');
  const families = cfg.models.map((m) => FAMILIES[m]);
  const { maxOneHot, highCardinality } = cfg.features;
  const recipeOptions = { drop: leakage.drop, seed, maxOneHot, highCardinality };
  const recipes = fitRecipes(schema, task, families, split, recipeOptions, signal, progress);

  const scoring = scoringFor(task, cfg.tuning.metric);
  const { primary } = scoring;
  const cv = await starting;
  if (cv.size > 1 || cv.distributed) progress.info(`cross-validation folds on ${cv.describe()}`);
  if (cv instanceof QueueCv && (await cv.workers()) === 0)
    progress.info('no worker is connected yet: the folds wait for `pipeline worker --queue <url>`');
  const compared = await compareFamilies({
    families,
    catalog: 'table',
    task,
    recipes,
    yTrain,
    yTest,
    classes: k,
    folds,
    scoring,
    tuning: cfg.tuning,
    seed,
    cv,
    signal,
    sampleWeight,
    onFamily: (fam, trials) => progress.stage(familyTitle(fam, task), trials),
    onTrial: (_fam, s) => progress.tick(s.trials.length, cfg.tuning.trials, `best ${fmt(s.bestTrial?.value)}`),
    onCompared: ({ result }) => progress.info(familyLine(result, primary)),
  });
  const results = compared.map((c) => c.result);
  const candidates = candidatesOf(compared, { recipes, yTrain, folds, task, seed, cv, signal, sampleWeight });

  // The ensemble joins the tree and linear recipes; a family on a codes recipe competes on its own.
  const members = results.filter((r) => r.model !== 'dummy' && r.recipe !== 'codes' && r.recipe !== 'linearCodes');
  if (cfg.ensemble.enabled && members.length >= 2) {
    progress.stage('ensemble', members.length);
    const { rounds } = cfg.ensemble;
    const stage = { yTrain, yTest, classes: k, folds, primary, rounds, recipes, task, seed, signal };
    const ensemble = await weightedEnsemble(members, candidates, stage, progress);
    if (ensemble) {
      results.push(ensemble.result);
      candidates.byName.set('ensemble', ensemble.candidate);
    }
  }

  // The best candidate by cross-validated score on the training part (never by the test set).
  const best = bestByCv(results, scoring.greater);
  const chosen = candidates.byName.get(best.model)!;

  progress.stage('threshold + evaluation');
  const threshold = await chooseBinaryThreshold(task, best.model, candidates, yTrain, cfg.threshold.metric);
  const bestTest = evaluateTest(chosen.model, chosen.Xtest, yTest, k, threshold ?? 0.5);

  if (cfg.fairness) progress.stage('fairness');
  const fairness =
    cfg.fairness && sensitive
      ? await fairnessStage({
          f: cfg.fairness,
          parts: sensitive,
          split,
          best: best.model,
          chosen,
          candidates,
          testProba: bestTest.scores,
          threshold: threshold ?? 0.5,
          seed,
        })
      : undefined;

  progress.stage('importance');
  const { create, model, pipeline, X, Xtest } = chosen;
  const importance = inputColumnImportance(model, pipeline, split.test, yTest, { task, seed, maxRows: 2000 });
  progress.stage('SHAP');
  const shap = shapSummary(model, pipeline, split.train, split.test, { task, seed });
  // The explanation sections of the report: the top 5 columns' PDP panels and sentences (on 500
  // test rows), ranked by the importance just computed.
  progress.stage('explain');
  const explain = explainSections(explainable(model, pipeline, task, classes), split.test, {
    topK: 5,
    maxRows: 500,
    seed,
    y: yTest,
    importance: importance.result,
    labels: cfg.explain?.describe,
  });
  progress.stage('learning curve');
  const classification = task !== 'regression';
  const learningCurve = computeLearningCurve(
    create,
    model,
    X,
    yTrain,
    Xtest,
    yTest,
    primary,
    seed,
    classification,
    signal,
  );
  progress.end();

  return tabularRunDocuments({
    cfg,
    data,
    prepared,
    schema,
    leakage: leakage.findings,
    split,
    primary,
    results,
    best,
    chosen,
    threshold,
    bestTest,
    importance,
    shap,
    explain,
    learningCurve,
    fairness,
    stageTimesMs: stageTimesMs(progress),
  });
}

/** A family's line in the progress output: its CV score, tuned when tuning ran, and its test score. */
function familyLine(result: ModelResult, primary: string): string {
  const final = result.tuned ?? result.baseline;
  const tuned = result.tuned ? ` → tuned ${fmt(result.tuned.cv.mean)}` : '';
  const test = primary in final.test ? fmt(final.test[primary]) : '';
  const how = result.cvMethod === 'out-of-bag' ? ' (out-of-bag)' : '';
  return `${result.title}: CV ${primary}${how} ${fmt(result.baseline.cv.mean)}${tuned}; test ${test}`;
}
