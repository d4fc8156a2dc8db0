import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FlowProducer, Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { AbortError, type Fold, type Matrix } from '@campaign-ml/core';
import type { FoldJob, FoldOutcome } from '../parallel/fold-job';
import { ParallelCv, type TrialKey } from '../parallel/parallel-cv';
import { DEFAULT_PREFIX, FOLDS_QUEUE, cancelChannel, checkRedis, redisConnection, safeUrl } from './connection';
import { writeArrays, type DataRef } from './data-ref';
import { fromWire, toWire } from './wire';

/** Where a coordinator's fold fits go. */
export interface QueueOptions {
  /** redis://host:port[/db] */
  url: string;
  /** BullMQ key prefix shared with the workers (default campaign-ml). */
  prefix?: string;
  /** A directory the workers see at the same path: training sets and folds go there by reference. */
  dataDir: string;
  /** Attempts of a fold that throws before its trial fails (default 2). */
  attempts?: number;
}

/** What a fold job carries: its identity, its data by reference, and the fit to run. */
export interface FoldJobData {
  study: string;
  trial: number;
  fold: number;
  data: DataRef;
  folds: DataRef;
  /** FoldJob without its fold (folds) and sample weights (data), through toWire. */
  job: unknown;
}

/** What a worker returns for a fold: the outcome through toWire, and who fitted it. */
export interface FoldJobResult {
  outcome: unknown;
  worker: string;
}

interface TrialWait {
  resolve: (r: { values: Map<number, FoldOutcome>; failures: Map<number, string> }) => void;
  reject: (e: Error) => void;
}

/**
 * The coordinator of a distributed run: the same cross-validation and tuning as ParallelCv, with
 * each trial submitted as one BullMQ flow, a parent job `trial` on this run's own queue with one
 * child `fold` job per fold on the shared `folds` queue that `pipeline worker` processes consume.
 * Job ids are (run, study, trial, fold), so a fold is queued, and its result counted, once; a
 * fold whose worker dies stalls and is taken by another worker; a fold that throws is tried
 * `attempts` times, then its trial fails with the reason (ignoreDependencyOnFailure: the trial job
 * still runs, here, and reads the failures). The trial job is processed by this process only: it
 * gathers the children's results and hands them to the waiting study.
 */
export class QueueCv extends ParallelCv {
  private readonly pending = new Map<string, TrialWait>();
  private readonly dataRefs = new WeakMap<Matrix, Map<Float64Array | undefined, Promise<DataRef>>>();
  private readonly foldRefs = new WeakMap<Fold, Promise<DataRef>>();
  private closed = false;
  /** Folds removed from the queue unstarted because their trial was abandoned (see dropWaiting). */
  droppedFolds = 0;
  /** Running folds of abandoned trials whose workers were told to stop them (see dropWaiting). */
  cancelledFolds = 0;
  private publisher: Redis | undefined;

  private constructor(
    private readonly options: Required<QueueOptions>,
    readonly runId: string,
    private readonly flows: FlowProducer,
    private readonly trials: Worker,
    private readonly trialsQueue: Queue,
    private readonly folds: Queue,
  ) {
    super();
  }

  /** Connect to Redis, start this run's trial collector, and check the connection works. */
  static async connect(options: QueueOptions): Promise<QueueCv> {
    const connection: ConnectionOptions = redisConnection(options.url);
    await checkRedis(options.url);
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    const runId = randomBytes(6).toString('hex');
    const trialsName = `trials-${runId}`;
    const opts = { connection, prefix };
    const flows = new FlowProducer(opts);
    const folds = new Queue(FOLDS_QUEUE, opts);
    const trialsQueue = new Queue(trialsName, opts);
    // The trial collector needs the coordinator, and the coordinator its collector.
    const ref: { cv?: QueueCv } = {};
    const trials = new Worker(trialsName, (job) => ref.cv!.collect(job), { ...opts, concurrency: 16, autorun: false });
    const self = (ref.cv = new QueueCv(
      { url: options.url, prefix, dataDir: path.resolve(options.dataDir, runId), attempts: options.attempts ?? 2 },
      runId,
      flows,
      trials,
      trialsQueue,
      folds,
    ));
    try {
      await Promise.all([folds.waitUntilReady(), trialsQueue.waitUntilReady(), trials.waitUntilReady()]);
    } catch (e) {
      await self.close();
      throw e;
    }
    trials.on('error', () => undefined);
    void trials.run();
    return self;
  }

  override get size(): number {
    return 1;
  }

  override get distributed(): boolean {
    return true;
  }

  override describe(): string {
    return `the queue ${safeUrl(this.options.url)} (prefix ${this.options.prefix}, run ${this.runId})`;
  }

  /** Workers currently connected to the folds queue. */
  async workers(): Promise<number> {
    return (await this.folds.getWorkers()).length;
  }

  protected override runFolds(
    X: Matrix,
    y: ArrayLike<number>,
    jobs: readonly FoldJob[],
    key: TrialKey,
    signal?: AbortSignal,
  ): Array<Promise<FoldOutcome>> {
    const study = `${this.runId}-s${key.study}`;
    const trialId = `${study}-t${key.trial}`;
    const submitted = this.submit(X, y, jobs, study, key.trial, trialId, signal);
    submitted.catch(() => undefined);
    return jobs.map((_, i) =>
      submitted.then(({ values, failures }) => {
        const o = values.get(i);
        if (o) return o;
        throw new Error(
          `fold ${i} of trial ${key.trial} failed on the queue after ${this.options.attempts} attempts: ${failures.get(i) ?? 'no result and no reason recorded'}`,
        );
      }),
    );
  }

