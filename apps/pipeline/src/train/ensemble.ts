import {
  createMatrix,
  throwIfAborted,
  type Classifier,
  type Estimator,
  type FittedModel,
  type Fold,
  type Matrix,
  type Regressor,
  type Task,
} from '@campaign-ml/core';
import { FittedColumnPipeline } from '@campaign-ml/features';
import {
  FittedVotingClassifier,
  FittedVotingRegressor,
  VotingClassifier,
  VotingRegressor,
  crossValidateEnsembleSelection,
  ensembleSelection,
  labelsFromProba,
  type CvPredictions,
  type MetricName,
} from '@campaign-ml/models';
import type { Family } from '../families';
import { fmt } from '../format';
import type { ParallelCv } from '../parallel/parallel-cv';
import type { Progress } from '../progress';
import { std, type ComparedFamily } from './compare-families';
import { evaluateTest } from './evaluate-test';
import type { Recipes } from './fit-recipes';
import type { ModelResult } from './train-result';

/** A model the pipeline can pick: its feature matrices and pipeline, the fitted model, how to refit it. */
export interface Candidate {
  X: Matrix;
  Xtest: Matrix;
  pipeline: FittedColumnPipeline;
  model: FittedModel;
  create: () => Estimator<FittedModel>;
  /** Out-of-fold predictions on the training part (computed on demand). */
  oof?: CvPredictions;
}

/** The models the run can pick, by name, and their out-of-fold predictions on the training part. */
export interface Candidates {
  byName: Map<string, Candidate>;
  /** Kept from the families' CV fits when there, else cross-validated again on the same folds. */
  outOfFold(name: string): Promise<CvPredictions>;
}

interface CandidateContext {
  recipes: Recipes;
  yTrain: Float64Array;
  folds: Fold[];
  task: Task;
  seed: number;
  cv: ParallelCv;
  signal?: AbortSignal;
  sampleWeight?: Float64Array;
}

/**
 * Every compared family as a candidate. Out-of-fold predictions of each family's kept model feed
 * the ensemble and the threshold.
 */
export function candidatesOf(compared: readonly ComparedFamily[], ctx: CandidateContext): Candidates {
  const { recipes, yTrain, folds, task, seed, cv, signal, sampleWeight } = ctx;
  const byName = new Map<string, Candidate>();
  const keptOof = new Map(compared.filter((c) => c.outOfFold).map((c) => [c.result.model, c.outOfFold!]));
  for (const { family: fam, result: r, model } of compared) {
    const params = (r.tuned ?? r.baseline).params;
    const rec = recipes.get(fam.recipe)!;
    const create = () => fam.create(task, params, seed);
    byName.set(r.model, { X: rec.X, Xtest: rec.Xtest, pipeline: rec.pipeline, model, create });
  }
  const outOfFold = async (name: string): Promise<CvPredictions> => {
    const c = byName.get(name)!;
    if (c.oof) return c.oof;
    const r = compared.find((x) => x.result.model === name)!.result;
    const params = (r.tuned ?? r.baseline).params;
    const spec = { family: name as Family['name'], task, params, seed, sampleWeight };
    const oof = keptOof.get(name) ?? (await cv.crossValPredict(c.X, yTrain, spec, folds, signal));
    c.oof =
      oof.task === 'classification'
        ? {
            task: 'classification',
            classes: oof.classes,
            proba: oof.proba,
            labels: labelsFromProba(oof.proba, yTrain.length, oof.classes, 0.5),
          }
        : { task: 'regression', values: oof.values };
    return c.oof;
  };
  return { byName, outOfFold };
}

interface EnsembleStage {
  yTrain: Float64Array;
  yTest: Float64Array;
  /** Number of classes (0 for a regression). */
  classes: number;
  folds: Fold[];
  primary: MetricName;
  rounds: number;
  recipes: Recipes;
  task: Task;
  seed: number;
  signal?: AbortSignal;
}

/**
 * The ensemble stage: the members' out-of-fold predictions, then a weighted ensemble of them,
 * scored on the test part; undefined when one family takes all the weight.
 */
