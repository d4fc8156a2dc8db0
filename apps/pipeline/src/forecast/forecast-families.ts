import type { Estimator, FittedModel } from '@campaign-ml/core';
import { DummyRegressor, GradientBoostingRegressor, RandomForestRegressor, Ridge } from '@campaign-ml/models';
import { categorical, float, int, logFloat, type Params } from '@campaign-ml/tuning';
import type { ModelFamily } from '../config';
import { FAMILIES, type Family } from '../families';

/** A regression family for the forecast (same shape as the pipeline's families). */
export type ForecastFamily = Family;

/** Gradient boosting defaults sized for a few thousand weekly rows (also the log1p candidate's). */
export const GB_DEFAULTS: Params = {
  nEstimators: 200,
  learningRate: 0.05,
  maxDepth: 4,
  minChildWeight: 5,
  subsample: 0.8,
  colsampleBytree: 0.8,
  regLambda: 1,
  objective: 'squaredError',
};

/**
 * The forecast's model families. `logistic` is the pipeline's name for the linear family; for a
 * regression it is Ridge (alpha = 1 / C). Gradient boosting starts from defaults sized for a few
 * thousand weekly rows, searches a smaller space and also the Poisson objective (counts are >= 0).
 */
export const FORECAST_FAMILIES: Partial<Record<ModelFamily, ForecastFamily>> = {
  dummy: { ...FAMILIES.dummy, title: 'Dummy (mean)', create: () => new DummyRegressor({ strategy: 'mean' }) },
  logistic: {
    ...FAMILIES.logistic,
    title: 'Ridge',
    create: (_task, p) => new Ridge({ alpha: 1 / (p.C as number) }) as Estimator<FittedModel>,
  },
  randomForest: {
    ...FAMILIES.randomForest,
    defaults: { nEstimators: 200, maxFeatures: 0.35, minSamplesLeaf: 5 },
    create: (_task, p, seed) =>
      new RandomForestRegressor({
        nEstimators: p.nEstimators as number,
        maxFeatures: p.maxFeatures as 'sqrt' | number,
        minSamplesLeaf: p.minSamplesLeaf as number,
        seed,
      }),
  },
  gradientBoosting: {
    ...FAMILIES.gradientBoosting,
    defaults: GB_DEFAULTS,
    // Smaller than the pipeline's space (a few thousand rows, four horizons to tune).
    space: {
      nEstimators: int(50, 300, { step: 50 }),
      learningRate: logFloat(0.02, 0.3),
      maxDepth: int(2, 6),
      minChildWeight: logFloat(1, 50),
      subsample: float(0.6, 1),
      colsampleBytree: float(0.4, 1),
      regLambda: logFloat(0.1, 20),
      objective: categorical(['squaredError', 'poisson']),
    },
    create: (_task, p, seed) =>
      new GradientBoostingRegressor({
        nEstimators: p.nEstimators as number,
        learningRate: p.learningRate as number,
        maxDepth: p.maxDepth as number,
        minChildWeight: p.minChildWeight as number,
        subsample: p.subsample as number,
        colsampleBytree: p.colsampleBytree as number,
        regLambda: p.regLambda as number,
        objective: (p.objective as 'squaredError' | 'poisson' | undefined) ?? 'squaredError',
        seed,
      }),
  },
};

/** The default forecast line-up when the config keeps the default `models` (all families). */
const DEFAULT_FORECAST: ModelFamily[] = ['dummy', 'logistic', 'gradientBoosting'];

/**
 * Families the forecast trains: the config's `models` that have a forecast version; with the
 * default (every family but the opt-in ones listed) dummy, Ridge and gradient boosting (the MLP is left out).
 */
export function forecastFamilies(models: readonly ModelFamily[]): ForecastFamily[] {
  // Every family (the config's MODEL_FAMILIES) is a key of FAMILIES: read from there, fold workers
  // that load this file need not load the config module.
  const all = (Object.keys(FAMILIES) as ModelFamily[]).filter((m) => !FAMILIES[m].optIn);
  const isDefault = models.length === all.length && all.every((m) => models.includes(m));
  const names = isDefault ? DEFAULT_FORECAST : models.filter((m) => FORECAST_FAMILIES[m]);
  return names.map((m) => FORECAST_FAMILIES[m]!);
}
