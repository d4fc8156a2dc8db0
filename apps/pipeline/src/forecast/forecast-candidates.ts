import type { Estimator, Regressor } from '@campaign-ml/core';
import {
  GradientBoostingRegressor,
  LagSequenceRegressor,
  NaiveRegressor,
  TransformedTargetRegressor,
} from '@campaign-ml/models';
import type { Params } from '@campaign-ml/tuning';
import { GB_DEFAULTS } from './forecast-families';

/**
 * A forecast candidate beside the configured families: built from the weekly feature names, not
 * tuned, cross-validated on the same time-ordered folds and read from the tree recipe (which keeps
 * the input columns by name, missing values as NaN).
 */
export interface ForecastCandidate {
  /** Key in metrics.json (`<name>_<days>d`, `horizons[d].test[name]`). */
  name: string;
  title: string;
  /** What it predicts, in words (the report's "why"). */
  how: string;
  params: Params;
  create(): Estimator<Regressor>;
}

export interface CandidateSpec {
  /** The forecast target column (e.g. engagement); its weekly lags are `<target>_lag_<k>`. */
  target: string;
  /** The column holding the last observed weekly value (`<target>_last`). */
  lastValue: string;
  /** Lags 1..lags of every weekly column exist. */
  lags: number;
  /** Rolling-mean windows (weeks): `<target>_mean_<w>`. */
  rolling: readonly number[];
  /** The horizon in weeks. */
  weeks: number;
  /** Season length in weeks for the seasonal naive forecast. */
  season: number;
  /** Weekly columns (each with lags 1..lags) the recurrent candidates read as sequences. */
  weeklyColumns?: readonly string[];
  /** Recurrent candidates to add: 'lstm', 'gru'. */
  sequenceModels?: readonly ('lstm' | 'gru')[];
  seed: number;
}

/** Recurrent candidates' settings: small (a few thousand weekly rows, lags + 1 steps). */
export const RNN_DEFAULTS = {
  hidden: 16,
  dropout: 0.1,
  batchSize: 32,
  learningRate: 5e-3,
  maxEpochs: 60,
  nIterNoChange: 8,
};

/**
 * The candidates of one horizon:
 * - `naive`: the last observed weekly value;
 * - `seasonalNaive`: the value one season before the target week, read from the lag features
 *   (lag k = season·ceil(h/season) − h; k = 0 is the current week), the last value where missing
 *   (left out when that lag is not built);
 * - `windowMean`: the target's longest rolling mean, the last value where missing;
 * - `boostingLog1p`: direct gradient boosting on lags and rolling features of log1p(y) minus
 *   log1p(the profile's own level: its rolling mean, else its last value), i.e. the log ratio to the
 *   profile's level, so one model serves small and large profiles.
 * - `lstmLog1p`, `gruLog1p` (when asked for in `sequenceModels`): the same target, learnt by an LSTM
 *   or GRU over the weekly sequence (lags..1 and the current week of every weekly column, signed
 *   log1p inputs; a profile's missing early weeks shorten its sequence), with early stopping on
 *   10% of its training rows held out.
 */
export function forecastCandidates(s: CandidateSpec): ForecastCandidate[] {
  const out: ForecastCandidate[] = [
    {
      name: 'naive',
      title: 'Naive last value',
      how: 'the last observed weekly value',
      params: { columns: s.lastValue },
      create: () => new NaiveRegressor({ columns: [s.lastValue] }),
    },
  ];
  const k = s.season * Math.ceil(s.weeks / s.season) - s.weeks;
  if (k <= s.lags) {
    const source = k === 0 ? s.target : `${s.target}_lag_${k}`;
    out.push({
      name: 'seasonalNaive',
      title: `Seasonal naive (${s.season} wk)`,
      how: `the value ${s.season * Math.ceil(s.weeks / s.season)} weeks before the target week (${source})`,
      params: { columns: `${source},${s.lastValue}`, season: s.season },
      create: () => new NaiveRegressor({ columns: [source, s.lastValue] }),
    });
  }
  const level = s.rolling.length ? `${s.target}_mean_${Math.max(...s.rolling)}` : undefined;
  if (level) {
    out.push({
      name: 'windowMean',
      title: `Naive ${Math.max(...s.rolling)}-week mean`,
      how: `the mean of the last ${Math.max(...s.rolling)} weeks (${level})`,
      params: { columns: `${level},${s.lastValue}` },
      create: () => new NaiveRegressor({ columns: [level, s.lastValue] }),
    });
  }
  const offsetColumns = level ? [level, s.lastValue] : [s.lastValue];
  out.push({
    name: 'boostingLog1p',
    title: 'Boosting on log1p, per-profile scale',
    how: `gradient boosting on log1p(y) − log1p(${offsetColumns.join(' or ')})`,
    params: { ...GB_DEFAULTS, transform: 'log1p', offsetColumns: offsetColumns.join(',') },
    create: () =>
      new TransformedTargetRegressor({
        estimator: new GradientBoostingRegressor({
          nEstimators: GB_DEFAULTS.nEstimators as number,
          learningRate: GB_DEFAULTS.learningRate as number,
          maxDepth: GB_DEFAULTS.maxDepth as number,
          minChildWeight: GB_DEFAULTS.minChildWeight as number,
          subsample: GB_DEFAULTS.subsample as number,
          colsampleBytree: GB_DEFAULTS.colsampleBytree as number,
          regLambda: GB_DEFAULTS.regLambda as number,
          seed: s.seed,
        }),
        transform: 'log1p',
        offsetColumns,
      }) as Estimator<Regressor>,
  });
  const weekly = s.weeklyColumns ?? [];
  for (const cell of weekly.length ? (s.sequenceModels ?? []) : []) {
    const steps = [...Array.from({ length: s.lags }, (_, i) => weekly.map((c) => `${c}_lag_${s.lags - i}`)), weekly];
    const name = cell === 'lstm' ? 'LSTM' : 'GRU';
    out.push({
      name: `${cell}Log1p`,
      title: `${name} on weekly sequences, log1p`,
      how: `an ${name} over the last ${s.lags + 1} weeks of ${weekly.join(', ')} predicting log1p(y) − log1p(${offsetColumns.join(' or ')})`,
      params: { ...RNN_DEFAULTS, cell, transform: 'log1p', offsetColumns: offsetColumns.join(',') },
      create: () =>
        new TransformedTargetRegressor({
          estimator: new LagSequenceRegressor({
            cell,
            steps,
            featureNames: weekly,
            logInputs: true,
            hiddenSizes: [RNN_DEFAULTS.hidden],
            dropout: RNN_DEFAULTS.dropout,
            batchSize: RNN_DEFAULTS.batchSize,
            learningRate: RNN_DEFAULTS.learningRate,
            maxEpochs: RNN_DEFAULTS.maxEpochs,
            nIterNoChange: RNN_DEFAULTS.nIterNoChange,
            seed: s.seed,
          }),
          transform: 'log1p',
          offsetColumns,
        }) as Estimator<Regressor>,
    });
  }
  return out;
}
