import type { Estimator, FittedModel, Task } from '@campaign-ml/core';
import {
  DecisionTreeClassifier,
  DummyClassifier,
  DummyRegressor,
  EmbeddingGbdt,
  EntityEmbeddingAuto,
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  LogisticRegression,
  MLPClassifier,
  MLPRegressor,
  RandomForestClassifier,
  RandomForestRegressor,
  Ridge,
} from '@campaign-ml/models';
import { categorical, float, int, logFloat, type Params, type SearchSpace } from '@campaign-ml/tuning';
import type { ModelFamily } from './config';

/**
 * A model family as the pipeline compares them: how to build it from params, which feature recipe
 * it needs (trees take NaN and raw scales; linear models and MLPs need imputed, scaled inputs),
 * its defaults (the untuned baseline, evaluated as trial 0) and its search space.
 */
export interface Family {
  name: ModelFamily;
  title: string;
  /** The title when the family fits a regression and is another model there (logistic -> Ridge). */
  regressionTitle?: string;
  /**
   * 'codes' / 'linearCodes': the tree / linear recipe with high-cardinality categories as ordinal
   * codes `code:<col>` (EmbeddingGbdt / EntityEmbeddingAuto).
   */
  recipe: 'tree' | 'linear' | 'codes' | 'linearCodes';
  /** Not in the default `models` list (config's DEFAULT_MODEL_FAMILIES): listed by name only. */
  optIn?: boolean;
  defaults: Params;
  space: SearchSpace;
  create(task: Task, params: Params, seed: number): Estimator<FittedModel>;
}

const hidden = (p: Params): number[] =>
  String(p.hiddenLayerSizes ?? '64')
    .split('-')
    .map(Number);

