import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  AbortError,
  CampaignMlError,
  ConfigError,
  InputError,
  ParseError,
  SerializationError,
  type Matrix,
} from '@campaign-ml/core';
import { toShared, type FoldJob, type FoldOutcome } from './fold-job';
import type { FromWorker, ToWorker } from './fold-worker';

/** The pool stopped working (a worker died or was terminated); run the rest on the main thread. */
export class PoolUnavailableError extends CampaignMlError {
  constructor(reason: string) {
    super('POOL_UNAVAILABLE', `the worker pool is unavailable: ${reason}; falling back to the main thread`);
  }
}

export interface FoldPoolOptions {
  /** Give up starting the workers after this long (default 30 s) and return undefined. */
  startTimeoutMs?: number;
  /** Told why the pool could not start or stopped, e.g. to log it. */
  onUnavailable?: (reason: string) => void;
  /**
   * 'one' (default): each fold's tree fits stay on its worker's thread (the pool's workers already
   * run side by side). 'inherit': they use CAMPAIGN_ML_THREADS as the process has it (a pool of one
   * that only keeps the fit off the main thread).
   */
  treeThreads?: 'one' | 'inherit';
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (o: FoldOutcome) => void; reject: (e: Error) => void }>;
}

const ERRORS: Record<string, new (code: string, message: string) => CampaignMlError> = {
  InputError,
  ConfigError,
  ParseError,
  SerializationError,
};

/**
 * A few worker threads that fit folds. Training sets go to every worker once, in shared memory;
 * each job then carries only a family name, params, seed and the fold's row indices. Jobs are
 * dealt to the worker with the fewest outstanding ones as soon as they are submitted, so workers
 * keep busy while the main thread computes. Workers hold the process open only while they have
 * work: an idle pool never keeps Node (or jest) from exiting.
 */
export class FoldPool {
  private readonly slots: Slot[];
  private readonly dataIds = new WeakMap<Matrix, number>();
  private nextData = 1;
  private nextJob = 1;
  private broken: string | undefined;

  private constructor(
    workers: Worker[],
    private readonly onUnavailable?: (reason: string) => void,
  ) {
    this.slots = workers.map((worker) => ({ worker, pending: new Map() }));
    for (const slot of this.slots) {
      slot.worker.on('message', (msg: FromWorker) => this.receive(slot, msg));
      slot.worker.on('error', (e) => this.fail(`a worker failed: ${e.message}`));
      slot.worker.on('exit', (code) => this.fail(`a worker exited with code ${code}`));
      slot.worker.unref();
    }
  }

  /**
   * Start `size` workers and wait until each has loaded the model code. Resolves to undefined
   * (and tells `onUnavailable` why) when they cannot start in time, e.g. where TypeScript cannot
   * be loaded in a worker.
   */
  static async start(size: number, options: FoldPoolOptions = {}): Promise<FoldPool | undefined> {
    if (!Number.isInteger(size) || size < 1)
      throw new ConfigError('INVALID_OPTION', `worker pool size must be a positive integer, got ${size}`, {
        value: size,
      });
    const workers: Worker[] = [];
    const detach: Array<() => void> = [];
    let timer: NodeJS.Timeout | undefined;
    try {
      const ready = Array.from({ length: size }, () => {
        const w = spawnWorker(options.treeThreads ?? 'one');
        workers.push(w);
        return new Promise<void>((resolve, reject) => {
          // Only our own listeners come off afterwards: Worker keeps internal ones on itself.
          const onMessage = (m: FromWorker) =>
            m.type === 'ready' ? resolve() : reject(new Error(`unexpected first message ${m.type}`));
          const onExit = (code: number) => reject(new Error(`worker exited with code ${code} while starting`));
          w.on('message', onMessage).on('error', reject).on('exit', onExit);
          detach.push(() => w.off('message', onMessage).off('error', reject).off('exit', onExit));
        });
      });
      const timeoutMs = options.startTimeoutMs ?? 30_000;
      await Promise.race([
        Promise.all(ready),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`workers did not start within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      for (const d of detach) d();
      return new FoldPool(workers, options.onUnavailable);
    } catch (e) {
      for (const d of detach) d();
      for (const w of workers) {
        w.on('error', () => undefined);
        void w.terminate();
      }
      options.onUnavailable?.((e as Error).message);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /** False once a worker has died or the pool was closed. */
  get alive(): boolean {
    return this.broken === undefined;
  }

  /**
   * Run one fold job on the training set (X, y). X and y are copied into shared memory the first
   * time this X is seen; later jobs on the same X reuse it.
   */
  run(X: Matrix, y: ArrayLike<number>, job: FoldJob): Promise<FoldOutcome> {
    if (this.broken !== undefined) return Promise.reject(new PoolUnavailableError(this.broken));
    const dataId = this.share(X, y);
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const jobId = this.nextJob++;
    return new Promise<FoldOutcome>((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(jobId, { resolve, reject });
      this.post(slot, { type: 'job', jobId, dataId, job });
    });
  }

  /** Forget a training set in every worker (frees its shared memory once nothing else holds it). */
  release(X: Matrix): void {
    const id = this.dataIds.get(X);
    if (id === undefined) return;
    this.dataIds.delete(X);
    if (this.broken === undefined) for (const slot of this.slots) this.post(slot, { type: 'drop', id });
  }

  /** Stop every worker; jobs still pending are rejected with PoolUnavailableError. */
  async close(): Promise<void> {
    this.fail('the pool was closed', false);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private share(X: Matrix, y: ArrayLike<number>): number {
    let id = this.dataIds.get(X);
    if (id !== undefined) return id;
    id = this.nextData++;
    this.dataIds.set(X, id);
    const data = toShared(X, y);
    for (const slot of this.slots) this.post(slot, { type: 'data', id, data });
    return id;
  }

  private post(slot: Slot, msg: ToWorker): void {
    slot.worker.postMessage(msg);
  }

  private receive(slot: Slot, msg: FromWorker): void {
    if (msg.type === 'ready') return;
    const p = slot.pending.get(msg.jobId);
    if (!p) return;
    slot.pending.delete(msg.jobId);
    if (slot.pending.size === 0) slot.worker.unref();
    if (msg.type === 'done') p.resolve(msg.outcome);
    else p.reject(rebuildError(msg.error));
  }

  private fail(reason: string, tell = true): void {
    if (this.broken !== undefined) return;
    this.broken = reason;
    if (tell) this.onUnavailable?.(reason);
    for (const slot of this.slots) {
      for (const p of slot.pending.values()) p.reject(new PoolUnavailableError(reason));
      slot.pending.clear();
      slot.worker.unref();
    }
    if (tell) for (const slot of this.slots) void slot.worker.terminate();
  }
}

function rebuildError(e: { name: string; code?: string; message: string }): Error {
  if (e.name === 'AbortError') return new AbortError(e.message);
  const Cls = ERRORS[e.name];
  if (Cls && e.code) return new Cls(e.code, e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/**
 * A worker running fold-worker.ts. Compiled JavaScript runs as is; TypeScript sources (tsx, jest)
 * are loaded through tsx's CommonJS hook, registered inside the worker, since Node 20 does not
 * apply the parent's loaders to a worker's entry file.
 */
function spawnWorker(treeThreads: 'one' | 'inherit'): Worker {
  const ts = __filename.endsWith('.ts');
  const file = path.join(__dirname, ts ? 'fold-worker.ts' : 'fold-worker.js');
  const workerData = { treeThreads };
  if (!ts) return new Worker(file, { workerData });
  const tsx = require.resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(file)});`, {
    eval: true,
    workerData,
  });
}
