import { AbortError, ConfigError, InputError, createRng, throwIfAborted } from '@campaign-ml/core';
import { MedianPruner, type Direction, type Pruner } from './pruner';
import { TpeSampler, type Sampler } from './samplers';
import type { Params, SearchSpace } from './space';
import { TrialPruned, type FrozenTrial, type Trial } from './trial';

export type Objective = (params: Params, trial: Trial) => number | Promise<number>;

export interface OptimizeOptions {
  space: SearchSpace;
  /** Number of trials (default 20, as the pipeline uses per model family). */
  nTrials?: number;
  direction?: Direction;
  sampler?: Sampler;
  pruner?: Pruner;
  seed?: number;
  /** Stop starting new trials after this many milliseconds. */
  timeoutMs?: number;
  /** Parameters to evaluate first (e.g. the library defaults), before the sampler takes over. */
  enqueue?: Params[];
  /**
   * Trials sampled at a time (default 1). A batch's trials are all sampled from the trials finished
   * before the batch, then evaluated and told in trial order, so the study depends on the batch
   * size and the seed only, never on how many trials run at once or which finishes first. 1 is the
   * classic sequential search (each trial sees every earlier one).
   */
  batchSize?: number;
  /**
   * Called once per batch, after its trials are sampled and before the first of them is evaluated,
   * e.g. to start every fold of every trial of the batch on remote workers at once.
   */
  onBatch?: (batch: ReadonlyArray<{ number: number; params: Params }>) => void;
  signal?: AbortSignal;
  onTrial?: (trial: FrozenTrial, study: StudyResult) => void;
}

export interface StudyResult {
  direction: Direction;
  trials: FrozenTrial[];
  bestTrial?: FrozenTrial;
}

/**
 * Run a seeded hyper-parameter search: `nTrials` trials, each sampled from the finished ones
 * (TPE by default), with pruning of hopeless trials (median pruner by default). The same seed,
 * space and objective give the same trials. Objective errors mark the trial failed and the search
 * goes on; the trial log keeps every trial.
 */
export async function optimize(objective: Objective, options: OptimizeOptions): Promise<Required<StudyResult>> {
  const nTrials = options.nTrials ?? 20;
  if (!Number.isInteger(nTrials) || nTrials < 1)
    throw new ConfigError('INVALID_TRIALS', `nTrials must be a positive integer, got ${nTrials}`, { value: nTrials });
  const batchSize = options.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ConfigError('INVALID_OPTION', `batchSize must be a positive integer, got ${batchSize}`, {
      value: batchSize,
      expected: 'an integer >= 1',
    });
  const direction = options.direction ?? 'maximize';
  const sampler = options.sampler ?? new TpeSampler();
  const pruner = options.pruner ?? new MedianPruner();
  const rng = createRng(options.seed ?? 0);
  const started = Date.now();
  const study: StudyResult = { direction, trials: [] };

  let batch: Array<{ number: number; params: Params }> = [];
  for (let number = 0; number < nTrials; number++) {
    throwIfAborted(options.signal);
    if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) break;
    if (number % batchSize === 0) {
      // The whole batch is sampled from the trials finished before it (a copy: the study grows meanwhile).
      const finished = study.trials.slice();
      batch = [];
      for (let n = number; n < Math.min(nTrials, number + batchSize); n++) {
        const trialRng = rng.fork();
        const sampled =
          options.enqueue?.[n] ??
          sampler.sample({ space: options.space, trials: finished, direction, trialNumber: n, rng: trialRng });
        batch.push({ number: n, params: sampled });
      }
      options.onBatch?.(batch);
    }
    const params = batch[number % batchSize].params;
    const intermediate: Array<[number, number]> = [];
    const trial: Trial = {
      number,
      params,
      report(value, step) {
        intermediate.push([step, value]);
      },
      shouldPrune: () => pruner.shouldPrune(intermediate, study.trials, direction),
    };
    const t0 = performance.now();
    let frozen: FrozenTrial;
    try {
      const value = await objective(params, trial);
      if (typeof value !== 'number' || Number.isNaN(value))
        throw new InputError('INVALID_OBJECTIVE', `the objective returned ${String(value)}, not a number`);
      frozen = { number, params, value, state: 'complete', intermediate, durationMs: performance.now() - t0 };
    } catch (e) {
      if (e instanceof AbortError) throw e;
      const pruned = e instanceof TrialPruned;
      frozen = {
        number,
        params,
        value: pruned && intermediate.length ? intermediate[intermediate.length - 1][1] : NaN,
        state: pruned ? 'pruned' : 'failed',
        intermediate,
        durationMs: performance.now() - t0,
        ...(pruned ? {} : { error: (e as Error).message }),
      };
    }
    study.trials.push(frozen);
    if (frozen.state === 'complete' && isBetter(frozen.value, study.bestTrial?.value, direction))
      study.bestTrial = frozen;
    options.onTrial?.(frozen, study);
  }
  if (!study.bestTrial) {
    const errors = study.trials.filter((t) => t.error).map((t) => `trial ${t.number}: ${t.error}`);
    throw new InputError(
      'NO_COMPLETED_TRIAL',
      `no trial completed${errors.length ? `; ${errors.slice(0, 3).join('; ')}` : ''}`,
    );
  }
  return study as Required<StudyResult>;
}

function isBetter(value: number, best: number | undefined, direction: Direction): boolean {
  if (best === undefined) return true;
  return direction === 'maximize' ? value > best : value < best;
}

/** The trial log as rows (one per trial, with `error` when it failed), e.g. for a report table or a CSV. */
export function trialLog(study: StudyResult): Array<Record<string, string | number | boolean>> {
  return study.trials.map((t) => ({
    number: t.number,
    state: t.state,
    value: t.value,
    durationMs: Math.round(t.durationMs),
    ...t.params,
    ...(t.error ? { error: t.error } : {}),
  }));
}
