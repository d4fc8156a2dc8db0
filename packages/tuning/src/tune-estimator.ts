import {
  ConfigError,
  createRng,
  kFold,
  throwIfAborted,
  stratifiedKFold,
  type Estimator,
  type FittedModel,
  type Fold,
  type Matrix,
  type RunOptions,
} from '@campaign-ml/core';
import { crossValidate, type CrossValidateResult, type MetricName } from '@campaign-ml/models';
import { MedianPruner, type Pruner } from './pruner';
import type { Sampler } from './samplers';
import type { Params, SearchSpace } from './space';
import { optimize, type StudyResult } from './study';
import { TrialPruned, type FrozenTrial } from './trial';

export interface TuneEstimatorOptions extends RunOptions {
  /** Builds an estimator from a trial's params (merged over `fixed`). */
  factory: (params: Params) => Estimator<FittedModel>;
  space: SearchSpace;
  X: Matrix;
  y: ArrayLike<number>;
  /** Metric to optimize, as crossValidate names it (default 'rocAuc'). */
  metric?: MetricName;
  /** Higher is better (default true; false for losses such as logLoss or rmse). */
  greaterIsBetter?: boolean;
  /** Number of folds or ready-made folds (default 5, stratified for classification). */
  folds?: number | readonly Fold[];
  classification?: boolean;
  nTrials?: number;
  seed?: number;
  sampler?: Sampler;
  pruner?: Pruner;
  /** Params every trial uses (not searched). */
  fixed?: Params;
  /** Evaluate these first (e.g. the defaults), so tuning never reports worse than the baseline. */
  enqueue?: Params[];
  /**
   * Trials already cross-validated on the same folds (e.g. the baseline, scored before tuning):
   * recorded first, with these per-fold scores, as complete trials the sampler and pruner learn
   * from like any other, and counted in nTrials; nothing is fitted again for them.
   */
  evaluated?: Array<{ params: Params; foldScores: readonly number[] }>;
  timeoutMs?: number;
  /**
   * Score one fold of one trial (e.g. in a worker thread) instead of fitting it here. It gets the
   * trial's params merged over `fixed`, the fold and its index, and must return the score the
   * default would (crossValidate on that one fold with `metric`), so results do not depend on it.
   */
  evaluateFold?: (params: Params, fold: Fold, index: number) => number | Promise<number>;
  /**
   * How many folds of a trial may be in flight at once (default 1). Useful with an asynchronous
   * `evaluateFold`. Scores are still reported fold by fold in order and pruning is checked after
   * each, exactly as when folds run one at a time: the same trials are pruned at the same step.
   * A fold already started past a pruned step is left to finish in the background, unawaited.
   */
  foldConcurrency?: number;
  /**
   * Score every fold of one trial at once, e.g. as one job per fold on a queue: returns one promise
   * per fold, each resolving to the score `evaluateFold` would give. Takes precedence over
   * `evaluateFold`. With `trialBatch`, all the trials of a batch are started together. Scores are
   * reported fold by fold in order and pruning is checked after each, as in every other mode.
   * `trialDone` is aborted once the trial's outcome is decided without its remaining folds (it was
   * pruned, or a fold failed): folds not started yet can then be dropped (their scores are never read).
   */
  evaluateTrial?: (
    params: Params,
    folds: readonly Fold[],
    trialNumber: number,
    trialDone: AbortSignal,
  ) => Array<Promise<number>>;
  /** Trials sampled at a time (optimize's batchSize, default 1): the study depends on it, not on timing. */
  trialBatch?: number;
  onTrial?: (trial: FrozenTrial, study: StudyResult) => void;
}

export interface TuneEstimatorResult {
  study: Required<StudyResult>;
  bestParams: Params;
  /** Mean CV score of the best trial. */
  bestScore: number;
  /** Per-fold scores of the best trial. */
  bestFoldScores: number[];
}

/**
 * Tune an estimator by k-fold cross-validation on the data given (the training part only): each
 * trial fits fold by fold, reports the running mean so hopeless trials are pruned (median rule),
 * and scores the mean over folds. The folds are fixed for the whole study, so trials are compared
 * on the same rows.
 */
