import type { ColumnTable } from 'arquero';
import {
  createMatrix,
  createRng,
  isClassifier,
  kFold,
  stratifiedKFold,
  take,
  throwIfAborted,
  type Classifier,
  type Estimator,
  type FittedModel,
  type Fold,
  type Matrix,
  type Regressor,
  type Task,
} from '@campaign-ml/core';
import { computeReference, type BundleDocument } from '@campaign-ml/bundle';
import { FittedColumnPipeline, detectLeakage, recommendedPipeline } from '@campaign-ml/features';
import { groupKFoldSplits, inferSchema, stratifiedSplit, timeSplit, trainTestSplit, type Schema, type TableSplit } from '@campaign-ml/ingest';
import {
  FittedVotingClassifier,
  FittedVotingRegressor,
  VotingClassifier,
  VotingRegressor,
  chooseThreshold,
  crossValidateEnsembleSelection,
  ensembleSelection,
  labelsFromProba,
  type CvPredictions,
  type MetricName,
} from '@campaign-ml/models';
import { createSampler, trialLog, tuneEstimator } from '@campaign-ml/tuning';
import { checkColumnsExist, type PipelineConfig } from './config';
import { loadData, prepareTarget, takeY } from './train/read-data';
import { classificationCurves, classificationMetrics, cvMetricsFor, positiveColumn, regressionMetrics, type Metrics } from './metrics';
import { FAMILIES, type Family } from './families';
import { trainForecast } from './forecast/train-forecast';
import { assembleOutOfFold, startParallelCv, type ParallelCv, type ParallelOutOfFold } from './parallel/parallel-cv';
import { workerCount } from './parallel/worker-count';
import type { Progress } from './progress';
import { inputColumnImportance } from './train/importance';
import { provenance } from './provenance';
import { fmt } from './format';
import type { MetricsDocument, ModelResult, ReportData, TrainResult } from './train/train-result';

export type { CvSummary, MetricsDocument, ModelResult, ReportData, TrainResult } from './train/train-result';

const LOWER_IS_BETTER = new Set(['logLoss', 'brier', 'mse', 'rmse', 'mae', 'mape']);

/** Train, compare, tune, refit and evaluate as configured. Writes nothing: see artifacts.ts. */
export async function train(cfg: PipelineConfig, progress: Progress, signal?: AbortSignal): Promise<TrainResult> {
  if (cfg.timeseries) return trainForecast(cfg, progress, signal);
  // Cross-validation folds run on worker threads (CAMPAIGN_ML_WORKERS, default min(2, cores)); they
  // start while the data is read. Same folds and seeds give the same scores as on the main thread.
  const starting = startParallelCv(workerCount(), (reason) => progress.info(`cross-validation on the main thread only: ${reason}`));
  try {
    return await trainTabular(cfg, progress, starting, signal);
  } finally {
    await (await starting).close();
  }
}