export const FAMILIES: Record<ModelFamily, Family> = {
  dummy: {
    name: 'dummy',
    title: 'Dummy (prior)',
    regressionTitle: 'Dummy (mean)',
    recipe: 'tree',
    defaults: {},
    space: {},
    create: (task) =>
      task === 'regression' ? new DummyRegressor({ strategy: 'mean' }) : new DummyClassifier({ strategy: 'prior' }),
  },
  logistic: {
    name: 'logistic',
    title: 'Logistic regression',
    regressionTitle: 'Ridge regression',
    recipe: 'linear',
    defaults: { C: 1 },
    space: { C: logFloat(1e-3, 100) },
    create: (task, p) =>
      task === 'regression'
        ? new Ridge({ alpha: 1 / (p.C as number) })
        : new LogisticRegression({ C: p.C as number, maxIter: 300 }),
  },
  randomForest: {
    name: 'randomForest',
    title: 'Random forest',
    recipe: 'tree',
    defaults: { nEstimators: 200, maxFeatures: 'sqrt', minSamplesLeaf: 1 },
    // Forests gain little past ~250 trees; wide feature draws cost the most time per split.
    space: {
      nEstimators: int(100, 250, { step: 50 }),
      maxFeatures: categorical(['sqrt', 0.1, 0.2, 0.3]),
      minSamplesLeaf: int(1, 20, { log: true }),
    },
    create: (task, p, seed) => {
      const params = {
        nEstimators: p.nEstimators as number,
        maxFeatures: p.maxFeatures as 'sqrt' | number,
        minSamplesLeaf: p.minSamplesLeaf as number,
        seed,
      };
      return task === 'regression' ? new RandomForestRegressor(params) : new RandomForestClassifier(params);
    },
  },
  gradientBoosting: {
    name: 'gradientBoosting',
    title: 'Gradient boosting',
    recipe: 'tree',
    defaults: {
      nEstimators: 200,
      learningRate: 0.1,
      maxDepth: 6,
      minChildWeight: 1,
      subsample: 1,
      colsampleBytree: 1,
      regLambda: 1,
    },
    space: {
      nEstimators: int(100, 500, { step: 50 }),
      learningRate: logFloat(0.02, 0.3),
      maxDepth: int(3, 8),
      minChildWeight: logFloat(0.5, 20),
      subsample: float(0.6, 1),
      colsampleBytree: float(0.4, 1),
      regLambda: logFloat(0.1, 20),
    },
    create: (task, p, seed) => {
      const params = {
        nEstimators: p.nEstimators as number,
        learningRate: p.learningRate as number,
        maxDepth: p.maxDepth as number,
        minChildWeight: p.minChildWeight as number,
        subsample: p.subsample as number,
        colsampleBytree: p.colsampleBytree as number,
        regLambda: p.regLambda as number,
        seed,
      };
      return task === 'regression' ? new GradientBoostingRegressor(params) : new GradientBoostingClassifier(params);
    },
  },
  mlp: {
    name: 'mlp',
    title: 'Neural net (MLP)',
    recipe: 'linear',
    defaults: { hiddenLayerSizes: '64', alpha: 1e-4, learningRateInit: 1e-3 },
    space: {
      hiddenLayerSizes: categorical(['32', '64', '128', '64-32']),
      alpha: logFloat(1e-5, 1e-1),
      learningRateInit: logFloat(3e-4, 1e-2),
    },
    create: (task, p, seed) => {
      const params = {
        hiddenLayerSizes: hidden(p),
        alpha: p.alpha as number,
        learningRateInit: p.learningRateInit as number,
        maxIter: 60,
        earlyStopping: true,
        seed,
      };
      return task === 'regression' ? new MLPRegressor(params) : new MLPClassifier(params);
    },
  },
  embeddingGbdt: {
    name: 'embeddingGbdt',
    title: 'Gradient boosting on entity embeddings',
    recipe: 'codes',
    optIn: true,
    // The embedding MLP (size min(50, ceil(k / 2)) per column) is refitted inside every fit, so every
    // CV fold and trial learns its own from its training rows only.
    defaults: { nEstimators: 200, learningRate: 0.1, maxDepth: 6, embeddingHidden: '32' },
    space: {
      nEstimators: int(100, 400, { step: 50 }),
      learningRate: logFloat(0.02, 0.3),
      maxDepth: int(3, 8),
      embeddingHidden: categorical(['16', '32', '64']),
    },
    create: (task, p, seed) =>
      new EmbeddingGbdt({
        task,
        categorical: { prefix: 'code:' },
        embedding: {
          hiddenLayerSizes: String(p.embeddingHidden ?? '32')
            .split('-')
            .map(Number),
          learningRateInit: 0.01,
          maxIter: 100,
          earlyStopping: true,
          seed,
        },
        gbdt: {
          nEstimators: p.nEstimators as number,
          learningRate: p.learningRate as number,
          maxDepth: p.maxDepth as number,
          seed,
        },
      }),
  },
  embeddingMlp: {
    name: 'embeddingMlp',
    title: 'Neural net with entity embeddings',
    recipe: 'linearCodes',
    optIn: true,
    // The MLP family's settings; the high-cardinality categories enter as learned embeddings
    // (min(50, ceil(k / 2)) each) instead of target encoding. No code column: a plain MLP.
    defaults: { hiddenLayerSizes: '64', alpha: 1e-4, learningRateInit: 1e-3 },
    space: {
      hiddenLayerSizes: categorical(['32', '64', '128', '64-32']),
      alpha: logFloat(1e-5, 1e-1),
      learningRateInit: logFloat(3e-4, 1e-2),
    },
    create: (task, p, seed) =>
      new EntityEmbeddingAuto({
        task,
        categorical: { prefix: 'code:' },
        hiddenLayerSizes: hidden(p),
        alpha: p.alpha as number,
        learningRateInit: p.learningRateInit as number,
        maxIter: 60,
        earlyStopping: true,
        seed,
      }),
  },
};

/** A single decision tree, used for the learning curve's quick reference line. */
export const referenceTree = (seed: number) => new DecisionTreeClassifier({ maxDepth: 6, seed });

/** A family's title for a task: regression fits Ridge where classification fits logistic regression. */
export function familyTitle(fam: { title: string; regressionTitle?: string }, task: string): string {
  return task === 'regression' ? (fam.regressionTitle ?? fam.title) : fam.title;
}
