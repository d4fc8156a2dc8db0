/**
 * Worker thread entry: keeps the shared training sets it is sent and answers fold jobs one at a
 * time, in the order they arrive. Started by FoldPool; never imported by the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Matrix } from '@campaign-ml/core';
import { fromShared, runFoldJob, type FoldJob, type SharedData } from './fold-job';

export type ToWorker =
  | { type: 'data'; id: number; data: SharedData }
  | { type: 'drop'; id: number }
  | { type: 'job'; jobId: number; dataId: number; job: FoldJob };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; jobId: number; outcome: ReturnType<typeof runFoldJob> }
  | { type: 'failed'; jobId: number; error: { name: string; code?: string; message: string } };

const port = parentPort;
if (port) {
  // Folds already run side by side on the pool's threads: each fold's tree fits stay on its own
  // thread (this worker's copy of the environment; the models are the same for any count), unless
  // the pool is one thread that only keeps fits off a process's main thread (FoldPoolOptions).
  if ((workerData as { treeThreads?: string } | null)?.treeThreads !== 'inherit') process.env.CAMPAIGN_ML_THREADS = '1';
  // CAMPAIGN_ML_TEST_SPIN_MS=<ms>: every fold first keeps this thread busy that long (a fit that
  // cannot be interrupted from inside, for the cancellation tests).
  const spin = Number(process.env.CAMPAIGN_ML_TEST_SPIN_MS ?? 0);
  const sets = new Map<number, { X: Matrix; y: Float64Array }>();
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'data') sets.set(msg.id, fromShared(msg.data));
    else if (msg.type === 'drop') sets.delete(msg.id);
    else {
      let reply: FromWorker;
      try {
        const set = sets.get(msg.dataId);
        if (!set) throw new Error(`no training data with id ${msg.dataId} was shared with this worker`);
        if (spin > 0) for (const end = Date.now() + spin; Date.now() < end;);
        const outcome = runFoldJob(msg.job, set.X, set.y);
        reply = { type: 'done', jobId: msg.jobId, outcome };
      } catch (e) {
        const err = e as Error & { code?: string };
        reply = {
          type: 'failed',
          jobId: msg.jobId,
          error: { name: err?.name ?? 'Error', code: err?.code, message: err?.message ?? String(e) },
        };
      }
      port.postMessage(reply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}