async function trainTabular(cfg: PipelineConfig, progress: Progress, starting: Promise<ParallelCv>, signal?: AbortSignal): Promise<TrainResult> {
  const seed = cfg.seed;
  progress.stage('read data');
  const data = await loadData(cfg);
  checkColumnsExist(cfg, data.table.columnNames());
  const prepared = prepareTarget(data.table, cfg);
  const { task, classes, y } = prepared;
  const table = prepared.table;
  progress.info(`${table.numRows()} rows x ${table.numCols()} columns from ${data.source}; task ${task}${classes ? ` (${classes.join(' / ')})` : ''}`);

  progress.stage('schema + leakage');
  const schema = inferSchema(table, { target: cfg.target, types: cfg.features.types as never, roles: cfg.features.roles as never });
  const keep = new Set(cfg.leakage.keep);
  const leakage = detectLeakage(table, { target: cfg.target, task, positive: prepared.positiveValue, timeColumn: cfg.leakage.timeColumn }).filter(
    (f) => !keep.has(f.column),
  );
  const drop = [...new Set([...(cfg.leakage.action === 'drop' ? leakage.map((f) => f.column) : []), ...cfg.leakage.drop, ...cfg.features.drop])];
  for (const f of leakage) progress.info(`leakage: ${f.column} — ${f.reason}${cfg.leakage.action === 'drop' ? ' (dropped)' : ''}`);

  progress.stage('split');
  const split = splitTable(table, cfg, task);
  const yTrain = takeY(y, split.trainIndices);
  const yTest = takeY(y, split.testIndices);
  const classification = task !== 'regression';
  const k = classes?.length ?? 0;
  const folds: Fold[] = classification ? stratifiedKFold(yTrain, cfg.tuning.folds, createRng(seed)) : kFold(yTrain.length, cfg.tuning.folds, createRng(seed));
  progress.info(`train ${split.train.numRows()} rows, test ${split.test.numRows()} rows, ${folds.length}-fold CV on train`);

  progress.stage('features');
  const families = cfg.models.map((m) => FAMILIES[m]);
  const recipes = new Map<'tree' | 'linear', { pipeline: FittedColumnPipeline; X: Matrix; Xtest: Matrix }>();
  for (const kind of new Set(families.map((f) => f.recipe))) {
    const { pipeline, X } = recommendedPipeline(schema, task, {
      model: kind,
      drop,
      seed,
      maxOneHot: cfg.features.maxOneHot,
      highCardinality: cfg.features.highCardinality,
    }).fitTransform(split.train, yTrain, { signal });
    recipes.set(kind, { pipeline, X, Xtest: pipeline.transform(split.test) });
    progress.info(`${kind} recipe: ${X.cols} features`);
  }

  const metricNames = cvMetricsFor(task);
  const primary = (cfg.tuning.metric ?? metricNames[0]) as MetricName;
  const greater = !LOWER_IS_BETTER.has(primary);
  const cvMetrics = [...new Set([primary, ...metricNames])] as MetricName[];
  const evaluateTest = (model: FittedModel, Xtest: Matrix, threshold = 0.5): { metrics: Metrics; scores: Float64Array } => {
    if (isClassifier(model)) {
      const proba = model.predictProba(Xtest);
      return { metrics: classificationMetrics(yTest, proba, k, threshold), scores: proba };
    }
    const pred = model.predict(Xtest);
    return { metrics: regressionMetrics(yTest, pred), scores: pred };
  };

  const cv = await starting;
  if (cv.size > 1) progress.info(`cross-validation folds on ${cv.size} worker threads`);
  const results: ModelResult[] = [];
  const fitted = new Map<string, FittedModel>();
  /** Out-of-fold predictions of each family's kept params, kept from its CV runs (no second fit). */
  const keptOof = new Map<string, ParallelOutOfFold>();
  for (const fam of families) {
    throwIfAborted(signal);
    const { X, Xtest } = recipes.get(fam.recipe)!;
    const tuneIt = cfg.tuning.trials > 0 && Object.keys(fam.space).length > 0;
    progress.stage(`${fam.title}`, tuneIt ? cfg.tuning.trials : 0);
    const t0 = performance.now();
    const spec = { family: fam.name, task, seed };
    // The folds are dealt out to the workers first and the baseline is fitted here meanwhile. The
    // baseline's CV is tuning's trial 0, and its predictions are its out-of-fold predictions.
    const baselineCv = cv.crossValidate(X, yTrain, { ...spec, params: fam.defaults }, folds, cvMetrics, signal, { predict: true });
    baselineCv.catch(() => undefined);
    const baselineModel = fam.create(task, fam.defaults, seed).fit(X, yTrain, { signal });
    const base = await baselineCv;
    const fitMs = performance.now() - t0;
    const baseTest = evaluateTest(baselineModel, Xtest);
    const result: ModelResult = {
      model: fam.name,
      title: fam.title,
      recipe: fam.recipe,
      baseline: {
        params: fam.defaults,
        cv: { metric: primary, mean: base.mean[primary], std: base.std[primary], folds: base.folds.map((f) => f.scores[primary]) },
        cvAll: base.mean,
        test: baseTest.metrics,
        fitMs,
      },
      testScores: baseTest.scores,
    };
    let kept = baselineModel;
    keptOof.set(fam.name, base.oof!);
    if (tuneIt) {
      // Every trial's fold predictions, by params: the best trial's become the family's out-of-fold predictions.
      const trialPredictions = new Map<string, CvPredictions[]>();
      const tuned = await tuneEstimator({
        factory: (p) => fam.create(task, p, seed),
        space: fam.space,
        X,
        y: yTrain,
        metric: primary,
        greaterIsBetter: greater,
        folds,
        classification,
        nTrials: cfg.tuning.trials,
        seed,
        sampler: createSampler(cfg.tuning.sampler),
        evaluated: [{ params: fam.defaults, foldScores: result.baseline.cv.folds }],
        timeoutMs: cfg.tuning.timeoutMinutes ? cfg.tuning.timeoutMinutes * 60_000 : undefined,
        signal,
        evaluateFold: cv.foldEvaluator(X, yTrain, spec, primary, signal, (params, index, p) => {
          const key = JSON.stringify(params);
          if (!trialPredictions.has(key)) trialPredictions.set(key, []);
          trialPredictions.get(key)![index] = p;
        }),
        foldConcurrency: cv.size,
        onTrial: (t, s) => progress.tick(s.trials.length, cfg.tuning.trials, `best ${fmt(s.bestTrial?.value)}`),
      });
      if (tuned.study.bestTrial.number !== 0) {
        const p = trialPredictions.get(JSON.stringify(tuned.bestParams));
        if (p?.length === folds.length && p.every(Boolean)) keptOof.set(fam.name, assembleOutOfFold(p, folds, X.rows));
        else keptOof.delete(fam.name);
        kept = fam.create(task, tuned.bestParams, seed).fit(X, yTrain, { signal });
      }
      const tunedTest = evaluateTest(kept, Xtest);
      result.tuned = {
        params: tuned.bestParams,
        cv: { metric: primary, mean: tuned.bestScore, std: std(tuned.bestFoldScores), folds: tuned.bestFoldScores },
        test: tunedTest.metrics,
        trials: trialLog(tuned.study),
      };
      result.testScores = tunedTest.scores;
    }
    fitted.set(fam.name, kept);
    results.push(result);
    const final = result.tuned ?? result.baseline;
    progress.info(`${fam.title}: CV ${primary} ${fmt(result.baseline.cv.mean)}${result.tuned ? ` → tuned ${fmt(result.tuned.cv.mean)}` : ''}; test ${primary in final.test ? fmt(final.test[primary]) : ''}`);
  }

  // Out-of-fold predictions of every family's kept model feed the ensemble and the threshold.
  const candidates = new Map<string, Candidate>();
  for (const r of results) {
    const fam = FAMILIES[r.model as keyof typeof FAMILIES];
    const params = (r.tuned ?? r.baseline).params;
    const rec = recipes.get(fam.recipe)!;
    candidates.set(r.model, { X: rec.X, Xtest: rec.Xtest, pipeline: rec.pipeline, model: fitted.get(r.model)!, create: () => fam.create(task, params, seed) });
  }
  const outOfFold = async (name: string): Promise<CvPredictions> => {
    const c = candidates.get(name)!;
    if (c.oof) return c.oof;
    const r = results.find((x) => x.model === name)!;
    const params = (r.tuned ?? r.baseline).params;
    const oof = keptOof.get(name) ?? (await cv.crossValPredict(c.X, yTrain, { family: name as Family['name'], task, params, seed }, folds, signal));
    c.oof = oof.task === 'classification' ? { task: 'classification', classes: oof.classes, proba: oof.proba, labels: labelsFromProba(oof.proba, yTrain.length, oof.classes, 0.5) } : { task: 'regression', values: oof.values };
    return c.oof;
  };

  const members = results.filter((r) => r.model !== 'dummy');
  if (cfg.ensemble.enabled && members.length >= 2) {
    progress.stage('ensemble', members.length);
    const t0 = performance.now();
    const preds: CvPredictions[] = [];
    for (const r of members) {
      throwIfAborted(signal);
      preds.push(await outOfFold(r.model));
      progress.tick(preds.length, members.length, r.title);
    }
    const ensemble = buildEnsemble(members, preds, { yTrain, folds, primary, rounds: cfg.ensemble.rounds, recipes, fitted, candidates, classification, task, seed });
    if (ensemble) {
      const test = evaluateTest(ensemble.candidate.model, ensemble.candidate.Xtest);
      results.push({ ...ensemble.result, baseline: { ...ensemble.result.baseline, test: test.metrics, fitMs: performance.now() - t0 }, testScores: test.scores });
      candidates.set('ensemble', ensemble.candidate);
      progress.info(`${ensemble.result.title}: CV ${primary} ${fmt(ensemble.result.baseline.cv.mean)} (weights chosen without the scored fold); test ${fmt(test.metrics[primary])}`);
    } else {
      progress.info('ensemble: a single model carries all the weight on the out-of-fold predictions; no ensemble');
    }
  }

  // The best candidate by cross-validated score on the training part (never by the test set).
  const score = (r: ModelResult) => (r.tuned ?? r.baseline).cv.mean;
  const best = results.reduce((a, b) => ((greater ? score(b) > score(a) : score(b) < score(a)) ? b : a));
  const bestParams = (best.tuned ?? best.baseline).params;
  const recipe = candidates.get(best.model)!;
  const model = recipe.model;

  progress.stage('threshold + evaluation');
  let threshold: number | undefined;
  if (task === 'binary') {
    const oof = best.model === 'ensemble' ? recipe.oof! : await outOfFold(best.model);
    if (oof.task === 'classification') threshold = chooseThreshold(yTrain, positiveColumn(oof.proba), cfg.threshold.metric).threshold;
  }
  const bestTest = evaluateTest(model, recipe.Xtest, threshold ?? 0.5);
  const bestCv = (best.tuned ?? best.baseline).cv;

  progress.stage('importance');
  const importance = inputColumnImportance(model, recipe.pipeline, split.test, yTest, { task, seed, maxRows: 2000 });
  progress.stage('learning curve');
  const learningCurve = computeLearningCurve(recipe.create, model, recipe.X, yTrain, recipe.Xtest, yTest, primary, seed, classification, signal);

  progress.end();
  const stageTimesMs = Object.fromEntries(progress.times.map((t) => [t.stage, Math.round(t.ms)]));
  const metrics: MetricsDocument = {
    task,
    target: cfg.target,
    classes,
    positiveClass: prepared.positiveClass,
    primaryMetric: primary,
    best: { model: best.model, params: bestParams, threshold, cv: bestCv, test: bestTest.metrics },
    models: results.map(({ testScores: _s, ...r }) => r),
    leakage,
    data: {
      source: data.source,
      rows: table.numRows(),
      trainRows: split.train.numRows(),
      testRows: split.test.numRows(),
      sha256: data.sha256,
      droppedMissingTarget: prepared.droppedMissing,
      droppedExcludedLabels: prepared.droppedExcluded,
    },
    features: { count: recipe.X.cols, names: [...recipe.X.columns] },
    stageTimesMs,
  };

  const inputColumns = new Set(recipe.pipeline.inputColumns);
  const bundleSchema: Schema = {
    rows: schema.rows,
    columns: schema.columns.filter((c) => c.name !== cfg.target).map((c) => ({ ...c, required: inputColumns.has(c.name) && c.required })),
  };
  const trainScores = isClassifier(model) ? model.predictProba(recipe.X) : model.predict(recipe.X);
  const bundle: BundleDocument = {
    format: 'campaign-ml/bundle',
    version: 1,
    id: `${cfg.name ?? 'run'}-${data.sha256.slice(0, 8)}-${Date.now().toString(36)}`,
    createdAt: new Date().toISOString(),
    task,
    target: { column: cfg.target, classes, ...(prepared.positiveClass ? { positiveClass: prepared.positiveClass } : {}) },
    schema: bundleSchema,
    features: recipe.pipeline.toJSON(),
    model: { name: best.model, fitted: model.toJSON(), ...(threshold !== undefined ? { threshold } : {}) },
    metrics: { primaryMetric: primary, test: bestTest.metrics, cv: bestCv },
    reference: computeReference(split.train, bundleSchema, k === 2 ? positiveColumn(trainScores) : k > 2 ? maxColumn(trainScores, k) : trainScores),
    provenance: await provenance(data.sha256, table.numRows(), cfg),
  };

  const report: ReportData = {
    title: cfg.name ?? `${cfg.target} (${task})`,
    schema,
    metrics,
    curves: results.map((r) => ({ model: r.title, ...(classification ? pickCurves(classificationCurves(yTest, r.testScores, k, 0.5)) : {}) })),
    confusion: classification && classes ? { labels: classes, matrix: classificationCurves(yTest, bestTest.scores, k, threshold ?? 0.5).confusion } : undefined,
    importance: importance.values,
    importanceKind: importance.kind,
    learningCurve,
    foldSpread: results.flatMap((r) => (r.tuned ?? r.baseline).cv.folds.map((score, fold) => ({ model: r.title, fold, score }))),
    warnings: data.warnings.map((w) => w.message),
  };
  return { bundle, metrics, report, testScores: bestTest.scores, testTable: split.test };
}

