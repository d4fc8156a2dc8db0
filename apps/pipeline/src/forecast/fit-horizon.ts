import type { ColumnTable } from 'arquero';
import { InputError } from '@campaign-ml/core';
import { inferSchema, type ColumnType } from '@campaign-ml/schema';
import type { PipelineConfig } from '../config';
import { fmt } from '../format';
import { regressionMetrics, type Metrics } from '../metrics';
import type { ParallelCv } from '../parallel/parallel-cv';
import type { Progress } from '../progress';
import { bestByCv, compareFamilies, scoringFor, type ComparedFamily } from '../train/compare-families';
import { fitRecipes } from '../train/fit-recipes';
import { servedSchema } from '../train/infer-schema';
import type { CvSummary } from '../train/train-result';
import type { ForecastFamily } from './forecast-families';
import type { BundleParts, ForecastModelResult, HorizonSummary } from './forecast-result';
import { naiveForecast } from './naive-forecast';
import { timeOrderedFolds } from './time-folds';
import type { HorizonTarget, WeeklyFeatures } from './weekly-features';

const DAY_MS = 86_400_000;
/** Fewest labelled training rows a horizon needs. */
const MIN_TRAIN_ROWS = 30;

/**
 * One horizon: the weeks whose label is known before the cutoff train, the weeks after it test;
 * the naive last-value forecast and the families (compareFamilies, by RMSE on time-ordered folds
 * of the training weeks) are scored on the same rows.
 */
