import { AbortError, throwIfAborted, type Fold, type Matrix, type Task } from '@campaign-ml/core';
import {
  mergeOutOfBag,
  type CvPredictions,
  type FittedTreeClassifier,
  type FittedTreeRegressor,
  type MetricName,
  type OutOfBagSums,
} from '@campaign-ml/models';
import type { Params } from '@campaign-ml/tuning';
import type { ModelFamily } from '../config';
import { familyOf, type FamilyCatalog } from '../family-catalog';
import type { Progress } from '../progress';
import { runFoldJob, type FoldJob, type FoldOutcome } from './fold-job';
import { FoldPool, PoolUnavailableError } from './fold-pool';
import { forestHalves, outOfBagEstimator } from './out-of-bag-part';
import { workerCount } from './worker-count';

/** Which model to cross-validate: a family of families.ts (or of the forecast's) with its params. */
export interface ModelSpec {
  family: ModelFamily;
  /** Where `family` is defined (default: the table pipeline's families). */
  catalog?: FamilyCatalog;
  task: Task;
  params: Params;
  seed: number;
  /** Sample weights of the training rows (fairness reweighing), passed to every fold's fit. */
  sampleWeight?: Float64Array;
}

/** A trial of a study of one ParallelCv: with the fold's index, the identity of a fold fit. */
export interface TrialKey {
  study: number;
  trial: number;
}

/** crossValidate's summary, as train.ts reads it, with the out-of-fold predictions when asked for. */
export interface ParallelCvResult {
  folds: Array<{ fold: number; scores: Record<string, number> }>;
  mean: Record<string, number>;
  std: Record<string, number>;
  oof?: ParallelOutOfFold;
}

export type ParallelOutOfFold =
  | { task: 'classification'; classes: number; proba: Float64Array; fold: Int32Array }
  | { task: 'regression'; values: Float64Array; fold: Int32Array };

/**
 * Cross-validation with the folds spread over a worker pool, or on the main thread when there is
 * no pool. Every fold is fitted by the same code either way (runFoldJob: crossValidate on that one
 * fold), so with the same folds and seeds the scores, means and out-of-fold predictions are
 * identical to crossValidate and crossValPredict. When the pool breaks, the remaining folds run on
 * the main thread.
 */
export class ParallelCv {
  private nextStudy = 0;
  private readonly allRows = new WeakMap<Matrix, Fold>();

  constructor(private readonly pool?: FoldPool) {}

  /** Number of folds fitted at once: the worker threads, or 1 on the main thread. */
  get size(): number {
    return this.pool?.size ?? 1;
  }

  /** Where the folds run, for the progress output. */
  describe(): string {
    return this.pool ? `${this.pool.size} worker threads` : 'the main thread';
  }

  /**
   * Every fold of one trial of one study, started at once: one promise per job, in fold order.
   * Here each fold goes to the thread pool (or the main thread); the queue coordinator (queue-cv.ts)
   * submits them as one trial with its folds as children. `key` names the trial: (study, trial)
   * with the fold's index makes a fold fit's identity, so a result is never counted twice.
   */
  protected runFolds(
    X: Matrix,
    y: ArrayLike<number>,
    jobs: readonly FoldJob[],
    _key: TrialKey,
    signal?: AbortSignal,
  ): Array<Promise<FoldOutcome>> {
    return jobs.map((job) => this.run(X, y, job, signal));
  }

  /** A fresh study id: every cross-validation and every tuning study gets its own. */
  protected newStudy(): number {
    return this.nextStudy++;
  }

  /**
   * Fold scores, means and population standard deviations, as crossValidate gives them; with
   * `predict`, also every row's out-of-fold prediction, as crossValPredict gives them.
   */
  async crossValidate(
    X: Matrix,
    y: ArrayLike<number>,
    spec: ModelSpec,
    folds: readonly Fold[],
    metrics: MetricName[],
    signal?: AbortSignal,
    options: { predict?: boolean } = {},
  ): Promise<ParallelCvResult> {
    const predict = options.predict ?? false;
    const jobs = folds.map((fold) => ({ ...spec, fold, metrics, predict }));
    const outcomes = await Promise.all(this.runFolds(X, y, jobs, { study: this.newStudy(), trial: 0 }, signal));
    const scores = outcomes.map((o) => o.scores);
    const mean: Record<string, number> = {};
    const std: Record<string, number> = {};
    for (const name of Object.keys(scores[0] ?? {})) {
      // The same arithmetic, in the same order, as crossValidate.
      const values = scores.map((s) => s[name]);
      const m = values.reduce((a, b) => a + b, 0) / values.length;
      mean[name] = m;
      std[name] = Math.sqrt(values.reduce((a, v) => a + (v - m) * (v - m), 0) / values.length);
    }
    const result: ParallelCvResult = { folds: scores.map((s, fold) => ({ fold, scores: s })), mean, std };
    if (predict)
      result.oof = assembleOutOfFold(
        outcomes.map((o) => o.predictions!),
        folds,
        X.rows,
      );
    return result;
  }

