import type { ColumnTable } from 'arquero';
import { InputError, type FittedModel } from '@campaign-ml/core';
import { inferSchema, type ColumnType } from '@campaign-ml/schema';
import type { Params } from '@campaign-ml/tuning';
import type { PipelineConfig } from '../config';
import { fmt } from '../format';
import type { Metrics } from '../metrics';
import type { ParallelCv } from '../parallel/parallel-cv';
import type { Progress } from '../progress';
import { compareFamilies, scoringFor, type ComparedFamily } from '../train/compare-families';
import { fitRecipes } from '../train/fit-recipes';
import { servedSchema } from '../train/infer-schema';
import type { CvSummary } from '../train/train-result';
import type { ForecastFamily } from './forecast-families';
import type { BundleParts, ForecastModelResult, HorizonSummary } from './forecast-result';
import { forecastCandidates } from './forecast-candidates';
import { maseScale } from './mase';
import { scoreCandidate } from './score-candidate';
import { timeOrderedFolds } from './time-folds';
import type { HorizonTarget, WeeklyFeatures } from './weekly-features';

const DAY_MS = 86_400_000;
/** Fewest labelled training rows a horizon needs. */
const MIN_TRAIN_ROWS = 30;

/**
 * One horizon: the weeks whose label is known before the cutoff train, the weeks after it test.
 * The candidates (naive last value, seasonal naive, window mean, log1p boosting with per-profile
 * scaling) and the families (compareFamilies) are cross-validated on the same time-ordered folds
 * of the training weeks; the lowest mean CV RMSE among the options that beat naive on every fold
 * serves the horizon (else naive), so a model serves only where it beat "nothing changes" in CV. Test RMSE, MAE and MASE of each.
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
  // The tree recipe (inputs by name, NaN kept) always: the naive candidates and the log1p boosting read it.
  const recipes = fitRecipes(
    schema,
    'regression',
    [...families, { recipe: 'tree' as const }],
    parts,
    { seed, skewThreshold: Infinity },
    signal,
  );
  const tree = recipes.get('tree')!;

  // The candidates beside the families: naive, seasonal naive, window mean, log1p boosting.
  const ts = cfg.timeseries!;
  const candidates = forecastCandidates({
    target: cfg.target,
    lastValue: wf.lastValue,
    lags: ts.lags,
    rolling: ts.rolling,
    weeks: target.weeks,
    season: ts.season,
    // Weekly columns whose current value and every lag reach the tree recipe's matrix.
    weeklyColumns: [...Object.keys(wf.aggregate), 'observed_days'].filter((c) =>
      [c, ...Array.from({ length: ts.lags }, (_, i) => `${c}_lag_${i + 1}`)].every((n) => tree.X.columns.includes(n)),
    ),
    sequenceModels: ts.sequenceModels,
    seed,
  });
  const scored = candidates.map((c) => scoreCandidate(c, tree.X, yTrain, folds, tree.Xtest, yTest, signal));
  const naiveScored = scored.find((c) => c.candidate.name === 'naive')!;
  const naive = { cv: cvSummary(naiveScored.folds.map((m) => m.rmse)), test: naiveScored.test };

  const suffix = `_${target.days}d`;
  const results: ForecastModelResult[] = scored.map((c) => ({
    model: `${c.candidate.name}${suffix}`,
    family: c.candidate.name,
    horizonDays: target.days,
    title: `${c.candidate.title} · ${target.days} d`,
    recipe: 'tree',
    baseline: {
      params: c.candidate.params,
      cv: cvSummary(c.folds.map((m) => m.rmse)),
      cvAll: meanMetrics(c.folds),
      test: c.test,
      fitMs: c.fitMs,
    },
  }));
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

  // Every option, candidates first (naive wins ties): the one with the lowest mean CV RMSE on the
  // training weeks serves this horizon (never chosen by the test rows).
  const options: HorizonOption[] = [
    ...scored.map((c) => ({
      name: c.candidate.name,
      title: c.candidate.title,
      how: c.candidate.how,
      recipe: 'tree' as const,
      model: c.model as FittedModel,
      params: c.candidate.params,
      cv: cvSummary(c.folds.map((m) => m.rmse)),
      test: c.test,
      pred: c.pred,
    })),
    ...compared.map((c) => {
      const k = kept(c);
      return {
        name: c.family.name as string,
        title: c.family.title,
        how: `${c.family.title} on the lag and rolling features${c.result.tuned ? ' (tuned)' : ''}`,
        recipe: c.family.recipe,
        model: k.model,
        params: k.params,
        cv: k.cv,
        test: k.test,
        pred: k.pred,
      };
    }),
  ];
  // A non-naive option is eligible only if it beat naive on every fold (consistent evidence, not
  // one lucky fold): on the embedded sample a window mean that wins the CV mean by 1% on one fold
  // loses 4% on the test weeks.
  const naiveFolds = options[0].cv.folds;
  const eligible = options.filter((o, i) => i === 0 || o.cv.folds.every((v, f) => v < naiveFolds[f]));
  const best = eligible.reduce((a, b) => (b.cv.mean < a.cv.mean ? b : a));
  const runnerUp = options.filter((o) => o !== best).reduce((a, b) => (b.cv.mean < a.cv.mean ? b : a));
  const recipe = recipes.get(best.recipe)!;
  const scale = maseScale(yTrain, numbers(train, wf.lastValue));
  const withMase = (m: Metrics): Metrics => ({ ...m, mase: m.mae / scale });
  const testByModel: Record<string, Metrics> = {};
  const cvByModel: Record<string, number> = {};
  for (const o of options) {
    testByModel[o.name] = withMase(o.test);
    cvByModel[o.name] = o.cv.mean;
  }
  const folds_ = `${folds.length} time-ordered folds of the training weeks`;
  const why =
    best.name === 'naive'
      ? `no candidate beat the naive forecast (mean CV RMSE ${fmt(best.cv.mean)}) on every one of ${folds_} (lowest mean: ${runnerUp.title}, ${fmt(runnerUp.cv.mean)})`
      : `lowest mean CV RMSE ${fmt(best.cv.mean)} among those that beat naive (${fmt(naive.cv.mean)}) on every one of ${folds_}; next: ${runnerUp.title}, ${fmt(runnerUp.cv.mean)}`;
  const summaryOut: HorizonSummary = {
    days: target.days,
    weeks: target.weeks,
    target: target.column,
    trainRows: train.numRows(),
    testRows: testIdx.length,
    best: { model: `${best.name}${suffix}`, params: best.params, cv: best.cv, test: withMase(best.test) },
    naive: { cv: naive.cv, test: withMase(naive.test) },
    test: testByModel,
    cvRmse: cvByModel,
    maseScale: scale,
    served: { model: `${best.name}${suffix}`, title: best.title, how: best.how, why },
    rmseVsNaive: best.test.rmse / naive.test.rmse,
    beatsNaive: best.test.rmse < naive.test.rmse,
  };
  const foldSpread = options.flatMap((o) =>
    o.cv.folds.map((score, fold) => ({ model: `${o.title} · ${target.days} d`, fold, score })),
  );
  return {
    results,
    summary: summaryOut,
    bundle: {
      target,
      schema: servedSchema(schema, recipe.pipeline),
      pipeline: recipe.pipeline,
      model: best.model,
      name: `${best.name}${suffix}`,
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

/** One option of a horizon: a candidate or a compared family, as fitted on the whole training part. */
interface HorizonOption {
  name: string;
  title: string;
  how: string;
  recipe: 'tree' | 'linear' | 'codes' | 'linearCodes';
  model: FittedModel;
  params: Params;
  cv: CvSummary;
  test: Metrics;
  pred: Float64Array;
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