  private async submit(
    X: Matrix,
    y: ArrayLike<number>,
    jobs: readonly FoldJob[],
    study: string,
    trial: number,
    trialId: string,
    signal?: AbortSignal,
  ) {
    if (this.closed) throw new Error('the queue coordinator is closed');
    if (signal?.aborted) throw new AbortError();
    const data = await this.shareData(X, y, jobs[0]?.sampleWeight);
    const children = await Promise.all(
      jobs.map(async ({ fold, sampleWeight: _w, ...job }, i) => ({
        name: 'fold',
        queueName: FOLDS_QUEUE,
        data: {
          study,
          trial,
          fold: i,
          data,
          folds: await this.shareFold(fold),
          job: toWire(job),
        } satisfies FoldJobData,
        opts: {
          jobId: `${trialId}-f${i}`,
          attempts: this.options.attempts,
          ignoreDependencyOnFailure: true,
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: 24 * 3600 },
        },
      })),
    );
    let onAbort: (() => void) | undefined;
    const result = new Promise<{ values: Map<number, FoldOutcome>; failures: Map<number, string> }>(
      (resolve, reject) => {
        this.pending.set(trialId, { resolve, reject });
        onAbort = () => {
          reject(new AbortError());
          void this.dropWaiting(children.map((c) => c.opts.jobId));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      },
    );
    await this.flows.add({
      name: 'trial',
      queueName: this.trialsQueue.name,
      data: { study, trial },
      opts: { jobId: trialId, removeOnComplete: true },
      children,
    });
    try {
      return await result;
    } finally {
      this.pending.delete(trialId);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * The folds of an abandoned trial (pruned, failed, or the run stopped): those no worker has taken
   * yet are removed from the queue; those running are named on the cancel channel, and the worker
   * running each stops its fit (their results would not be read). Best effort: a fold that finishes
   * meanwhile just finishes.
   */
  private async dropWaiting(ids: readonly string[]): Promise<number> {
    let dropped = 0;
    const running: string[] = [];
    for (const id of ids) {
      try {
        const job = await this.folds.getJob(id);
        if (job && ((await job.isWaiting()) || (await job.isDelayed()))) {
          await job.remove();
          dropped++;
        } else if (job && (await job.isActive())) running.push(id);
      } catch {
        /* taken by a worker meanwhile (locked), or already gone */
        running.push(id);
      }
    }
    this.droppedFolds += dropped;
    if (running.length) {
      try {
        if (!this.publisher) {
          this.publisher = new Redis({
            ...(redisConnection(this.options.url) as RedisOptions),
            maxRetriesPerRequest: 1,
          });
          // Errors surface on publish (caught below); the connection's own events need a listener.
          this.publisher.on('error', () => undefined);
        }
        await this.publisher.publish(cancelChannel(this.options.prefix), JSON.stringify(running));
        this.cancelledFolds += running.length;
      } catch {
        /* Redis gone: the folds run to their end */
      }
    }
    return dropped;
  }

  /** The trial job: every child is done (completed, or failed after its attempts); hand their results over. */
  private async collect(job: Job): Promise<{ completed: number; failed: number }> {
    const values = new Map<number, FoldOutcome>();
    const failures = new Map<number, string>();
    const index = (key: string) => Number(/-f(\d+)$/.exec(key)?.[1]);
    for (const [key, v] of Object.entries(await job.getChildrenValues<FoldJobResult>()))
      values.set(index(key), fromWire<FoldOutcome>(v.outcome));
    for (const [key, reason] of Object.entries(await job.getIgnoredChildrenFailures()))
      failures.set(index(key), reason);
    this.pending.get(job.id!)?.resolve({ values, failures });
    return { completed: values.size, failed: failures.size };
  }

  private shareData(X: Matrix, y: ArrayLike<number>, w: Float64Array | undefined): Promise<DataRef> {
    let byWeight = this.dataRefs.get(X);
    if (!byWeight) this.dataRefs.set(X, (byWeight = new Map()));
    let ref = byWeight.get(w);
    if (!ref) {
      const arrays = [X.data, Float64Array.from(y), ...(w ? [w] : [])];
      ref = writeArrays(this.options.dataDir, { rows: X.rows, cols: X.cols, columns: X.columns }, arrays);
      byWeight.set(w, ref);
    }
    return ref;
  }

  private shareFold(fold: Fold): Promise<DataRef> {
    let ref = this.foldRefs.get(fold);
    if (!ref) {
      ref = writeArrays(this.options.dataDir, {}, [fold.train, fold.test]);
      this.foldRefs.set(fold, ref);
    }
    return ref;
  }

  /** Stop collecting, drop this run's trial queue and data files; trials still waiting are rejected. */
  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new Error('the queue coordinator was closed'));
    this.pending.clear();
    await this.trials.close(true).catch(() => undefined);
    await this.trialsQueue.obliterate({ force: true }).catch(() => undefined);
    await Promise.all([this.trialsQueue.close(), this.folds.close(), this.flows.close()]).catch(() => undefined);
    this.publisher?.disconnect();
    await fs.rm(this.options.dataDir, { recursive: true, force: true });
  }
}