export async function weightedEnsemble(
  members: ModelResult[],
  candidates: Candidates,
  stage: EnsembleStage,
  progress: Progress,
): Promise<{ result: ModelResult; candidate: Candidate } | undefined> {
  const t0 = performance.now();
  const preds: CvPredictions[] = [];
  for (const r of members) {
    throwIfAborted(stage.signal);
    preds.push(await candidates.outOfFold(r.model));
    progress.tick(preds.length, members.length, r.title);
  }
  const fitted = new Map([...candidates.byName].map(([name, c]) => [name, c.model]));
  const ensemble = buildEnsemble(members, preds, {
    ...stage,
    fitted,
    candidates: candidates.byName,
    classification: stage.task !== 'regression',
  });
  if (!ensemble) {
    progress.info('ensemble: a single model carries all the weight on the out-of-fold predictions; no ensemble');
    return undefined;
  }
  const test = evaluateTest(ensemble.candidate.model, ensemble.candidate.Xtest, stage.yTest, stage.classes);
  const { primary } = stage;
  const baseline = { ...ensemble.result.baseline, test: test.metrics, fitMs: performance.now() - t0 };
  const result: ModelResult = { ...ensemble.result, baseline, testScores: test.scores };
  const cv = `CV ${primary} ${fmt(ensemble.result.baseline.cv.mean)} (weights chosen without the scored fold)`;
  progress.info(`${ensemble.result.title}: ${cv}; test ${fmt(test.metrics[primary])}`);
  return { result, candidate: ensemble.candidate };
}

/** The ensemble's result before it is scored on the test part. */
type UnscoredResult = Omit<ModelResult, 'testScores' | 'baseline'> & {
  baseline: Omit<ModelResult['baseline'], 'test' | 'fitMs'>;
};

interface EnsembleContext {
  yTrain: Float64Array;
  folds: Fold[];
  primary: MetricName;
  rounds: number;
  recipes: Recipes;
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
): { result: UnscoredResult; candidate: Candidate } | undefined {
  const { yTrain, folds, primary, rounds } = ctx;
  const selection = ensembleSelection(preds, yTrain, primary, { rounds });
  const used = members.map((r, i) => ({ r, weight: selection.weights[i], oof: preds[i] })).filter((m) => m.weight > 0);
  if (used.length < 2) return undefined;
  const foldOf = new Int32Array(yTrain.length);
  folds.forEach((f, i) => f.test.forEach((r) => (foldOf[r] = i)));
  const foldScores = crossValidateEnsembleSelection(preds, yTrain, foldOf, primary, { rounds });

  const kinds = (['tree', 'linear'] as const).filter((k) => used.some((m) => m.r.recipe === k));
  const prefix = (k: string) => `${k}:`;
  const parts = kinds.map((k) => ({ prefix: prefix(k), pipeline: ctx.recipes.get(k)!.pipeline }));
  const pipeline = FittedColumnPipeline.union(parts);
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
    ? FittedVotingClassifier.fromFitted(
        X.columns,
        specs.map((s) => ({ ...s, model: ctx.fitted.get(s.name) as Classifier })),
      )
    : FittedVotingRegressor.fromFitted(
        X.columns,
        specs.map((s) => ({ ...s, model: ctx.fitted.get(s.name) as Regressor })),
      );
  const create = (): Estimator<FittedModel> => {
    const estimators = specs.map((s) => ({
      name: s.name,
      estimator: ctx.candidates.get(s.name)!.create(),
      columns: s.columns,
    }));
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
      ? {
          task: 'classification',
          classes: first.classes,
          proba: blend,
          labels: labelsFromProba(blend, yTrain.length, first.classes, 0.5),
        }
      : { task: 'regression', values: blend };
  const mean = foldScores.reduce((a, b) => a + b, 0) / foldScores.length;
  const weights = Object.fromEntries(specs.map((s) => [s.name, Math.round(s.weight * 1000) / 1000]));
  return {
    result: {
      model: 'ensemble',
      title: `Weighted ensemble (${used.map(({ r, weight }) => `${Math.round(weight * 100)}% ${r.title}`).join(', ')})`,
      recipe: kinds.length === 2 ? 'tree+linear' : kinds[0],
      baseline: {
        params: weights,
        cv: { metric: primary, mean, std: std(foldScores), folds: foldScores },
        cvAll: { [primary]: mean },
      },
      cvMethod: 'k-fold',
    },
    candidate: { X, Xtest, pipeline, model, create, oof },
  };
}