  /** Out-of-fold probabilities (or values) for every row, as crossValPredict gives them. */
  async crossValPredict(
    X: Matrix,
    y: ArrayLike<number>,
    spec: ModelSpec,
    folds: readonly Fold[],
    signal?: AbortSignal,
  ): Promise<ParallelOutOfFold> {
    const jobs = folds.map((fold) => ({ ...spec, fold, metrics: [] as MetricName[], predict: true }));
    const outcomes = await Promise.all(this.runFolds(X, y, jobs, { study: this.newStudy(), trial: 0 }, signal));
    return assembleOutOfFold(
      outcomes.map((o) => o.predictions!),
      folds,
      X.rows,
    );
  }

  /**
   * tuneEstimator's `evaluateFold` for a family: the trial's params go to a worker, which fits the
   * fold and returns `metric` on its test rows. `onFold`, when given, also receives the fold's
   * test-row predictions, so a trial's out-of-fold predictions need no second fit.
   */
  foldEvaluator(
    X: Matrix,
    y: ArrayLike<number>,
    spec: Omit<ModelSpec, 'params'>,
    metric: MetricName,
    signal?: AbortSignal,
    onFold?: (params: Params, index: number, predictions: CvPredictions) => void,
  ) {
    return async (params: Params, fold: Fold, index: number): Promise<number> => {
      const o = await this.run(
        X,
        y,
        { ...spec, params, fold, metrics: [metric], predict: onFold !== undefined },
        signal,
      );
      if (onFold && o.predictions) onFold(params, index, o.predictions);
      return o.scores[metric];
    };
  }

  /**
   * tuneEstimator's `evaluateTrial` for a family: every fold of a trial is started at once (on the
   * queue: one trial job with its folds as children) and each resolves to `metric` on its test
   * rows; `onFold` as in foldEvaluator. One study id for the whole tuning study.
   */
  trialEvaluator(
    X: Matrix,
    y: ArrayLike<number>,
    spec: Omit<ModelSpec, 'params'>,
    metric: MetricName,
    signal?: AbortSignal,
    onFold?: (params: Params, index: number, predictions: CvPredictions) => void,
  ) {
    const study = this.newStudy();
    return (params: Params, folds: readonly Fold[], trial: number, trialDone?: AbortSignal): Array<Promise<number>> => {
      const jobs = folds.map((fold) => ({ ...spec, params, fold, metrics: [metric], predict: onFold !== undefined }));
      // A pruned trial's folds not started yet are dropped (on the queue: removed while waiting).
      const stop = trialDone ? (signal ? AbortSignal.any([signal, trialDone]) : trialDone) : signal;
      return this.runFolds(X, y, jobs, { study, trial }, stop).map((p, index) =>
        p.then((o) => {
          if (onFold && o.predictions) onFold(params, index, o.predictions);
          return o.scores[metric];
        }),
      );
    };
  }

  /**
   * Out-of-bag sums of a random forest fitted on all rows of X, one forest per call: its trees are
   * grown in two halves (forestHalves), each a fold job with `part` whose fold trains on every row,
   * started together as the folds of one trial (on the thread pool, the main thread or the queue),
   * and their sums added in tree order: the same numbers wherever the halves ran. One study id
   * for the evaluator, as trialEvaluator; `trial` names the call.
   */
  outOfBagEvaluator(X: Matrix, y: ArrayLike<number>, spec: Omit<ModelSpec, 'params'>, signal?: AbortSignal) {
    const study = this.newStudy();
    const trainOnAll = this.trainOnAll(X);
    const fam = familyOf(spec.catalog ?? 'table', spec.family);
    return async (params: Params, trial: number): Promise<OutOfBagSums> => {
      const est = outOfBagEstimator(fam, spec.task, params, spec.seed);
      if (!est) throw new Error(`internal: ${spec.family} is not a bootstrapped forest: no out-of-bag score`);
      const jobs = forestHalves(est.params.nEstimators).map((part) => ({
        ...spec,
        params,
        fold: trainOnAll,
        metrics: [] as MetricName[],
        predict: false,
        part,
      }));
      const outcomes = await Promise.all(this.runFolds(X, y, jobs, { study, trial }, signal));
      return mergeOutOfBag(outcomes.map((o) => o.outOfBag!));
    };
  }