export async function fitHorizon(
  table: ColumnTable,
  times: Float64Array,
  wf: WeeklyFeatures,
  target: HorizonTarget,
  cutoff: number,
  cfg: PipelineConfig,
  families: ForecastFamily[],
  cv: ParallelCv,
  progress: Progress,
  signal?: AbortSignal,
): Promise<{ results: ForecastModelResult[]; summary: HorizonSummary; bundle: BundleParts }> {
  const seed = cfg.seed;
  const purge = target.days * DAY_MS;
  const yAll = numbers(table, target.column);
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  for (let i = 0; i < yAll.length; i++) {
    if (yAll[i] !== yAll[i]) continue;
    // A training row's label (target.days later) must be observed before the cutoff.
    if (times[i] >= cutoff) testIdx.push(i);
    else if (times[i] + purge < cutoff) trainIdx.push(i);
  }
  if (trainIdx.length < MIN_TRAIN_ROWS || testIdx.length === 0) {
    const around = `with a label around the cutoff ${isoDay(cutoff)}`;
    const rows = `${trainIdx.length} training and ${testIdx.length} test rows ${around}`;
    throw new InputError(
      'TOO_FEW_ROWS',
      `horizon ${target.days} d: ${rows}; move timeseries.cutoff or use shorter horizons`,
      {
        column: 'timeseries.cutoff',
        value: isoDay(cutoff),
        expected: `>= ${MIN_TRAIN_ROWS} training rows and >= 1 test row`,
      },
    );
  }
  const train = table.reify(trainIdx);
  const test = table.reify(testIdx);
  const yTrain = Float64Array.from(trainIdx, (i) => yAll[i]);
  const yTest = Float64Array.from(testIdx, (i) => yAll[i]);
  const folds = timeOrderedFolds(
    Float64Array.from(trainIdx, (i) => times[i]),
    cfg.tuning.folds,
    purge,
  );
  const types: Record<string, ColumnType> = Object.fromEntries(wf.inputs.map((c) => [c, 'number' as ColumnType]));
  const schema = inferSchema(train.select(wf.inputs), { types });

  // Weekly sums are linear in their lags (the naive forecast is one coefficient), so the linear
  // recipe keeps them unlogged (skewThreshold Infinity): imputed, with indicators, and scaled.
  const parts = { train, yTrain, test };
  const recipes = fitRecipes(schema, 'regression', families, parts, { seed, skewThreshold: Infinity }, signal);

  // The naive forecast: its CV on the same folds, its test score on the same rows.
  const lastTrain = numbers(train, wf.lastValue);
  const naiveTest = naiveForecast(numbers(test, wf.lastValue), mean(yTrain));
  const naiveFolds = folds.map((f) => {
    const yt = Float64Array.from(f.test, (i) => yTrain[i]);
    const fallback = mean(Float64Array.from(f.train, (i) => yTrain[i]));
    return regressionMetrics(
      yt,
      naiveForecast(
        Float64Array.from(f.test, (i) => lastTrain[i]),
        fallback,
      ),
    );
  });
  const naive = { cv: cvSummary(naiveFolds.map((m) => m.rmse)), test: regressionMetrics(yTest, naiveTest) };

  const suffix = `_${target.days}d`;
  const results: ForecastModelResult[] = [
    {
      model: `naive${suffix}`,
      family: 'naive',
      horizonDays: target.days,
      title: `Naive last value · ${target.days} d`,
      recipe: 'tree',
      baseline: { params: {}, cv: naive.cv, cvAll: meanMetrics(naiveFolds), test: naive.test, fitMs: 0 },
    },
  ];
  // The families are compared as the table pipeline compares them, by RMSE on the time-ordered folds.
  const scoring = scoringFor('regression', 'rmse');
  const compared = await compareFamilies({
    families,
    catalog: 'forecast',
    task: 'regression',
    recipes,
    yTrain,
    yTest,
    classes: 0,
    folds,
    scoring,
    tuning: cfg.tuning,
    seed,
    cv,
    signal,
    onTrial: (fam, s) => {
      progress.tick(s.trials.length, cfg.tuning.trials, `${fam.title} best RMSE ${fmt(s.bestTrial?.value)}`);
    },
  });
  results.push(...compared.map((c) => horizonResult(c, target.days)));
  const fitted = compared.map(kept);

  // The best fitted model by CV RMSE on the training part (never by the test rows).
  const bestResult = bestByCv(
    compared.map((c) => c.result),
    scoring.greater,
  );
  const best = fitted.find((f) => f.family.name === bestResult.model)!;
  const recipe = recipes.get(best.family.recipe)!;
  const testByModel: Record<string, Metrics> = { naive: naive.test };
  for (const f of fitted) testByModel[f.family.name] = f.test;
  const summaryOut: HorizonSummary = {
    days: target.days,
    weeks: target.weeks,
    target: target.column,
    trainRows: train.numRows(),
    testRows: testIdx.length,
    best: { model: `${best.family.name}${suffix}`, params: best.params, cv: best.cv, test: best.test },
    naive,
    test: testByModel,
    rmseVsNaive: best.test.rmse / naive.test.rmse,
    beatsNaive: best.test.rmse < naive.test.rmse,
  };
  const foldSpread = [
    ...naive.cv.folds.map((score, fold) => ({ model: `Naive last value · ${target.days} d`, fold, score })),
    ...fitted
      .map((f) => f.cv.folds.map((score, fold) => ({ model: `${f.family.title} · ${target.days} d`, fold, score })))
      .flat(),
  ];
  return {
    results,
    summary: summaryOut,
    bundle: {
      target,
      schema: servedSchema(schema, recipe.pipeline),
      pipeline: recipe.pipeline,
      model: best.model,
      name: `${best.family.name}${suffix}`,
      X: recipe.X,
      Xtest: recipe.Xtest,
      yTest,
      train,
      test,
      testScores: best.pred,
      cv: best.cv,
      testMetrics: best.test,
      params: best.params,
      foldSpread,
    },
  };
}

/** A compared family as one model of one horizon in metrics.json. */
function horizonResult({ family, result }: ComparedFamily, days: number): ForecastModelResult {
  return {
    model: `${family.name}_${days}d`,
    family: family.name,
    horizonDays: days,
    title: `${family.title} · ${days} d`,
    recipe: result.recipe,
    baseline: result.baseline,
    ...(result.tuned ? { tuned: result.tuned } : {}),
  };
}

/** What a horizon keeps of a compared family: its kept model, params, CV and test scores. */
function kept({ family, result, model }: ComparedFamily) {
  const final = result.tuned ?? result.baseline;
  return { family, model, params: final.params, cv: final.cv, test: final.test, pred: result.testScores };
}

/** A time as its UTC day, YYYY-MM-DD. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Numeric values of a column, null as NaN. */
function numbers(table: ColumnTable, column: string): Float64Array {
  const v = table.array(column) as ArrayLike<unknown>;
  return Float64Array.from({ length: v.length }, (_, i) => (typeof v[i] === 'number' ? (v[i] as number) : NaN));
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : NaN;
}

function cvSummary(folds: number[]): CvSummary {
  const m = mean(folds);
  return { metric: 'rmse', mean: m, std: Math.sqrt(mean(folds.map((v) => (v - m) ** 2))), folds };
}

function meanMetrics(list: Metrics[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(list[0] ?? {})) out[k] = mean(list.map((m) => m[k]));
  return out;
}