function pickCurves(c: ReturnType<typeof classificationCurves>) {
  return { roc: c.roc, pr: c.pr, calibration: c.calibration };
}

function splitTable(table: ColumnTable, cfg: PipelineConfig, task: Task): TableSplit {
  const { method, testSize } = cfg.split;
  if (method === 'time') return timeSplit(table, { column: cfg.split.column!, cutoff: cfg.split.cutoff! });
  if (method === 'group') {
    const k = Math.max(2, Math.round(1 / testSize));
    return groupKFoldSplits(table, { group: cfg.split.group!, k, seed: cfg.seed })[0];
  }
  if (method === 'stratified' && task !== 'regression') return stratifiedSplit(table, { target: cfg.target, testSize, seed: cfg.seed });
  return trainTestSplit(table, { testSize, seed: cfg.seed });
}

/**
 * Train and test score of the model refitted on growing shares of the training rows; the last point
 * (all rows) is the kept model itself, so it matches the rest of the report.
 */
function computeLearningCurve(
  create: () => Estimator<FittedModel>,
  kept: FittedModel,
  X: Matrix,
  y: Float64Array,
  Xtest: Matrix,
  yTest: Float64Array,
  metric: MetricName,
  seed: number,
  classification: boolean,
  signal?: AbortSignal,
) {
  const out: Array<{ fraction: number; rows: number; train: number; test: number }> = [];
  const order = createRng(seed + 1).permutation(X.rows);
  for (const fraction of [0.1, 0.25, 0.5, 0.75, 1]) {
    throwIfAborted(signal);
    const rows = Math.max(20, Math.round(X.rows * fraction));
    const idx = order.subarray(0, Math.min(rows, X.rows));
    const all = idx.length === X.rows;
    const ys = all ? y : Float64Array.from(idx, (i) => y[i]);
    if (classification && new Set(ys).size < new Set(y).size) continue;
    const Xs = all ? X : take(X, idx);
    const model = all ? kept : create().fit(Xs, ys, { signal });
    out.push({ fraction, rows: idx.length, train: scoreOf(model, Xs, ys, metric), test: scoreOf(model, Xtest, yTest, metric) });
  }
  return out;
}