  /**
   * A random forest of the family fitted on all rows of X, keeping its out-of-bag predictions: its
   * two halves grown as fold jobs on the thread pool (on the main thread, one after the other,
   * without a pool and on a queue run: trees are too large to travel through Redis) and joined by
   * fromParts, so the model is the single fit's, tree for tree, and its out-of-bag sums are added
   * as a trial's are.
   */
  async fitForest(
    X: Matrix,
    y: ArrayLike<number>,
    spec: ModelSpec,
    signal?: AbortSignal,
  ): Promise<FittedTreeClassifier | FittedTreeRegressor> {
    const est = outOfBagEstimator(familyOf(spec.catalog ?? 'table', spec.family), spec.task, spec.params, spec.seed);
    if (!est) throw new Error(`internal: ${spec.family} is not a bootstrapped forest`);
    const fold = this.trainOnAll(X);
    const jobs = forestHalves(est.params.nEstimators).map((part) => ({
      ...spec,
      fold,
      metrics: [] as MetricName[],
      predict: false,
      part,
      keepTrees: true,
    }));
    const outcomes = await Promise.all(jobs.map((job) => this.run(X, y, job, signal)));
    return est.fromParts(
      outcomes.map((o) => o.forestPart!),
      y,
    );
  }

  /** The fold that trains on every row of X (one per X, so a queue shares it once). */
  private trainOnAll(X: Matrix): Fold {
    let fold = this.allRows.get(X);
    if (!fold) {
      const all = Uint32Array.from({ length: X.rows }, (_, i) => i);
      this.allRows.set(X, (fold = { train: all, test: new Uint32Array(0) }));
    }
    return fold;
  }

  /** True when folds go to a queue: tuning then starts whole trials (evaluateTrial) rather than folds. */
  get distributed(): boolean {
    return false;
  }

  /** Forget a training set in the workers. */
  release(X: Matrix): void {
    this.pool?.release(X);
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  protected async run(X: Matrix, y: ArrayLike<number>, job: FoldJob, signal?: AbortSignal): Promise<FoldOutcome> {
    throwIfAborted(signal);
    if (this.pool?.alive) {
      try {
        return await untilAborted(this.pool.run(X, y, job), signal);
      } catch (e) {
        if (!(e instanceof PoolUnavailableError)) throw e;
      }
    }
    throwIfAborted(signal);
    return runFoldJob(job, X, Float64Array.from(y));
  }
}

/**
 * Start cross-validation workers. Without them (`workers` is 1, or they cannot start: then
 * `onUnavailable` says why) the folds run on the main thread, one at a time.
 */
export async function startParallelCv(workers: number, onUnavailable?: (reason: string) => void): Promise<ParallelCv> {
  const pool = workers > 1 ? await FoldPool.start(workers, { onUnavailable }) : undefined;
  return new ParallelCv(pool);
}

/**
 * Run `work` with cross-validation workers (CAMPAIGN_ML_WORKERS, default min(2, cores)) that start
 * while it begins, e.g. reads the data (it awaits `cv` when it needs them), and are closed when it
 * ends, however it ends. Without workers `progress` says why, and the folds run on the main
 * thread: the same folds and seeds give the same scores either way. `start`, when given, starts
 * another kind of ParallelCv instead (the queue coordinator of queue/queue-cv.ts).
 */
export async function withParallelCv<T>(
  progress: Progress,
  work: (cv: Promise<ParallelCv>) => Promise<T>,
  start?: () => Promise<ParallelCv>,
): Promise<T> {
  const starting = start
    ? start()
    : startParallelCv(workerCount(), (reason) => progress.info(`cross-validation on the main thread only: ${reason}`));
  starting.catch(() => undefined);
  try {
    return await work(starting);
  } finally {
    await (await starting).close();
  }
}

/** Each row's prediction from the fold that held it out, as crossValPredict lays them out. */
export function assembleOutOfFold(
  predictions: readonly CvPredictions[],
  folds: readonly Fold[],
  n: number,
): ParallelOutOfFold {
  const owner = new Int32Array(n).fill(-1);
  let proba: Float64Array | undefined;
  let values: Float64Array | undefined;
  let classes = 0;
  predictions.forEach((p, f) => {
    const test = folds[f].test;
    for (let i = 0; i < test.length; i++) owner[test[i]] = f;
    if (p.task === 'classification') {
      classes = p.classes;
      proba ??= new Float64Array(n * classes);
      for (let i = 0; i < test.length; i++)
        proba.set(p.proba.subarray(i * classes, (i + 1) * classes), test[i] * classes);
    } else {
      values ??= new Float64Array(n);
      for (let i = 0; i < test.length; i++) values[test[i]] = p.values[i];
    }
  });
  return proba
    ? { task: 'classification', classes, proba, fold: owner }
    : { task: 'regression', values: values ?? new Float64Array(n), fold: owner };
}

/** The job's outcome, or AbortError as soon as the signal fires (the worker stops when the pool closes). */
function untilAborted<T>(job: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return job;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    job.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
