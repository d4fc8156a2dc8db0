/**
 * The sandboxed processor of `pipeline worker`: BullMQ runs it in a child process of the worker
 * (one per concurrent job, reused from job to job), so a CPU-bound fit never keeps the worker from
 * renewing its job locks. A fold job fits through runFoldJob, the function the local thread pool
 * calls (a random forest's out-of-bag half is a fold job with `part`: it returns the half's
 * out-of-bag sums); a score-part job scores through scorePart, the function a local partitioned run calls.
 * Training sets and folds are read by reference, hash-checked, and kept for the next jobs.
 *
 * A fold fits on a thread of this child (a FoldPool of one), so that the child's own thread stays
 * free to hear a cancellation (the coordinator abandoned the trial: see startQueueWorkers): the
 * thread is then terminated, mid-fit, and the job fails for good (UnrecoverableError: no retry).
 * The next fold starts a new thread. Where a thread cannot start, folds fit here, uncancellable.
 */
import * as os from 'node:os';
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import { createMatrix, type Fold, type Matrix } from '@campaign-ml/core';
import { runFoldJob, type FoldJob, type FoldOutcome } from '../parallel/fold-job';
import { FoldPool } from '../parallel/fold-pool';
import type { ScorePartJob } from './partitioned-predict';
import { readArrays, type DataRef } from './data-ref';
import type { FoldJobData, FoldJobResult } from './queue-cv';
import { fromWire, toWire } from './wire';

// A killed worker must not leave its child fitting on: exit when the parent's channel closes.
process.on('disconnect', () => process.exit(0));

const sets = new Map<string, Promise<{ X: Matrix; y: Float64Array; w?: Float64Array }>>();
const folds = new Map<string, Promise<Fold>>();

/** The value loaded for `ref`, kept among the `limit` most recently loaded. */
function cached<T>(
  cache: Map<string, Promise<T>>,
  limit: number,
  ref: DataRef,
  load: (ref: DataRef) => Promise<T>,
): Promise<T> {
  let v = cache.get(ref.sha256);
  if (!v) {
    v = load(ref);
    v.catch(() => cache.delete(ref.sha256));
    if (cache.size >= limit) cache.delete(cache.keys().next().value!);
    cache.set(ref.sha256, v);
  }
  return v;
}

async function loadSet(ref: DataRef) {
  const { meta, arrays } = await readArrays(ref);
  const [x, y, w] = arrays as Float64Array[];
  const X = createMatrix(meta.rows as number, meta.cols as number, x, meta.columns as string[]);
  return { X, y, w };
}

async function loadFold(ref: DataRef): Promise<Fold> {
  const [train, test] = (await readArrays(ref)).arrays as Uint32Array[];
  return { train, test };
}

/** Test-only hooks, read from the worker's environment. */
function testHooks(d: FoldJobData, family: string, signal?: AbortSignal): Promise<void> | void {
  // CAMPAIGN_ML_TEST_FAIL_FOLD=<family>:<trial>:<fold> makes that fold throw on every attempt.
  const fail = process.env.CAMPAIGN_ML_TEST_FAIL_FOLD;
  if (fail && fail === `${family}:${d.trial}:${d.fold}`)
    throw new Error(`test hook CAMPAIGN_ML_TEST_FAIL_FOLD: fold ${d.fold} of trial ${d.trial} crashed`);
  // CAMPAIGN_ML_TEST_HOLD_MS=<ms> holds every fold that long before fitting it (a worker to kill mid-fold).
  const hold = Number(process.env.CAMPAIGN_ML_TEST_HOLD_MS ?? 0);
  if (hold > 0)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, hold);
      signal?.addEventListener('abort', () => (clearTimeout(timer), reject(cancelled(signal))), { once: true });
    });
}

const cancelled = (signal: AbortSignal) =>
  new UnrecoverableError(`fold cancelled: ${String(signal.reason ?? 'its trial was abandoned')}`);

let pool: Promise<FoldPool | undefined> | undefined;

/** runFoldJob on this child's fit thread, stopped (thread terminated) when `signal` aborts. */
async function fitCancellable(job: FoldJob, X: Matrix, y: Float64Array, signal?: AbortSignal): Promise<FoldOutcome> {
  const p = await (pool ??= FoldPool.start(1, { treeThreads: 'inherit', startTimeoutMs: 60_000 }));
  if (!p?.alive) {
    pool = undefined;
    return runFoldJob(job, X, y);
  }
  if (signal?.aborted) throw cancelled(signal);
  return new Promise<FoldOutcome>((resolve, reject) => {
    const onAbort = () => {
      pool = undefined;
      void p.close();
      reject(cancelled(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    p.run(X, y, job).then(
      (o) => (signal?.removeEventListener('abort', onAbort), resolve(o)),
      (e: Error) => (signal?.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

export async function fitFold(d: FoldJobData, signal?: AbortSignal): Promise<FoldJobResult> {
  const spec = fromWire<Omit<FoldJob, 'fold'>>(d.job);
  await testHooks(d, spec.family, signal);
  // A few training sets (one per feature recipe, usually two); every fold of a run (row indices only).
  const [set, fold] = await Promise.all([cached(sets, 4, d.data, loadSet), cached(folds, 64, d.folds, loadFold)]);
  const job: FoldJob = { ...spec, fold, sampleWeight: set.w };
  const outcome = await fitCancellable(job, set.X, set.y, signal);
  return { outcome: toWire(outcome), worker: `${os.hostname()}:${process.ppid}` };
}

export default async function process_(job: SandboxedJob, _token?: string, signal?: AbortSignal): Promise<unknown> {
  if (job.name === 'fold') return fitFold(job.data as FoldJobData, signal);
  // Loaded on first use: a child that only fits folds starts without the scoring stack.
  if (job.name === 'score-part') return (await import('./partitioned-predict')).scorePart(job.data as ScorePartJob);
  throw new Error(`unknown job "${job.name}": this worker takes fold and score-part jobs`);
}