function scoreOf(model: FittedModel, X: Matrix, y: Float64Array, metric: MetricName): number {
  if (isClassifier(model)) {
    const m = classificationMetrics(y, model.predictProba(X), model.classes);
    return m[metric === 'f1' ? 'f1Score' : metric] ?? m.rocAuc;
  }
  const m = regressionMetrics(y, model.predict(X));
  return m[metric] ?? m.rmse;
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

function std(a: number[]): number {
  if (a.length === 0) return NaN;
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
}



/** A model the pipeline can pick: its feature matrices and pipeline, the fitted model, how to refit it. */
interface Candidate {
  X: Matrix;
  Xtest: Matrix;
  pipeline: FittedColumnPipeline;
  model: FittedModel;
  create: () => Estimator<FittedModel>;
  /** Out-of-fold predictions on the training part (computed on demand). */
  oof?: CvPredictions;
}

interface EnsembleContext {
  yTrain: Float64Array;
  folds: Fold[];
  primary: MetricName;
  rounds: number;
  recipes: Map<'tree' | 'linear', { pipeline: FittedColumnPipeline; X: Matrix; Xtest: Matrix }>;
  fitted: Map<string, FittedModel>;
  candidates: Map<string, Candidate>;
  classification: boolean;
  task: Task;
  seed: number;
}

/**
 * A weighted ensemble of the families (Caruana ensemble selection on their out-of-fold predictions,
 * as AutoGluon does), or undefined when one family takes all the weight. Its CV score is honest:
 * each fold's rows are scored with weights chosen on the other folds' rows. The members are the
 * families' fitted models, reading their own recipe's columns of the union of the recipes.
 */
function buildEnsemble(
  members: ModelResult[],
  preds: CvPredictions[],
  ctx: EnsembleContext,
): { result: Omit<ModelResult, 'testScores' | 'baseline'> & { baseline: Omit<ModelResult['baseline'], 'test' | 'fitMs'> }; candidate: Candidate } | undefined {
  const { yTrain, folds, primary, rounds } = ctx;
  const selection = ensembleSelection(preds, yTrain, primary, { rounds });
  const used = members.map((r, i) => ({ r, weight: selection.weights[i], oof: preds[i] })).filter((m) => m.weight > 0);
  if (used.length < 2) return undefined;
  const foldOf = new Int32Array(yTrain.length);
  folds.forEach((f, i) => f.test.forEach((r) => (foldOf[r] = i)));
  const foldScores = crossValidateEnsembleSelection(preds, yTrain, foldOf, primary, { rounds });

  const kinds = (['tree', 'linear'] as const).filter((k) => used.some((m) => m.r.recipe === k));
  const prefix = (k: string) => `${k}:`;
  const pipeline = FittedColumnPipeline.union(kinds.map((k) => ({ prefix: prefix(k), pipeline: ctx.recipes.get(k)!.pipeline })));
  const hstack = (part: 'X' | 'Xtest'): Matrix => {
    const mats = kinds.map((k) => ctx.recipes.get(k)![part]);
    const data = new Float64Array(mats.reduce((n, m) => n + m.data.length, 0));
    let off = 0;
    for (const m of mats) {
      data.set(m.data, off);
      off += m.data.length;
    }
    return createMatrix(mats[0].rows, pipeline.featureNamesOut.length, data, pipeline.featureNamesOut);
  };
  const X = hstack('X');
  const Xtest = hstack('Xtest');
  const specs = used.map(({ r, weight }) => {
    const names = ctx.recipes.get(r.recipe as 'tree' | 'linear')!.X.columns;
    return { name: r.model, weight, columns: names.map((c) => prefix(r.recipe) + c), featureNames: names };
  });
  const model = ctx.classification
    ? FittedVotingClassifier.fromFitted(X.columns, specs.map((s) => ({ ...s, model: ctx.fitted.get(s.name) as Classifier })))
    : FittedVotingRegressor.fromFitted(X.columns, specs.map((s) => ({ ...s, model: ctx.fitted.get(s.name) as Regressor })));
  const create = (): Estimator<FittedModel> => {
    const estimators = specs.map((s) => ({ name: s.name, estimator: ctx.candidates.get(s.name)!.create(), columns: s.columns }));
    const weights = specs.map((s) => s.weight);
    return ctx.classification
      ? new VotingClassifier({ estimators: estimators as never, weights })
      : new VotingRegressor({ estimators: estimators as never, weights });
  };
  // The ensemble's own out-of-fold predictions: the members' blended with the chosen weights.
  const first = used[0].oof;
  const width = first.task === 'classification' ? first.proba.length : first.values.length;
  const blend = new Float64Array(width);
  for (const m of used) {
    const v = m.oof.task === 'classification' ? m.oof.proba : m.oof.values;
    for (let i = 0; i < width; i++) blend[i] += m.weight * v[i];
  }
  const oof: CvPredictions =
    first.task === 'classification'
      ? { task: 'classification', classes: first.classes, proba: blend, labels: labelsFromProba(blend, yTrain.length, first.classes, 0.5) }
      : { task: 'regression', values: blend };
  const mean = foldScores.reduce((a, b) => a + b, 0) / foldScores.length;
  const weights = Object.fromEntries(specs.map((s) => [s.name, Math.round(s.weight * 1000) / 1000]));
  return {
    result: {
      model: 'ensemble',
      title: `Weighted ensemble (${used.map(({ r, weight }) => `${Math.round(weight * 100)}% ${r.title}`).join(', ')})`,
      recipe: kinds.length === 2 ? 'tree+linear' : kinds[0],
      baseline: { params: weights, cv: { metric: primary, mean, std: std(foldScores), folds: foldScores }, cvAll: { [primary]: mean } },
    },
    candidate: { X, Xtest, pipeline, model, create, oof },
  };
}