export async function tuneEstimator(options: TuneEstimatorOptions): Promise<TuneEstimatorResult> {
  const metric = options.metric ?? 'rocAuc';
  const greater = options.greaterIsBetter ?? true;
  const classification = options.classification ?? true;
  const folds =
    typeof options.folds === 'object'
      ? options.folds
      : classification
        ? stratifiedKFold(options.y, options.folds ?? 5, createRng(options.seed ?? 0))
        : kFold(options.X.rows, options.folds ?? 5, createRng(options.seed ?? 0));
  const concurrency = options.foldConcurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigError('INVALID_OPTION', `foldConcurrency must be a positive integer, got ${concurrency}`, {
      value: concurrency,
      expected: 'an integer >= 1',
    });
  }
  const fitHere = (params: Params, fold: Fold): number => {
    const cv: CrossValidateResult = crossValidate(() => options.factory(params), options.X, options.y, {
      folds: [fold],
      metrics: [metric],
      signal: options.signal,
    });
    return cv.folds[0].scores[metric];
  };
  const evaluated = options.evaluated ?? [];
  evaluated.forEach((e, i) => {
    if (e.foldScores.length !== folds.length || e.foldScores.some((v) => typeof v !== 'number' || Number.isNaN(v))) {
      throw new ConfigError(
        'INVALID_OPTION',
        `evaluated[${i}].foldScores must hold one score per fold (${folds.length}), got ${JSON.stringify(e.foldScores)}`,
        {
          value: e.foldScores,
          expected: `${folds.length} numbers`,
        },
      );
    }
  });
  const foldScores = new Map<number, number[]>();
  // evaluateTrial: every fold of every trial of a batch starts when the batch is sampled.
  type Started = { folds: Array<Promise<number>>; done: AbortController };
  const startedTrials = new Map<number, Started>();
  const startTrial = (trialParams: Params, number: number): Started => {
    const done = new AbortController();
    const running = options.evaluateTrial!({ ...options.fixed, ...trialParams }, folds, number, done.signal);
    for (const p of running) p.catch(() => undefined);
    return { folds: running, done };
  };
  const study = await optimize(
    async (trialParams, trial) => {
      const params = { ...options.fixed, ...trialParams };
      const scores: number[] = [];
      if (trial.number < evaluated.length) {
        for (const [f, v] of evaluated[trial.number].foldScores.entries()) {
          scores.push(v);
          trial.report(mean(scores), f);
        }
      } else if (options.evaluateTrial) {
        const running = startedTrials.get(trial.number) ?? startTrial(trialParams, trial.number);
        startedTrials.delete(trial.number);
        try {
          for (let f = 0; f < folds.length; f++) {
            throwIfAborted(options.signal);
            scores.push(await running.folds[f]);
            trial.report(mean(scores), f);
            if (f < folds.length - 1 && trial.shouldPrune()) throw new TrialPruned(f);
          }
        } finally {
          // Pruned or failed before its last fold: the folds not read are not needed.
          if (scores.length < folds.length) running.done.abort();
        }
      } else if (!options.evaluateFold) {
        for (let f = 0; f < folds.length; f++) {
          scores.push(fitHere(params, folds[f]));
          trial.report(mean(scores), f);
          if (f < folds.length - 1 && trial.shouldPrune()) throw new TrialPruned(f);
        }
      } else {
        const evaluate = options.evaluateFold;
        const inFlight: Array<Promise<number>> = [];
        let started = 0;
        try {
          for (let f = 0; f < folds.length; f++) {
            for (; started < folds.length && started < f + concurrency; started++) {
              throwIfAborted(options.signal);
              const i = started;
              inFlight[i] = Promise.resolve().then(() => evaluate(params, folds[i], i));
            }
            scores.push(await inFlight[f]);
            trial.report(mean(scores), f);
            if (f < folds.length - 1 && trial.shouldPrune()) throw new TrialPruned(f);
          }
        } finally {
          // Folds started ahead of a pruned or failed one: their outcome no longer matters.
          for (let i = scores.length; i < started; i++) inFlight[i].catch(() => undefined);
        }
      }
      foldScores.set(trial.number, scores);
      return mean(scores);
    },
    {
      space: options.space,
      nTrials: options.nTrials,
      direction: greater ? 'maximize' : 'minimize',
      sampler: options.sampler,
      pruner: options.pruner ?? new MedianPruner({ nStartupTrials: 5, nWarmupSteps: 1 }),
      seed: options.seed,
      enqueue: [...evaluated.map((e) => e.params), ...(options.enqueue ?? [])],
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      batchSize: options.trialBatch,
      onBatch: options.evaluateTrial
        ? (batch) => {
            for (const t of batch)
              if (t.number >= evaluated.length && !startedTrials.has(t.number))
                startedTrials.set(t.number, startTrial(t.params, t.number));
          }
        : undefined,
      onTrial: options.onTrial,
    },
  );
  return {
    study,
    bestParams: { ...options.fixed, ...study.bestTrial.params },
    bestScore: study.bestTrial.value,
    bestFoldScores: foldScores.get(study.bestTrial.number) ?? [],
  };
}

function mean(a: number[]): number {
  return a.reduce((s, v) => s + v, 0) / a.length;
}
